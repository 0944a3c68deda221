"""python-fido2's HID connection over UDP: one datagram per 64-byte report (the SoloKeys simulation
convention), for python-fido2 0.9.1 (65-byte writes, the report number first) and 2.x (64 bytes);
with the key's address and its power cycle. Shared by test/python, test/python2 (which puts this
folder on its path) and bench/python (udp_bench.py).

`local` binds the client's own address first: the SoloKeys solo1 simulation sends every report to
127.0.0.1:7112 whoever sent the request, so a client of it must listen there."""
import os
import socket
import time

from fido2.hid.base import CtapHidConnection


class UdpConnection(CtapHidConnection):
    def __init__(self, addr, local=None):
        self.addr = addr
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(10)
        if local is not None:
            self.sock.bind(local)
        self.sock.connect(addr)

    def write_packet(self, data):
        # python-fido2 hands 65 bytes: the report number 0, then the report.
        self.sock.send(bytes(data[1:]) if len(data) == 65 else bytes(data))

    def read_packet(self):
        return self.sock.recv(64)

    def close(self):
        self.sock.close()


# The SoloKeys simulation's reboot datagram: the key power-cycles (ctap-emu's UDP transport).
MAGIC_REBOOT = bytes.fromhex(
    "ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b"
    "394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc"
)


def address():
    host, port = os.environ.get("CTAP_EMU_UDP", "127.0.0.1:8111").rsplit(":", 1)
    return host, int(port)


def power_cycle():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(MAGIC_REBOOT, address())
    time.sleep(0.2)

"""python-fido2's HID connection over UDP: one datagram per 64-byte report (the SoloKeys simulation
convention). Shared by test/python (conftest.py) and bench/python (udp_bench.py)."""
import socket

from fido2.hid.base import CtapHidConnection


class UdpConnection(CtapHidConnection):
    def __init__(self, addr):
        self.addr = addr
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(10)
        self.sock.connect(addr)

    def write_packet(self, data):
        # python-fido2 hands 65 bytes: the report number 0, then the report.
        self.sock.send(bytes(data[1:]) if len(data) == 65 else bytes(data))

    def read_packet(self):
        return self.sock.recv(64)

    def close(self):
        self.sock.close()

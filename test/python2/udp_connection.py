"""python-fido2 2.x's HID connection over UDP: one datagram per 64-byte report (the SoloKeys
simulation convention). In 2.x, CtapHidDevice hands write_packet the 64-byte report alone (its
Linux backend adds the report number itself), and HidDescriptor gained product_name and
serial_number."""
import socket

from fido2.hid.base import CtapHidConnection


class UdpConnection(CtapHidConnection):
    def __init__(self, addr):
        self.addr = addr
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(10)
        self.sock.connect(addr)

    def write_packet(self, data):
        if len(data) != 64:
            raise ValueError("a CTAPHID report is 64 bytes, got %d" % len(data))
        self.sock.send(bytes(data))

    def read_packet(self):
        return self.sock.recv(64)

    def close(self):
        self.sock.close()

"""python-fido2 (Debian python3-fido2 0.9.1) talking to a running ctap-emu over its UDP transport.

The key's address comes from CTAP_EMU_UDP (host:port); test/conformance/python.test.ts starts the
key and runs this suite. Run by hand: `ctap-emu serve --memory --port 8111` then
`CTAP_EMU_UDP=127.0.0.1:8111 /usr/bin/python3 -m pytest test/python`.
"""
import os
import socket

import pytest
from fido2.hid import CtapHidDevice
from fido2.hid.base import HidDescriptor

from udp_connection import UdpConnection

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


@pytest.fixture
def device():
    addr = address()
    dev = CtapHidDevice(HidDescriptor("udp:%s:%d" % addr, 0x1209, 0x5070, 64, 64), UdpConnection(addr))
    yield dev
    dev.close()

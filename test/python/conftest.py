"""python-fido2 (Debian python3-fido2 0.9.1) talking to a running ctap-emu over its UDP transport.

The key's address comes from CTAP_EMU_UDP (host:port); test/conformance/python.test.ts starts the
key and runs this suite. Run by hand: `ctap-emu serve --memory --port 8111` then
`CTAP_EMU_UDP=127.0.0.1:8111 /usr/bin/python3 -m pytest test/python`.
"""

import pytest
from fido2.hid import CtapHidDevice
from fido2.hid.base import HidDescriptor

from udp_connection import UdpConnection, address, power_cycle  # noqa: F401 (the tests import power_cycle from here)

@pytest.fixture
def device():
    addr = address()
    dev = CtapHidDevice(HidDescriptor("udp:%s:%d" % addr, 0x1209, 0x5070, 64, 64), UdpConnection(addr))
    yield dev
    dev.close()

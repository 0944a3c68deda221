"""python-fido2 2.2.1 talking to a running ctap-emu over its UDP transport. Starts nothing.

The key's address comes from CTAP_EMU_UDP (host:port); test/conformance/python2.test.ts starts
`ctap-emu serve --transport udp --memory --enterprise-rp ea.example` and runs this suite with the
python that test/python2/install.sh made. By hand:
  bash test/python2/install.sh /tmp/pyfido2-2
  node dist/src/cli.js serve --transport udp --memory --enterprise-rp ea.example &
  CTAP_EMU_UDP=127.0.0.1:8111 /tmp/pyfido2-2/bin/python -m pytest test/python2
Tests that need a clean key power-cycle it (the magic reboot datagram), reset it and set PIN.
"""
import os
import sys

import pytest
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin
from fido2.hid import CtapHidDevice
from fido2.hid.base import HidDescriptor

# The UDP connection is test/python's: it takes python-fido2 0.9.1's 65-byte writes and 2.x's 64.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from udp_connection import UdpConnection, address, power_cycle  # noqa: F401 (the tests import power_cycle from here)

PIN = "12345678"
def open_device():
    addr = address()
    desc = HidDescriptor("udp:%s:%d" % addr, 0x1209, 0x5070, 64, 64, "ctap-emu (udp)", None)
    return CtapHidDevice(desc, UdpConnection(addr))


@pytest.fixture
def device():
    dev = open_device()
    yield dev
    dev.close()


@pytest.fixture
def fresh(device):
    """A key just reset (after a power cycle, as reset wants) with PIN set: its Ctap2 and ClientPin."""
    power_cycle()
    Ctap2(device).reset()
    ctap = Ctap2(device)
    ClientPin(ctap).set_pin(PIN)
    ctap = Ctap2(device)  # getInfo again: clientPin is now true
    return ctap, ClientPin(ctap)

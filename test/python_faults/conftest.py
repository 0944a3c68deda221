"""python-fido2 (Debian python3-fido2 0.9.1) against keys with fault rules, over UDP.

test/conformance/faults.python.test.ts starts two keys and passes their addresses: CTAP_EMU_UDP, a
key whose faults are picked by RP ID (see test_faults.py), and CTAP_EMU_UDP_INFO, a key whose
getInfo is not canonical CBOR. The UDP connection is test/python's.
"""
import os
import sys

import pytest
from fido2.hid import CtapHidDevice
from fido2.hid.base import HidDescriptor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from udp_connection import UdpConnection  # noqa: E402


def open_device(variable):
    host, port = os.environ[variable].rsplit(":", 1)
    addr = (host, int(port))
    return CtapHidDevice(HidDescriptor("udp:%s:%d" % addr, 0x1209, 0x5070, 64, 64), UdpConnection(addr))


@pytest.fixture
def device():
    dev = open_device("CTAP_EMU_UDP")
    yield dev
    dev.close()


@pytest.fixture
def info_device():
    dev = open_device("CTAP_EMU_UDP_INFO")
    yield dev
    dev.close()

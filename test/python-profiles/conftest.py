"""python-fido2 (0.9.1) against ctap-emu's device profiles: test/conformance/profiles.test.ts serves one
key per profile over UDP and names them in CTAP_EMU_PROFILES (JSON: name -> {port, expect})."""
import json
import os
import sys

import pytest
from fido2.hid import CtapHidDevice
from fido2.hid.base import HidDescriptor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from udp_connection import UdpConnection  # noqa: E402

PROFILES = json.loads(os.environ.get("CTAP_EMU_PROFILES", "{}"))


def pytest_generate_tests(metafunc):
    if "profile" in metafunc.fixturenames:
        metafunc.parametrize("profile", sorted(PROFILES), ids=sorted(PROFILES))


@pytest.fixture
def expect(profile):
    return PROFILES[profile]["expect"]


@pytest.fixture
def device(profile):
    addr = ("127.0.0.1", PROFILES[profile]["port"])
    dev = CtapHidDevice(HidDescriptor("udp:%s:%d" % addr, 0x1209, 0x5070, 64, 64), UdpConnection(addr))
    yield dev
    dev.close()

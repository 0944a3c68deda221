"""python-fido2's credBlob and largeBlobKey extensions and its LargeBlobs (fido2.ctap2.blob), with a PIN.

Named test_zzz_ so it runs after test_zz_pin: it resets the key (after a power cycle) and leaves a PIN set.
python-fido2 0.9.1 sends `length` with every fragment, which CTAP 2.1 §6.10.2 refuses after the first:
the array here stays within one fragment, as it does for that version against any conforming key.
"""
import time
from hashlib import sha256 as _sha256

import pytest
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.blob import LargeBlobs
from fido2.ctap2.pin import ClientPin

from conftest import power_cycle

RP = {"id": "example.com", "name": "Example"}
ES256 = [{"type": "public-key", "alg": -7}]
CDH = b"\x22" * 32
PIN = "1234"


def fresh(device):
    power_cycle()
    time.sleep(0.2)
    Ctap2(device).reset()
    ctap = Ctap2(device)
    ClientPin(ctap).set_pin(PIN)
    return Ctap2(device)


def test_cred_blob_large_blob_key_and_large_blobs(device):
    ctap = fresh(device)
    info = ctap.get_info()
    assert "credBlob" in info.extensions and "largeBlobKey" in info.extensions
    assert info.options["largeBlobs"] is True
    assert info.max_large_blob >= 1024
    assert info.max_cred_blob_length >= 32

    pin = ClientPin(ctap)
    token = pin.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, "example.com")
    blob = b"credBlob: 32 bytes at the most!!"
    att = ctap.make_credential(CDH, RP, {"id": b"u", "name": "u"}, ES256, options={"rk": True},
                               extensions={"credBlob": blob, "largeBlobKey": True},
                               pin_uv_param=pin.protocol.authenticate(token, CDH), pin_uv_protocol=pin.protocol.VERSION)
    assert att.auth_data.extensions["credBlob"] is True
    key = att.large_blob_key
    assert len(key) == 32

    token = pin.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, "example.com")
    assertion = ctap.get_assertion("example.com", CDH, extensions={"getCredBlob": True, "largeBlobKey": True},
                                   pin_uv_param=pin.protocol.authenticate(token, CDH), pin_uv_protocol=pin.protocol.VERSION)
    assert assertion.auth_data.extensions["credBlob"] == blob
    assert assertion.large_blob_key == key

    # Reads need no token; the initial array is empty.
    assert LargeBlobs(ctap).read_blob_array() == []
    # Writes on a key with a PIN need a token with lbw.
    with pytest.raises(CtapError) as e:
        LargeBlobs(ctap).put_blob(key, b"no token")
    assert e.value.code == CtapError.ERR.PIN_REQUIRED  # PUAT_REQUIRED (0x36) in CTAP 2.1

    lbw = pin.get_pin_token(PIN, ClientPin.PERMISSION.LARGE_BLOB_WRITE)
    blobs = LargeBlobs(ctap, pin.protocol, lbw)
    data = b"a large blob, " * 40
    blobs.put_blob(key, data)
    blobs.put_blob(b"\x01" * 32, b"another credential's")
    assert LargeBlobs(ctap).get_blob(key) == data
    assert len(LargeBlobs(ctap).read_blob_array()) == 2
    blobs.delete_blob(key)
    assert LargeBlobs(ctap).get_blob(key) is None
    assert len(LargeBlobs(ctap).read_blob_array()) == 1

    # A wrong trailer is refused whole (CTAP2_ERR_INTEGRITY_FAILURE) and the array stays as it was.
    bad = b"\x80" + b"\x00" * 16
    msg = b"\xff" * 32 + b"\x0c\x00" + b"\x00\x00\x00\x00" + _sha256(bad).digest()
    with pytest.raises(CtapError) as e:
        ctap.large_blobs(0, set=bad, length=len(bad), pin_uv_protocol=pin.protocol.VERSION,
                         pin_uv_param=pin.protocol.authenticate(lbw, msg))
    assert e.value.code == CtapError.ERR.INTEGRITY_FAILURE
    assert len(LargeBlobs(ctap).read_blob_array()) == 1

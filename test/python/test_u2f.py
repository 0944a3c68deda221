"""CTAP1/U2F as python-fido2's Ctap1 sends it (extended APDUs over CTAPHID_MSG), polling on
SW_CONDITIONS_NOT_SATISFIED while the key asks for a touch, as U2F hosts do."""
from hashlib import sha256

import pytest
from fido2.ctap import CtapError
from fido2.ctap1 import ApduError, APDU, Ctap1
from fido2.ctap2 import Ctap2
from u2f_touch import polling

APP = sha256(b"example.com").digest()
CHALLENGE = sha256(b"challenge").digest()


def test_version_and_capabilities(device):
    assert Ctap1(device).get_version() == "U2F_V2"
    assert "U2F_V2" in Ctap2(device).info.versions


def test_register_and_authenticate(device):
    ctap1 = Ctap1(device)
    reg = polling(ctap1.register, CHALLENGE, APP)
    # python-fido2 checks the attestation signature against the certificate's key.
    reg.verify(APP, CHALLENGE)
    with pytest.raises(ApduError) as e:
        ctap1.authenticate(CHALLENGE, APP, reg.key_handle, check_only=True)
    assert e.value.code == APDU.USE_NOT_SATISFIED
    first = polling(ctap1.authenticate, CHALLENGE, APP, reg.key_handle)
    first.verify(APP, CHALLENGE, reg.public_key)
    assert first.user_presence & 1
    second = polling(ctap1.authenticate, CHALLENGE, APP, reg.key_handle)
    second.verify(APP, CHALLENGE, reg.public_key)
    assert second.counter > first.counter


def test_wrong_key_handle_and_application(device):
    ctap1 = Ctap1(device)
    reg = polling(ctap1.register, CHALLENGE, APP)
    with pytest.raises(ApduError) as e:
        ctap1.authenticate(CHALLENGE, sha256(b"other.example").digest(), reg.key_handle)
    assert e.value.code == APDU.WRONG_DATA
    with pytest.raises(ApduError) as e:
        ctap1.send_apdu(cla=0x80, ins=Ctap1.INS.VERSION)
    assert e.value.code == 0x6E00
    with pytest.raises(ApduError) as e:
        ctap1.send_apdu(ins=0x55)
    assert e.value.code == 0x6D00


def test_u2f_registration_signs_ctap2_assertions(device):
    reg = polling(Ctap1(device).register, CHALLENGE, APP)
    allow = [{"type": "public-key", "id": reg.key_handle}]
    assertion = Ctap2(device).get_assertion("example.com", bytes(32), allow)
    assert assertion.auth_data.rp_id_hash == APP
    with pytest.raises(CtapError):
        Ctap2(device).get_assertion("other.example", bytes(32), allow)


def test_ctap2_credential_answers_u2f(device):
    att = Ctap2(device).make_credential(bytes(32), {"id": "example.com"}, {"id": b"u2f"}, [{"type": "public-key", "alg": -7}])
    cred = att.auth_data.credential_data
    sig = polling(Ctap1(device).authenticate, CHALLENGE, APP, cred.credential_id)
    sig.verify(APP, CHALLENGE, b"\x04" + cred.public_key[-2] + cred.public_key[-3])

"""The persistent pinUvAuthToken (permission pcmr, 0x40: PERSISTENT_CREDENTIAL_MGMT in python-fido2
2.2.1), read-only credential management with it, and what it decrypts: encIdentifier
(Info.get_identifier) and encCredStoreState (Info.get_cred_store_state)."""
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.credman import CredentialManagement
from fido2.ctap2.pin import ClientPin

from conftest import PIN, open_device, power_cycle

PCMR = ClientPin.PERMISSION.PERSISTENT_CREDENTIAL_MGMT
ES256 = [{"type": "public-key", "alg": -7}]
RESULT = CredentialManagement.RESULT


def make(ctap, pin, rp_id, name, rk=True):
    cdh = os.urandom(32)
    token = pin.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, rp_id)
    return ctap.make_credential(cdh, {"id": rp_id, "name": rp_id}, {"id": name.encode(), "name": name}, ES256,
                                options={"rk": rk}, pin_uv_param=pin.protocol.authenticate(token, cdh),
                                pin_uv_protocol=pin.protocol.VERSION)


def spec_decrypt(token, encrypted, info):
    """CTAP 2.2 §6.4: HKDF-SHA-256(salt 32 zero bytes, info, 16 bytes) then AES-128-CBC, iv || ct."""
    key = HKDF(algorithm=hashes.SHA256(), length=16, salt=b"\0" * 32, info=info).derive(token)
    d = Cipher(algorithms.AES(key), modes.CBC(encrypted[:16])).decryptor()
    return d.update(encrypted[16:]) + d.finalize()


def test_pcmr_is_named_0x40():
    assert PCMR == 0x40


def test_identifier_stable_and_bound_to_the_persistent_token(fresh):
    ctap, pin = fresh
    token = pin.get_pin_token(PIN, PCMR)
    ids = [Ctap2(ctap.device).get_info().get_identifier(token) for _ in range(3)]
    assert len(ids[0]) == 16
    assert ids[0] == ids[1] == ids[2]
    info = ctap.get_info()
    assert spec_decrypt(token, info.enc_identifier, b"encIdentifier") == ids[0]
    # Another (non-persistent) token opens it to something else: the key encrypts under pcmr's token.
    other = pin.get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT)
    assert info.get_identifier(other) != ids[0]


def test_persistent_token_survives_a_power_cycle_and_is_read_only(fresh):
    ctap, pin = fresh
    make(ctap, pin, "ro.example", "amy")
    make(ctap, pin, "ro.example", "bea")
    make(ctap, pin, "two.example", "cat")
    token = pin.get_pin_token(PIN, PCMR)
    protocol = pin.protocol

    power_cycle()
    dev = open_device()
    try:
        ctap2 = Ctap2(dev)
        cm = CredentialManagement(ctap2, protocol, token)
        assert CredentialManagement.is_readonly_supported(ctap2.info)
        meta = cm.get_metadata()
        assert meta[RESULT.EXISTING_CRED_COUNT] == 3
        rps = cm.enumerate_rps()
        assert sorted(rp[RESULT.RP]["id"] for rp in rps) == ["ro.example", "two.example"]
        ro = next(rp for rp in rps if rp[RESULT.RP]["id"] == "ro.example")
        creds = cm.enumerate_creds(ro[RESULT.RP_ID_HASH])
        assert sorted(c[RESULT.USER]["name"] for c in creds) == ["amy", "bea"]
        # Read-only: deleting (and updating) needs the cm permission, which pcmr does not give.
        with pytest.raises(CtapError) as e:
            cm.delete_cred(creds[0][RESULT.CREDENTIAL_ID])
        assert e.value.code == CtapError.ERR.PIN_AUTH_INVALID
        with pytest.raises(CtapError) as e:
            cm.update_user_info(creds[0][RESULT.CREDENTIAL_ID], {"id": creds[0][RESULT.USER]["id"], "name": "x"})
        assert e.value.code == CtapError.ERR.PIN_AUTH_INVALID
        assert cm.get_metadata()[RESULT.EXISTING_CRED_COUNT] == 3
        # The identifier is the same one after the power cycle.
        assert ctap2.get_info().get_identifier(token) == ctap.get_info().get_identifier(token)
    finally:
        dev.close()


def test_pin_change_ends_the_persistent_token(fresh):
    ctap, pin = fresh
    make(ctap, pin, "pc.example", "dan")
    token = pin.get_pin_token(PIN, PCMR)
    CredentialManagement(ctap, pin.protocol, token).get_metadata()
    pin.change_pin(PIN, PIN + "9")
    with pytest.raises(CtapError) as e:
        CredentialManagement(ctap, pin.protocol, token).get_metadata()
    assert e.value.code == CtapError.ERR.PIN_AUTH_INVALID
    pin.change_pin(PIN + "9", PIN)


def test_cred_store_state_follows_discoverable_credentials_only(fresh):
    ctap, pin = fresh
    token = pin.get_pin_token(PIN, PCMR)

    def state():
        info = Ctap2(ctap.device).get_info()
        value = info.get_cred_store_state(token)
        assert value == spec_decrypt(token, info.enc_cred_store_state, b"encCredStoreState")
        return value

    s0 = state()
    assert len(s0) == 16
    assert state() == s0  # stable while nothing changes
    att = make(ctap, pin, "state.example", "eve")
    s1 = state()
    assert s1 != s0  # a discoverable credential was added
    make(ctap, pin, "state.example", "nondisc", rk=False)
    assert state() == s1  # a non-discoverable one is not stored
    cdh = os.urandom(32)
    ga = pin.get_pin_token(PIN, ClientPin.PERMISSION.GET_ASSERTION, "state.example")
    ctap.get_assertion("state.example", cdh, pin_uv_param=pin.protocol.authenticate(ga, cdh),
                       pin_uv_protocol=pin.protocol.VERSION)
    assert state() == s1  # an assertion (counter update) is not a change of the store
    cm_token = pin.get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT)
    CredentialManagement(ctap, pin.protocol, cm_token).delete_cred(
        {"type": "public-key", "id": att.auth_data.credential_data.credential_id})
    s2 = state()
    assert s2 not in (s0, s1)  # a removal changes it too, and not back to what it was

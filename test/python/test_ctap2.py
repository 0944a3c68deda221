"""CTAP2 commands as python-fido2's Ctap2 sends and checks them (it insists on canonical CBOR)."""
import os
import time

import pytest
from fido2.attestation import AttestationType, PackedAttestation
from fido2.client import Fido2Client
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.server import Fido2Server
from fido2.webauthn import PublicKeyCredentialRpEntity

from conftest import power_cycle

RP = {"id": "example.com", "name": "Example"}
ES256 = [{"type": "public-key", "alg": -7}]
EDDSA = [{"type": "public-key", "alg": -8}]
RS256 = [{"type": "public-key", "alg": -257}]


def client_data_hash(n=0):
    return bytes([n]) * 32


def test_get_info(device):
    info = Ctap2(device).info
    assert "FIDO_2_0" in info.versions
    assert len(info.aaguid) == 16
    assert info.options["rk"] is True
    assert info.transports == ["usb"]
    assert [a["alg"] for a in info.algorithms] == [-7, -8, -35, -257]
    for ext in ["credProtect", "hmac-secret", "minPinLength", "hmac-secret-mc", "thirdPartyPayment"]:
        assert ext in info.extensions


# python-fido2 0.9.1 has no ES384 (its cose module knows ES256, EdDSA, RS256, PS256); RS256 keys
# are discoverable only (the suite's key has RS256 turned on).
@pytest.mark.parametrize("alg", [ES256, EDDSA, RS256], ids=["ES256", "EdDSA", "RS256"])
def test_make_credential_and_assert(device, alg):
    ctap = Ctap2(device)
    user = {"id": os.urandom(8), "name": "alice"}
    options = {"rk": True} if alg is RS256 else None
    att = ctap.make_credential(client_data_hash(1), RP, user, alg, options=options)
    assert att.auth_data.credential_data.public_key[3] == alg[0]["alg"]
    assert att.fmt == "packed"
    result = PackedAttestation().verify(att.att_statement, att.auth_data, client_data_hash(1))
    # Basic attestation: the batch certificate passes python-fido2's packed certificate checks.
    assert result.attestation_type == AttestationType.BASIC
    assert len(result.trust_path) == 1
    cred = att.auth_data.credential_data
    allow = [{"type": "public-key", "id": cred.credential_id}]
    first = ctap.get_assertion("example.com", client_data_hash(2), allow)
    first.verify(client_data_hash(2), cred.public_key)
    second = ctap.get_assertion("example.com", client_data_hash(3), allow)
    second.verify(client_data_hash(3), cred.public_key)
    assert second.auth_data.counter > first.auth_data.counter


def test_discoverable_walk_with_get_next_assertion(device):
    ctap = Ctap2(device)
    rp = {"id": "walk.example", "name": "Walk"}
    keys = {}
    for name in ["u1", "u2", "u3"]:
        att = ctap.make_credential(client_data_hash(4), rp, {"id": name.encode(), "name": name}, ES256, options={"rk": True})
        keys[att.auth_data.credential_data.credential_id] = att.auth_data.credential_data.public_key
        time.sleep(0.01)
    first = ctap.get_assertion("walk.example", client_data_hash(5))
    assert first.number_of_credentials == 3
    responses = [first] + [ctap.get_next_assertion() for _ in range(2)]
    assert {r.credential["id"] for r in responses} == set(keys)
    assert [r.user["id"] for r in responses] == [b"u3", b"u2", b"u1"]
    for r in responses:
        r.verify(client_data_hash(5), keys[r.credential["id"]])
    with pytest.raises(CtapError) as e:
        ctap.get_next_assertion()
    assert e.value.code == CtapError.ERR.NOT_ALLOWED


def test_exclude_list_and_unknown_rp(device):
    ctap = Ctap2(device)
    att = ctap.make_credential(client_data_hash(6), RP, {"id": b"bob", "name": "bob"}, ES256)
    cred_id = att.auth_data.credential_data.credential_id
    with pytest.raises(CtapError) as e:
        ctap.make_credential(client_data_hash(6), RP, {"id": b"bob", "name": "bob"}, ES256,
                             exclude_list=[{"type": "public-key", "id": cred_id}])
    assert e.value.code == CtapError.ERR.CREDENTIAL_EXCLUDED
    with pytest.raises(CtapError) as e:
        ctap.get_assertion("other.example", client_data_hash(7), [{"type": "public-key", "id": cred_id}])
    assert e.value.code == CtapError.ERR.NO_CREDENTIALS


def test_fido2_client_and_server(device):
    server = Fido2Server(PublicKeyCredentialRpEntity("example.com", "Example"))
    client = Fido2Client(device, "https://example.com")
    user = {"id": b"user-carol", "name": "carol"}
    create_options, state = server.register_begin(user, resident_key=True)
    reg = client.make_credential(create_options["publicKey"])
    auth_data = server.register_complete(state, reg.client_data, reg.attestation_object)
    credentials = [auth_data.credential_data]
    request_options, state = server.authenticate_begin(credentials)
    selection = client.get_assertion(request_options["publicKey"])
    result = selection.get_response(0)
    server.authenticate_complete(state, credentials, result.credential_id, result.client_data,
                                 result.authenticator_data, result.signature)


def test_reset_after_power_cycle(device):
    ctap = Ctap2(device)
    ctap.make_credential(client_data_hash(8), RP, {"id": b"dave", "name": "dave"}, ES256, options={"rk": True})
    power_cycle()
    time.sleep(0.2)
    ctap.reset()
    with pytest.raises(CtapError) as e:
        ctap.get_assertion("example.com", client_data_hash(9))
    assert e.value.code == CtapError.ERR.NO_CREDENTIALS


def test_hmac_secret_through_fido2_client(device):
    server = Fido2Server(PublicKeyCredentialRpEntity("example.com", "Example"))
    client = Fido2Client(device, "https://example.com")
    create_options, state = server.register_begin({"id": b"user-hmac", "name": "hmac"}, resident_key=True)
    options = dict(create_options["publicKey"])
    options["extensions"] = {"hmacCreateSecret": True}
    reg = client.make_credential(options)
    assert reg.extension_results == {"hmacCreateSecret": True}
    auth_data = server.register_complete(state, reg.client_data, reg.attestation_object)

    def secrets(salt1, salt2=None):
        request_options, st = server.authenticate_begin([auth_data.credential_data])
        req = dict(request_options["publicKey"])
        req["extensions"] = {"hmacGetSecret": dict(salt1=salt1, **({"salt2": salt2} if salt2 else {}))}
        result = client.get_assertion(req).get_response(0)
        server.authenticate_complete(st, [auth_data.credential_data], result.credential_id, result.client_data,
                                     result.authenticator_data, result.signature)
        return result.extension_results["hmacGetSecret"]

    a = secrets(b"\x01" * 32)
    b = secrets(b"\x01" * 32, b"\x02" * 32)
    assert len(a["output1"]) == 32
    assert a["output1"] == b["output1"]  # the same salt gives the same secret
    assert b["output2"] != b["output1"]

"""python-fido2's ClientPin with PIN/UV auth protocols 1 and 2, and Fido2Client with a PIN.

Named test_zz_ so it runs last: it resets the key (after a power cycle) and leaves a PIN set.
"""
import time

import pytest
from fido2.client import Fido2Client
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2
from fido2.server import Fido2Server
from fido2.webauthn import PublicKeyCredentialRpEntity

from conftest import power_cycle

RP = {"id": "example.com", "name": "Example"}
ES256 = [{"type": "public-key", "alg": -7}]
CDH = b"\x11" * 32


def fresh(device):
    power_cycle()
    time.sleep(0.2)
    ctap = Ctap2(device)
    ctap.reset()
    return Ctap2(device)


@pytest.mark.parametrize("protocol", [PinProtocolV1, PinProtocolV2], ids=["v1", "v2"])
def test_client_pin(device, protocol):
    ctap = fresh(device)
    pin = ClientPin(ctap, protocol())
    pin.set_pin("1234")
    assert Ctap2(device).get_info().options["clientPin"] is True
    assert pin.get_pin_retries()[0] == 8

    token = pin.get_pin_token("1234", ClientPin.PERMISSION.MAKE_CREDENTIAL, "example.com")
    param = pin.protocol.authenticate(token, CDH)
    att = ctap.make_credential(CDH, RP, {"id": b"u", "name": "u"}, ES256, options={"rk": True},
                               pin_uv_param=param, pin_uv_protocol=pin.protocol.VERSION)
    assert att.auth_data.is_user_verified()

    # Permissions are mandatory with getPinUvAuthTokenUsingPinWithPermissions (CTAP 2.1 §6.5.5.7.2),
    # which python-fido2 uses whenever getInfo says pinUvAuthToken.
    with pytest.raises(CtapError) as e:
        pin.get_pin_token("1234")
    assert e.value.code == CtapError.ERR.MISSING_PARAMETER
    with pytest.raises(CtapError) as e:
        pin.get_pin_token("0000", ClientPin.PERMISSION.GET_ASSERTION)
    assert e.value.code == CtapError.ERR.PIN_INVALID
    assert pin.get_pin_retries()[0] == 7

    pin.change_pin("1234", "56789")
    with pytest.raises(CtapError) as e:
        pin.get_pin_token("1234", ClientPin.PERMISSION.GET_ASSERTION)
    assert e.value.code == CtapError.ERR.PIN_INVALID
    token = pin.get_pin_token("56789", ClientPin.PERMISSION.GET_ASSERTION, "example.com")
    param = pin.protocol.authenticate(token, CDH)
    assertion = ctap.get_assertion("example.com", CDH, pin_uv_param=param, pin_uv_protocol=pin.protocol.VERSION)
    assert assertion.auth_data.is_user_verified()
    assert assertion.user["name"] == "u"  # identifiable information after verification


def test_fido2_client_with_pin(device):
    ctap = fresh(device)
    ClientPin(ctap).set_pin("4321")
    server = Fido2Server(PublicKeyCredentialRpEntity("example.com", "Example"))
    client = Fido2Client(device, "https://example.com")
    create_options, state = server.register_begin({"id": b"erin", "name": "erin"}, resident_key=True,
                                                  user_verification="required")
    reg = client.make_credential(create_options["publicKey"], pin="4321")
    auth_data = server.register_complete(state, reg.client_data, reg.attestation_object)
    assert auth_data.is_user_verified()
    request_options, state = server.authenticate_begin([auth_data.credential_data], user_verification="required")
    result = client.get_assertion(request_options["publicKey"], pin="4321").get_response(0)
    server.authenticate_complete(state, [auth_data.credential_data], result.credential_id, result.client_data,
                                 result.authenticator_data, result.signature)


def test_credential_management(device):
    from fido2.ctap2.credman import CredentialManagement

    ctap = fresh(device)
    pin = ClientPin(ctap)
    pin.set_pin("2468")
    for name in ["frank", "grace"]:
        token = pin.get_pin_token("2468", ClientPin.PERMISSION.MAKE_CREDENTIAL, "cm.example")
        ctap.make_credential(CDH, {"id": "cm.example", "name": "CM"}, {"id": name.encode(), "name": name}, ES256,
                             options={"rk": True}, pin_uv_param=pin.protocol.authenticate(token, CDH),
                             pin_uv_protocol=pin.protocol.VERSION)
    token = pin.get_pin_token("2468", ClientPin.PERMISSION.CREDENTIAL_MGMT)
    cm = CredentialManagement(Ctap2(device), pin.protocol, token)
    meta = cm.get_metadata()
    assert meta[CredentialManagement.RESULT.EXISTING_CRED_COUNT] == 2
    rps = cm.enumerate_rps()
    assert [rp[CredentialManagement.RESULT.RP]["id"] for rp in rps] == ["cm.example"]
    creds = cm.enumerate_creds(rps[0][CredentialManagement.RESULT.RP_ID_HASH])
    assert sorted(c[CredentialManagement.RESULT.USER]["name"] for c in creds) == ["frank", "grace"]
    cm.delete_cred(creds[0][CredentialManagement.RESULT.CREDENTIAL_ID])
    assert cm.get_metadata()[CredentialManagement.RESULT.EXISTING_CRED_COUNT] == 1


def test_min_pin_length_extension(device):
    """Config.set_min_pin_length names the RPs; Fido2Client's MinPinLengthExtension reads the minimum."""
    from fido2.ctap2.config import Config
    from fido2.webauthn import PublicKeyCredentialCreationOptions

    ctap = fresh(device)
    pin = ClientPin(ctap)
    pin.set_pin("123456")
    token = pin.get_pin_token("123456", ClientPin.PERMISSION.AUTHENTICATOR_CFG)
    assert ctap.info.max_rpids_for_min_pin == 8
    Config(ctap, pin.protocol, token).set_min_pin_length(min_pin_length=6, rp_ids=["example.com"])
    server = Fido2Server(PublicKeyCredentialRpEntity("example.com", "Example"))
    client = Fido2Client(device, "https://example.com")
    outputs = {}
    for rp in ["example.com", "other.example"]:
        server = Fido2Server(PublicKeyCredentialRpEntity(rp, "Example"))
        client = Fido2Client(device, "https://" + rp)
        create_options, _ = server.register_begin({"id": b"ming", "name": "ming"}, user_verification="required")
        o = create_options["publicKey"]
        with_ext = PublicKeyCredentialCreationOptions(
            o.rp, o.user, o.challenge, o.pub_key_cred_params, o.timeout, o.exclude_credentials,
            o.authenticator_selection, o.attestation, extensions={"minPinLength": True},
        )
        reg = client.make_credential(with_ext, pin="123456")
        outputs[rp] = reg.attestation_object.auth_data.extensions or {}
    assert outputs["example.com"].get("minPinLength") == 6
    assert "minPinLength" not in outputs["other.example"]

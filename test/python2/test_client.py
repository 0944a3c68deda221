"""Whole ceremonies through python-fido2 2.2.1's Fido2Client (PIN from a UserInteraction, resident
keys) verified by its Fido2Server, with packed attestation checked up to the key's CA by its
AttestationVerifier; enterprise attestation (Config.enable_enterprise_attestation)."""
import os
from dataclasses import replace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fido2.attestation import AttestationVerifier, AttestationType, PackedAttestation, UntrustedAttestation
from fido2.client import ClientError, DefaultClientDataCollector, Fido2Client, UserInteraction
from fido2.cose import ES256, ES384, EdDSA
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.config import Config
from fido2.ctap2.pin import ClientPin
from fido2.server import Fido2Server
from fido2.webauthn import (
    AttestationConveyancePreference,
    PublicKeyCredentialParameters,
    PublicKeyCredentialRpEntity,
)

from conftest import PIN

SERIAL_NUMBER = x509.NameOID.SERIAL_NUMBER


def key_ca():
    """The key's attestation CA (DER), as `ctap-emu attestation export` wrote it for the wrapper."""
    path = os.environ.get("CTAP_EMU_CA")
    if not path:
        pytest.fail("CTAP_EMU_CA (the key's attestation CA, from `ctap-emu attestation export`) not given")
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read()).public_bytes(Encoding.DER)


class KeyCa(AttestationVerifier):
    def __init__(self, ca):
        super().__init__()
        self.ca = ca

    def ca_lookup(self, result, auth_data):
        return self.ca


class PinUi(UserInteraction):
    def __init__(self):
        self.asked = 0

    def request_pin(self, permissions, rp_id):
        self.asked += 1
        return PIN


@pytest.mark.parametrize("alg", [ES256, ES384, EdDSA], ids=["ES256", "ES384", "EdDSA"])
def test_register_and_authenticate_with_pin(fresh, alg):
    ctap, _ = fresh
    assert {"alg": alg.ALGORITHM, "type": "public-key"} in ctap.info.algorithms
    rp = PublicKeyCredentialRpEntity(id="example.com", name="Example")
    server = Fido2Server(rp, attestation=AttestationConveyancePreference.DIRECT, verify_attestation=KeyCa(key_ca()))
    ui = PinUi()
    client = Fido2Client(ctap.device, DefaultClientDataCollector("https://example.com"), ui)
    options, state = server.register_begin({"id": b"user-" + alg.__name__.encode(), "name": "alice"},
                                           resident_key_requirement="required", user_verification="required")
    options = replace(options.public_key, pub_key_cred_params=[PublicKeyCredentialParameters(type="public-key", alg=alg.ALGORITHM)])
    reg = client.make_credential(options)
    assert ui.asked >= 1
    auth_data = server.register_complete(state, reg)  # packed basic attestation, chained to the key's CA
    assert auth_data.is_user_verified()
    cred = auth_data.credential_data
    assert cred.public_key[3] == alg.ALGORITHM
    assert isinstance(cred.public_key, alg)
    att = reg.response.attestation_object
    result = PackedAttestation().verify(att.att_stmt, att.auth_data, reg.response.client_data.hash)
    assert result.attestation_type == AttestationType.BASIC
    # Another CA does not vouch for it.
    other = Fido2Server(rp, attestation="direct", verify_attestation=KeyCa(result.trust_path[0]))
    opts2, st2 = other.register_begin({"id": b"x", "name": "x"}, user_verification="required")
    with pytest.raises(UntrustedAttestation):
        other.register_complete(st2, client.make_credential(opts2.public_key))

    # Discoverable sign-in: no allowCredentials, PIN UV.
    request, state = server.authenticate_begin(user_verification="required")
    selection = client.get_assertion(request.public_key)
    responses = selection.get_assertions()
    assert len(responses) == 1  # the other server's credential is not discoverable
    assert responses[0].credential["id"] == cred.credential_id
    response = selection.get_response(0)
    assert response.response.user_handle == b"user-" + alg.__name__.encode()
    server.authenticate_complete(state, [cred], response)
    # A tampered signature is refused by the server.
    bad = replace(response, response=replace(response.response, signature=bytes(len(response.response.signature))))
    request, state = server.authenticate_begin([cred], user_verification="required")
    with pytest.raises(Exception):
        server.authenticate_complete(state, [cred], bad)


def test_wrong_pin_is_reported(fresh):
    ctap, pin = fresh

    class WrongPin(UserInteraction):
        def request_pin(self, permissions, rp_id):
            return "00000000"

    client = Fido2Client(ctap.device, DefaultClientDataCollector("https://example.com"), WrongPin())
    server = Fido2Server(PublicKeyCredentialRpEntity(id="example.com", name="Example"))
    options, _ = server.register_begin({"id": b"w", "name": "w"}, user_verification="required")
    with pytest.raises(ClientError) as e:
        client.make_credential(options.public_key)
    assert e.value.code == ClientError.ERR.BAD_REQUEST
    assert e.value.cause.code == CtapError.ERR.PIN_INVALID
    assert pin.get_pin_retries()[0] == 7


def enable_ep(ctap, pin):
    assert ctap.info.options["ep"] is False
    Config(ctap, pin.protocol, pin.get_pin_token(PIN, ClientPin.PERMISSION.AUTHENTICATOR_CFG)).enable_enterprise_attestation()
    ctap = Ctap2(ctap.device)
    assert ctap.info.options["ep"] is True
    return ctap


def enterprise_cert(att_stmt):
    cert = x509.load_der_x509_certificate(att_stmt["x5c"][0])
    return cert, cert.subject.get_attributes_for_oid(SERIAL_NUMBER)


def test_enterprise_attestation_platform_managed(fresh):
    ctap, pin = fresh
    cdh = os.urandom(32)

    def make(ep):
        token = pin.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, "corp.example")
        return ctap.make_credential(cdh, {"id": "corp.example", "name": "Corp"}, {"id": b"e", "name": "e"},
                                    [{"type": "public-key", "alg": -7}], enterprise_attestation=ep,
                                    pin_uv_param=pin.protocol.authenticate(token, cdh), pin_uv_protocol=pin.protocol.VERSION)

    with pytest.raises(CtapError) as e:  # not enabled yet: enterpriseAttestation is refused
        make(2)
    assert e.value.code == CtapError.ERR.INVALID_PARAMETER
    ctap = enable_ep(ctap, pin)
    att = make(2)
    assert att.ep_att is True
    cert, serial = enterprise_cert(att.att_stmt)
    assert len(serial) == 1 and serial[0].value
    assert PackedAttestation().verify(att.att_stmt, att.auth_data, cdh).attestation_type == AttestationType.BASIC
    # Vendor-facilitated (1) for an RP not on the key's list: an ordinary attestation, epAtt absent or false.
    plain = make(1)
    assert not plain.ep_att
    _, serial = enterprise_cert(plain.att_stmt)
    assert serial == []
    with pytest.raises(CtapError) as e:
        make(3)
    assert e.value.code == CtapError.ERR.INVALID_OPTION


def test_enterprise_attestation_through_fido2_client(fresh):
    """Fido2Client asks vendor-facilitated enterprise attestation (1) when the RP asks for
    `enterprise` and getInfo says ep; the key gives it to ea.example (serve --enterprise-rp)."""
    ctap, pin = fresh
    enable_ep(ctap, pin)
    for rp_id, expect_serial in [("ea.example", True), ("example.com", False)]:
        server = Fido2Server(PublicKeyCredentialRpEntity(id=rp_id, name="EA"), attestation="enterprise",
                             verify_attestation=KeyCa(key_ca()))
        client = Fido2Client(ctap.device, DefaultClientDataCollector("https://" + rp_id), PinUi())
        options, state = server.register_begin({"id": b"ent", "name": "ent"}, user_verification="required")
        reg = client.make_credential(options.public_key)
        server.register_complete(state, reg)  # the enterprise certificate chains to the key's CA too
        _, serial = enterprise_cert(reg.response.attestation_object.att_stmt)
        assert bool(serial) is expect_serial, rp_id

"""What python-fido2 does with a key's injected faults: its Ctap2 re-encodes each response and
refuses one that is not canonical CBOR (entries out of order, keys not in shortest form, a key
given twice) or does not decode (cut short); its signature check refuses a corrupted signature;
Fido2Client falls back to CTAP1/U2F when getInfo is not canonical.

The rules (set by faults.python.test.ts) pick the fault by RP ID: order.example, integer.example,
dup.example, cut.example and sig.example, on getAssertion only, so makeCredential works for each;
for U2F by the appId whose SHA-256 is the application parameter: u2f-sig.example (both signatures
corrupted) and u2f-status.example (U2F_REGISTER answers SW_WRONG_DATA).
"""
from hashlib import sha256

import pytest
from cryptography.exceptions import InvalidSignature
from fido2.attestation.base import InvalidSignature as AttestationInvalidSignature
from fido2.client import Fido2Client
from fido2.ctap1 import APDU, ApduError, Ctap1
from fido2.ctap2 import Ctap2
from fido2.server import Fido2Server
from fido2.webauthn import PublicKeyCredentialRpEntity
from u2f_touch import polling

ES256 = [{"type": "public-key", "alg": -7}]
HASH = b"\x01" * 32


def credential(ctap, rp_id):
    att = ctap.make_credential(HASH, {"id": rp_id, "name": rp_id}, {"id": b"u", "name": "u"}, ES256)
    data = att.auth_data.credential_data
    return data, [{"type": "public-key", "id": data.credential_id}]


@pytest.mark.parametrize("rp_id", ["order.example", "integer.example", "dup.example"])
def test_non_canonical_and_duplicate_key_responses_are_refused(device, rp_id):
    ctap = Ctap2(device)
    _, allow = credential(ctap, rp_id)
    with pytest.raises(ValueError, match="Non-canonical CBOR"):
        ctap.get_assertion(rp_id, HASH, allow)


def test_a_truncated_response_does_not_decode(device):
    ctap = Ctap2(device)
    _, allow = credential(ctap, "cut.example")
    with pytest.raises(Exception) as e:
        ctap.get_assertion("cut.example", HASH, allow)
    assert "Non-canonical" not in str(e.value)


def test_a_corrupted_signature_fails_verification(device):
    ctap = Ctap2(device)
    data, allow = credential(ctap, "sig.example")
    assertion = ctap.get_assertion("sig.example", HASH, allow)
    with pytest.raises(InvalidSignature):
        assertion.verify(HASH, data.public_key)


def test_the_same_key_answers_canonically_elsewhere(device):
    ctap = Ctap2(device)
    data, allow = credential(ctap, "example.com")
    ctap.get_assertion("example.com", HASH, allow).verify(HASH, data.public_key)


def test_non_canonical_get_info_sends_the_client_to_u2f(info_device):
    with pytest.raises(ValueError, match="Non-canonical CBOR"):
        Ctap2(info_device)
    client = Fido2Client(info_device, "https://example.com")
    assert isinstance(getattr(client, "ctap1", None), Ctap1)
    assert client.info.versions == ["U2F_V2"]
    # And the ceremony still works, through U2F: Fido2Server verifies the fido-u2f attestation.
    server = Fido2Server(PublicKeyCredentialRpEntity("example.com", "Example"))
    options, state = server.register_begin({"id": b"user-u2f", "name": "erin"})
    reg = client.make_credential(options["publicKey"])
    assert reg.attestation_object.fmt == "fido-u2f"
    auth_data = server.register_complete(state, reg.client_data, reg.attestation_object)
    credentials = [auth_data.credential_data]
    request, state = server.authenticate_begin(credentials)
    result = client.get_assertion(request["publicKey"]).get_response(0)
    server.authenticate_complete(state, credentials, result.credential_id, result.client_data,
                                 result.authenticator_data, result.signature)


def test_u2f_corrupted_signatures_fail_verification(device):
    ctap1 = Ctap1(device)
    app = sha256(b"u2f-sig.example").digest()
    reg = polling(ctap1.register, HASH, app)
    # The attestation check wraps cryptography's error in its own.
    with pytest.raises(AttestationInvalidSignature):
        reg.verify(app, HASH)
    signed = polling(ctap1.authenticate, HASH, app, reg.key_handle)
    with pytest.raises(InvalidSignature):
        signed.verify(app, HASH, reg.public_key)


def test_u2f_forced_status_word_reaches_the_host(device):
    with pytest.raises(ApduError) as e:
        Ctap1(device).register(HASH, sha256(b"u2f-status.example").digest())
    assert e.value.code == APDU.WRONG_DATA

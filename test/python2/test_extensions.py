"""Extensions and large blobs through python-fido2 2.2.1's own classes: LargeBlobs, credBlob,
minPinLength (Config.set_min_pin_length), credProtect, PRF on hmac-secret-mc (Fido2Client), and
thirdPartyPayment (ThirdPartyPaymentExtension with PaymentClientDataCollector)."""
import os
from dataclasses import replace

import pytest
from fido2.client import DefaultClientDataCollector, Fido2Client, UserInteraction
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.blob import LargeBlobs
from fido2.ctap2.config import Config
from fido2.ctap2.credman import CredentialManagement
from fido2.ctap2.extensions import _DEFAULT_EXTENSIONS, ThirdPartyPaymentExtension
from fido2.ctap2.pin import ClientPin
from fido2.payment import PaymentClientDataCollector
from fido2.server import Fido2Server
from fido2.utils import websafe_decode
from fido2.webauthn import AuthenticatorAttachment, PublicKeyCredentialRpEntity

from conftest import PIN

ES256 = [{"type": "public-key", "alg": -7}]
RP = {"id": "example.com", "name": "Example"}


class PinUi(UserInteraction):
    def request_pin(self, permissions, rp_id):
        return PIN


def client(device, origin="https://example.com", extensions=_DEFAULT_EXTENSIONS, collector=None):
    return Fido2Client(device, collector or DefaultClientDataCollector(origin), PinUi(), extensions)


def with_token(pin, permission, rp_id, cdh):
    token = pin.get_pin_token(PIN, permission, rp_id)
    return {"pin_uv_param": pin.protocol.authenticate(token, cdh), "pin_uv_protocol": pin.protocol.VERSION}


def test_large_blobs_by_large_blob_key(fresh):
    ctap, pin = fresh
    cdh = os.urandom(32)
    att = ctap.make_credential(cdh, RP, {"id": b"lb", "name": "lb"}, ES256, options={"rk": True},
                               extensions={"largeBlobKey": True},
                               **with_token(pin, ClientPin.PERMISSION.MAKE_CREDENTIAL, "example.com", cdh))
    key = att.large_blob_key
    assert len(key) == 32
    reader = LargeBlobs(ctap)
    assert reader.read_blob_array() == []
    assert reader.get_blob(key) is None
    with pytest.raises(CtapError) as e:
        reader.put_blob(key, b"no token")
    assert e.value.code == CtapError.ERR.PUAT_REQUIRED

    writer = LargeBlobs(ctap, pin.protocol, pin.get_pin_token(PIN, ClientPin.PERMISSION.LARGE_BLOB_WRITE))
    # Random bytes do not compress: the serialized array (~3 KB) spans several fragments of
    # maxMsgSize - 64 when maxMsgSize is small, and 2.2.1 sends `length` with the first one only.
    big = os.urandom(3000)
    writer.put_blob(key, big)
    writer.put_blob(b"\x01" * 32, b"another credential's")
    assert reader.get_blob(key) == big
    assert len(reader.read_blob_array()) == 2
    # Over maxSerializedLargeBlobArray (4096): refused whole, the array stays.
    with pytest.raises(CtapError) as e:
        writer.put_blob(b"\x02" * 32, os.urandom(1500))
    assert e.value.code == CtapError.ERR.LARGE_BLOB_STORAGE_FULL
    assert reader.get_blob(key) == big
    writer.delete_blob(key)
    assert reader.get_blob(key) is None
    assert len(reader.read_blob_array()) == 1


def test_large_blob_write_in_small_fragments(fresh):
    """A key with maxMsgSize 7609 takes 3 KB in one fragment: write it as a 1024-byte-message host would."""
    ctap, pin = fresh
    writer = LargeBlobs(ctap, pin.protocol, pin.get_pin_token(PIN, ClientPin.PERMISSION.LARGE_BLOB_WRITE))
    writer.max_fragment_length = 960
    data = os.urandom(2500)
    writer.put_blob(b"\x03" * 32, data)
    reader = LargeBlobs(ctap)
    reader.max_fragment_length = 700
    assert reader.get_blob(b"\x03" * 32) == data


def test_cred_blob(fresh):
    ctap, pin = fresh
    assert ctap.info.max_cred_blob_length == 32
    blob = b"32 bytes of credBlob, at most.!!"
    cdh = os.urandom(32)
    att = ctap.make_credential(cdh, RP, {"id": b"cb", "name": "cb"}, ES256, options={"rk": True},
                               extensions={"credBlob": blob},
                               **with_token(pin, ClientPin.PERMISSION.MAKE_CREDENTIAL, "example.com", cdh))
    assert att.auth_data.extensions == {"credBlob": True}
    cdh = os.urandom(32)
    got = ctap.get_assertion("example.com", cdh, extensions={"getCredBlob": True},
                             **with_token(pin, ClientPin.PERMISSION.GET_ASSERTION, "example.com", cdh))
    assert got.auth_data.extensions["credBlob"] == blob
    # One byte over maxCredBlobLength: made, not stored, credBlob false (CTAP 2.1 §12.2). (2.2.1's
    # Fido2Client drops such a blob itself, so this goes through Ctap2.)
    cdh = os.urandom(32)
    att = ctap.make_credential(cdh, RP, {"id": b"cb2", "name": "cb2"}, ES256, options={"rk": True},
                               extensions={"credBlob": b"x" * 33},
                               **with_token(pin, ClientPin.PERMISSION.MAKE_CREDENTIAL, "example.com", cdh))
    assert att.auth_data.extensions == {"credBlob": False}
    cdh = os.urandom(32)
    got = ctap.get_assertion("example.com", cdh, [{"type": "public-key", "id": att.auth_data.credential_data.credential_id}],
                             extensions={"getCredBlob": True},
                             **with_token(pin, ClientPin.PERMISSION.GET_ASSERTION, "example.com", cdh))
    assert got.auth_data.extensions["credBlob"] == b""


def test_min_pin_length_for_named_rp_ids(fresh):
    ctap, pin = fresh
    token = pin.get_pin_token(PIN, ClientPin.PERMISSION.AUTHENTICATOR_CFG)
    Config(ctap, pin.protocol, token).set_min_pin_length(min_pin_length=6, rp_ids=["example.com"])
    assert Ctap2(ctap.device).get_info().min_pin_length == 6
    outputs = {}
    for rp in ["example.com", "other.example"]:
        reg = client(ctap.device, "https://" + rp).make_credential({
            "rp": {"id": rp, "name": rp}, "user": {"id": b"m", "name": "m"}, "challenge": os.urandom(32),
            "pubKeyCredParams": ES256, "authenticatorSelection": {"userVerification": "required"},
            "extensions": {"minPinLength": True},
        })
        outputs[rp] = reg.response.attestation_object.auth_data.extensions or {}
    assert outputs["example.com"] == {"minPinLength": 6}
    assert "minPinLength" not in outputs["other.example"]
    # A PIN under the new minimum is refused.
    with pytest.raises(CtapError) as e:
        pin.change_pin(PIN, "12345")
    assert e.value.code == CtapError.ERR.PIN_POLICY_VIOLATION


def test_cred_protect_uv_required(fresh):
    ctap, pin = fresh
    reg = client(ctap.device).make_credential({
        "rp": RP, "user": {"id": b"cp", "name": "cp"}, "challenge": os.urandom(32), "pubKeyCredParams": ES256,
        "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
        "extensions": {"credentialProtectionPolicy": "userVerificationRequired",
                       "enforceCredentialProtectionPolicy": True},
    })
    auth_data = reg.response.attestation_object.auth_data
    assert auth_data.extensions == {"credProtect": 3}
    cred_id = auth_data.credential_data.credential_id
    cdh = os.urandom(32)
    for allow in (None, [{"type": "public-key", "id": cred_id}]):  # without UV it is not there at all
        with pytest.raises(CtapError) as e:
            ctap.get_assertion("example.com", cdh, allow)
        assert e.value.code == CtapError.ERR.NO_CREDENTIALS
    got = ctap.get_assertion("example.com", cdh, **with_token(pin, ClientPin.PERMISSION.GET_ASSERTION,
                                                                "example.com", cdh))
    assert got.credential["id"] == cred_id
    got.verify(cdh, auth_data.credential_data.public_key)


def test_prf_at_registration_on_hmac_secret_mc(fresh):
    ctap, pin = fresh
    assert "hmac-secret-mc" in ctap.info.extensions
    server = Fido2Server(PublicKeyCredentialRpEntity(id="example.com", name="Example"))
    options, state = server.register_begin({"id": b"prf", "name": "prf"}, resident_key_requirement="required",
                                           user_verification="required")
    salts = {"first": b"\x01" * 32, "second": b"\x02" * 32}
    pk = replace(options.public_key, extensions={"prf": {"eval": salts}})
    reg = client(ctap.device).make_credential(pk)
    prf = reg.client_extension_results["prf"]  # JSON form: outputs in base64url
    assert prf["enabled"] is True
    first, second = websafe_decode(prf["results"]["first"]), websafe_decode(prf["results"]["second"])
    assert len(first) == 32 and len(second) == 32 and first != second
    auth_data = server.register_complete(state, reg)
    creds = [auth_data.credential_data]

    req, state = server.authenticate_begin(creds, user_verification="required")
    pk = replace(req.public_key, extensions={"prf": {"eval": salts}})
    result = client(ctap.device).get_assertion(pk).get_response(0)
    server.authenticate_complete(state, creds, result)
    # The same salts with UV give at getAssertion what hmac-secret-mc gave at makeCredential.
    results = result.client_extension_results["prf"]["results"]
    assert websafe_decode(results["first"]) == first
    assert websafe_decode(results["second"]) == second


def test_third_party_payment(fresh):
    ctap, pin = fresh
    assert "thirdPartyPayment" in ctap.info.extensions
    extensions = [*_DEFAULT_EXTENSIONS, ThirdPartyPaymentExtension()]
    collector = PaymentClientDataCollector("https://bank.example")
    c = Fido2Client(ctap.device, collector, PinUi(), extensions)
    reg = c.make_credential({
        "rp": {"id": "bank.example", "name": "Bank"}, "user": {"id": b"pay", "name": "pay"},
        "challenge": os.urandom(32), "pubKeyCredParams": ES256,
        "authenticatorSelection": {"authenticatorAttachment": AuthenticatorAttachment.CROSS_PLATFORM,
                                   "residentKey": "required", "userVerification": "required"},
        "extensions": {"payment": {"isPayment": True}},
    })
    auth_data = reg.response.attestation_object.auth_data
    # CTAP 2.2 §12.9: no authenticator output at makeCredential; the flag is kept with the credential.
    assert not auth_data.extensions
    cred = auth_data.credential_data
    cm = CredentialManagement(ctap, pin.protocol, pin.get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT))
    (listed,) = cm.enumerate_creds(PublicKeyCredentialRpEntity(id="bank.example", name="Bank").id_hash)
    assert listed[CredentialManagement.RESULT.THIRD_PARTY_PAYMENT] is True

    payment = {"isPayment": True, "rpId": "bank.example", "topOrigin": "https://shop.example",
               "payeeOrigin": "https://shop.example", "total": {"currency": "EUR", "value": "1.00"},
               "instrument": {"displayName": "Card", "icon": "https://bank.example/card.png"}}
    request = {"challenge": os.urandom(32), "rpId": "bank.example", "userVerification": "required",
               "allowCredentials": [{"type": "public-key", "id": cred.credential_id}]}
    # From another origin (the merchant's), as Secure Payment Confirmation does.
    merchant = Fido2Client(ctap.device, PaymentClientDataCollector("https://shop.example"), PinUi(), extensions)
    result = merchant.get_assertion({**request, "extensions": {"payment": payment}}).get_response(0)
    assert result.response.client_data.type == "payment.get"
    assert result.response.authenticator_data.extensions == {"thirdPartyPayment": True}
    cred.public_key.verify(result.response.authenticator_data + result.response.client_data.hash,
                           result.response.signature)
    # Not asked: not reported.
    plain = c.get_assertion(request).get_response(0)
    assert "thirdPartyPayment" not in (plain.response.authenticator_data.extensions or {})
    # A credential made without it says false when asked.
    other = c.make_credential({
        "rp": {"id": "bank.example", "name": "Bank"}, "user": {"id": b"nopay", "name": "nopay"},
        "challenge": os.urandom(32), "pubKeyCredParams": ES256,
        "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
    }).response.attestation_object.auth_data.credential_data
    asked = merchant.get_assertion({**request, "allowCredentials": [{"type": "public-key", "id": other.credential_id}],
                                    "extensions": {"payment": payment}}).get_response(0)
    assert asked.response.authenticator_data.extensions == {"thirdPartyPayment": False}

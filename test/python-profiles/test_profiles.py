"""Each device profile as python-fido2 0.9.1 sees it: its getInfo (parsed, canonical CBOR checked),
and the behaviour its getInfo promises: rk refused, CTAP 2.1 commands refused on a FIDO 2.0 key, a
U2F-only key that hosts fall back to U2F on, no PIN, a token from the built-in UV, fingers enrolled,
renamed and removed on the key that enrolls them (python-fido2's FPBioEnrollment)."""
from hashlib import sha256

import pytest
from fido2.ctap import CtapError
from fido2.ctap1 import Ctap1
from fido2.ctap2 import Ctap2, ClientPin, CredentialManagement
from fido2.ctap2.bio import FPBioEnrollment
from fido2.hid import CAPABILITY

from test_u2f import polling  # test/python, on the path (conftest.py)

RP = {"id": "example.com", "name": "Example"}
USER = {"id": b"\x01", "name": "alice"}
ES256 = [{"type": "public-key", "alg": -7}]
CDH = b"\x07" * 32
PIN = "1234"


def make(ctap, **kw):
    return ctap.make_credential(CDH, RP, USER, ES256, **kw)


def test_get_info(device, profile, expect):
    if not expect["ctap2"]:
        assert not device.capabilities & CAPABILITY.CBOR
        with pytest.raises(ValueError, match="does not support CTAP2"):
            Ctap2(device)
        return
    info = Ctap2(device).info
    assert info.versions == expect["versions"]
    assert info.extensions == expect["extensions"]
    assert info.aaguid.hex() == expect["aaguid"]
    assert info.max_msg_size == expect["maxMsgSize"]
    assert info.pin_uv_protocols == expect["pinUvAuthProtocols"]
    assert info.options["rk"] is expect["rk"]
    assert ("clientPin" in info.options) is expect["clientPin"]
    assert info.options.get("uv", False) is expect["uv"]
    assert info.options.get("pinUvAuthToken", False) is expect["pinUvAuthToken"]
    # bioEnroll present (true: a finger is enrolled) only on a key that enrolls fingers.
    assert ("bioEnroll" in info.options) is expect["bioEnroll"]


def test_u2f_register_and_authenticate(device, profile, expect):
    """U2F works on every profile: it is the fallback a host takes when CTAP2 is missing."""
    app = sha256(b"example.com").digest()
    ctap1 = Ctap1(device)
    reg = polling(ctap1.register, CDH, app)
    reg.verify(app, CDH)
    sig = polling(ctap1.authenticate, CDH, app, reg.key_handle)
    sig.verify(app, CDH, reg.public_key)


def test_behaviour(device, profile, expect):
    if not expect["ctap2"]:
        return
    ctap = Ctap2(device)
    if not expect["rk"]:
        with pytest.raises(CtapError) as e:
            make(ctap, options={"rk": True})
        assert e.value.code == CtapError.ERR.UNSUPPORTED_OPTION
        assert make(ctap).auth_data.credential_data is not None
    if not expect["clientPin"]:
        with pytest.raises(ValueError, match="does not support ClientPin"):
            ClientPin(ctap)
        with pytest.raises(CtapError) as e:
            ctap.client_pin(1, 1)
        assert e.value.code == CtapError.ERR.INVALID_COMMAND
        return
    if not expect["pinUvAuthToken"]:
        # CTAP 2.0 §5.1 step 6: with a PIN set, no credential without it.
        with pytest.raises(CtapError) as e:
            make(ctap)
        assert e.value.code == CtapError.ERR.PIN_REQUIRED
    pin = ClientPin(ctap)
    assert pin.protocol.VERSION == max(expect["pinUvAuthProtocols"])
    if expect["uv"]:
        # The built-in UV gives the token (python-fido2's GET_TOKEN_USING_UV).
        token = pin.get_uv_token(ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    else:
        # test/conformance/profiles.test.ts set the PIN on every key that takes one.
        token = pin.get_pin_token(PIN, ClientPin.PERMISSION.MAKE_CREDENTIAL, RP["id"])
    att = make(ctap, options={"rk": expect["rk"]}, pin_uv_param=pin.protocol.authenticate(token, CDH), pin_uv_protocol=pin.protocol.VERSION)
    assert att.auth_data.is_user_verified()
    if "FIDO_2_1" not in expect["versions"] and "FIDO_2_1_PRE" not in expect["versions"]:
        # A FIDO 2.0 key: the CTAP 2.1 commands are unknown ones.
        for cmd in [0x0A, 0x0B, 0x0C, 0x0D, 0x41]:
            with pytest.raises(CtapError) as e:
                ctap.send_cbor(cmd, {1: 1})
            assert e.value.code == CtapError.ERR.INVALID_COMMAND
    elif ctap.info.options.get("credMgmt") or ctap.info.options.get("credentialMgmtPreview"):
        # On a 2.1-preview key (no pinUvAuthToken) the getPinToken token manages credentials too.
        cm_token = pin.get_pin_token(PIN, ClientPin.PERMISSION.CREDENTIAL_MGMT)
        assert CredentialManagement(ctap, pin.protocol, cm_token).get_metadata()[CredentialManagement.RESULT.EXISTING_CRED_COUNT] >= 1


def test_bio_enrollment(device, profile, expect):
    """CTAP 2.1 §6.7 through python-fido2's FPBioEnrollment, with a PIN token with the be permission."""
    if not expect["bioEnroll"]:
        return
    ctap = Ctap2(device)
    assert ctap.info.options["bioEnroll"] is True  # the bio profile starts with "finger 1"
    pin = ClientPin(ctap)
    token = pin.get_pin_token(PIN, ClientPin.PERMISSION.BIO_ENROLL)
    bio = FPBioEnrollment(ctap, pin.protocol, token)
    sensor = bio.get_fingerprint_sensor_info()
    assert sensor[FPBioEnrollment.RESULT.FINGERPRINT_KIND] == 1
    samples = sensor[FPBioEnrollment.RESULT.MAX_SAMPLES_REQUIRED]
    assert samples >= 1
    before = bio.enumerate_enrollments()
    assert list(before.values()) == ["finger 1"]
    enrollment = bio.enroll()
    template, captures = None, 0
    while template is None:
        template = enrollment.capture()
        captures += 1
    assert captures == samples
    bio.set_name(template, "right index")
    assert bio.enumerate_enrollments() == {**before, template: "right index"}
    bio.remove_enrollment(template)
    assert bio.enumerate_enrollments() == before
    with pytest.raises(CtapError) as e:
        bio.remove_enrollment(template)
    assert e.value.code == CtapError.ERR.INVALID_OPTION
    # With a finger enrolled, the built-in UV gives tokens (this one replaces the be token).
    pin.get_uv_token(ClientPin.PERMISSION.GET_ASSERTION, RP["id"])

"""getInfo's CTAP 2.2/2.3 members as python-fido2 2.2.1's Info parses them (Ctap2 also insists on
canonical CBOR), and authenticatorConfig's enableLongTouchForReset through 2.2.1's Config."""
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.config import Config
from fido2.ctap2.pin import ClientPin

import pytest

from conftest import PIN


def test_versions_options_and_2_2_members(device):
    info = Ctap2(device).get_info()
    assert "FIDO_2_3" in info.versions
    assert "FIDO_2_2" not in info.versions  # 2.3 supersedes it; the key claims one 2.x version beyond 2.1
    assert {"FIDO_2_0", "FIDO_2_1"} <= set(info.versions)
    assert info.options["perCredMgmtRO"] is True
    assert info.options["credMgmt"] is True
    assert info.options["authnrCfg"] is True
    assert info.attestation_formats == ["packed"]
    assert info.max_pin_length == 63
    assert info.transports_for_reset == ["usb"]
    assert info.authenticator_config_commands == [
        Config.CMD.ENABLE_ENTERPRISE_ATT, Config.CMD.TOGGLE_ALWAYS_UV, Config.CMD.SET_MIN_PIN_LENGTH, 0x04,
    ]
    assert info.pin_complexity_policy is False
    assert info.long_touch_for_reset is False
    # encIdentifier / encCredStoreState: IV (16) || AES-128-CBC of 16 bytes.
    assert len(info.enc_identifier) == 32
    assert len(info.enc_cred_store_state) == 32
    # Fresh IVs: the same plaintext does not give the same bytes twice.
    again = Ctap2(device).get_info()
    assert again.enc_identifier != info.enc_identifier
    assert again.enc_cred_store_state != info.enc_cred_store_state


def test_no_uv_count_without_built_in_uv(fresh):
    """uvCountSinceLastPinEntry (0x17) counts built-in UV attempts: this key (serve without --uv) has none."""
    ctap, pin = fresh
    info = ctap.get_info()
    assert info.options["clientPin"] is True and "uv" not in info.options
    assert info.uv_count_since_pin is None


def test_enable_long_touch_for_reset(fresh):
    """Config subcommand 0x04 (CTAP 2.2 enableLongTouchForReset): 2.2.1's Config has no method for it,
    but lets any subcommand getInfo lists through its MACed _call."""
    ctap, pin = fresh
    with pytest.raises(CtapError) as e:
        Config(ctap)._call(0x04)  # no pinUvAuthParam on a key with a PIN
    assert e.value.code == CtapError.ERR.PUAT_REQUIRED
    token = pin.get_pin_token(PIN, ClientPin.PERMISSION.AUTHENTICATOR_CFG)
    Config(ctap, pin.protocol, token)._call(0x04)
    assert ctap.get_info().long_touch_for_reset is True

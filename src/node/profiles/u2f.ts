// A U2F-only key (FIDO U2F, 2014-2018 keys such as the first Security Keys): CTAPHID INIT reports
// no CBOR capability (FIDO U2F HID Protocol v1.2 §4.1.1: CAPFLAG_WINK only), CTAPHID_CBOR is an
// unknown command, so hosts fall back to U2F. Registration attests with ctap-emu's own certificate.
import { uuid, type DeviceProfile } from './types.js';

export const u2f: DeviceProfile = {
  name: 'u2f',
  description: 'U2F only: no CTAP2 (INIT without CBOR); register and authenticate over CTAPHID_MSG',
  source: 'FIDO U2F HID Protocol v1.2 §4.1 (capabilities); FIDO U2F Raw Message Formats v1.2',
  ctap2: false,
  config: { aaguid: uuid('a3865a34-1859-412b-91a0-201e59430728') },
};

// pinUvAuthToken permissions (CTAP 2.1 §6.5.5.7; pcmr, persistent credential management read-only,
// CTAP 2.2): the bits a host asks for and the key checks.
export const Permission = { mc: 0x01, ga: 0x02, cm: 0x04, be: 0x08, lbw: 0x10, acfg: 0x20, pcmr: 0x40 } as const;

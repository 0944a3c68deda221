// CTAPHID numbers (CTAP 2.1 §11.2): commands, error codes, capabilities, sizes.

export const REPORT_SIZE = 64;
export const INIT_DATA = REPORT_SIZE - 7; // 57 payload bytes in an initialization packet
export const CONT_DATA = REPORT_SIZE - 5; // 59 in a continuation packet
/** 57 + 128 * 59: the most one message can carry. */
export const MAX_MESSAGE = INIT_DATA + 128 * CONT_DATA;
export const BROADCAST_CID = 0xffffffff;

export const HidCmd = {
  PING: 0x01,
  MSG: 0x03,
  LOCK: 0x04,
  INIT: 0x06,
  WINK: 0x08,
  CBOR: 0x10,
  CANCEL: 0x11,
  KEEPALIVE: 0x3b,
  ERROR: 0x3f,
} as const;

export const HidError = {
  INVALID_CMD: 0x01,
  INVALID_PAR: 0x02,
  INVALID_LEN: 0x03,
  INVALID_SEQ: 0x04,
  MSG_TIMEOUT: 0x05,
  CHANNEL_BUSY: 0x06,
  LOCK_REQUIRED: 0x0a,
  INVALID_CHANNEL: 0x0b,
  OTHER: 0x7f,
} as const;

export const Capability = { WINK: 0x01, CBOR: 0x04, NMSG: 0x08 } as const;

export const CTAPHID_PROTOCOL_VERSION = 2;

const errorNames = new Map<number, string>(Object.entries(HidError).map(([k, v]) => [v, `ERR_${k}`]));
export function hidErrorName(code: number): string {
  return errorNames.get(code) ?? `0x${code.toString(16)}`;
}

const cmdNames = new Map<number, string>(Object.entries(HidCmd).map(([k, v]) => [v, k]));
export function hidCmdName(cmd: number): string {
  return cmdNames.get(cmd) ?? `0x${cmd.toString(16)}`;
}

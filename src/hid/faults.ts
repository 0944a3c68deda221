// Transport faults for tests (CtapHidDeviceOptions.faults): what the device does with one message
// instead of, or around, answering it. Chosen outside (node/faults); applied in device.ts.

export interface HidFault {
  /** Answer ERR_CHANNEL_BUSY at once, as a key busy with another host would. */
  busy?: boolean;
  /** Take the message and never answer it (nor send keepalives): the host must time out. */
  noAnswer?: boolean;
  /** Wait this long before handling the message (keepalives go on meanwhile, unless dropped). */
  delayMs?: number;
  /** No keepalives while the request runs, or the first (and each next) only after this long. */
  keepalive?: 'drop' | { intervalMs: number };
}

/** Consulted once per complete message before it is handled; undefined: no fault. */
export type HidFaultHook = (message: { cid: number; cmd: number; data: Uint8Array }) => HidFault | undefined;

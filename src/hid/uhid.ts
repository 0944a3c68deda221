// Linux uhid transport: a virtual USB HID device (usage page 0xF1D0) backed by this process, which
// the kernel exposes as /dev/hidrawN to browsers, libfido2 and python-fido2 (see linux/uhid.h).
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { REPORT_SIZE } from './constants.js';

/** FIDO usage page 0xF1D0, usage 0x01 (CTAPHID); 64-byte input and output reports, no report ID. */
export const FIDO_REPORT_DESCRIPTOR = new Uint8Array([
  0x06, 0xd0, 0xf1, 0x09, 0x01, 0xa1, 0x01,
  0x09, 0x20, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x40, 0x81, 0x02,
  0x09, 0x21, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x40, 0x91, 0x02,
  0xc0,
]);

const UHID = { DESTROY: 1, START: 2, STOP: 3, OPEN: 4, CLOSE: 5, OUTPUT: 6, GET_REPORT: 9, GET_REPORT_REPLY: 10, CREATE2: 11, INPUT2: 12, SET_REPORT: 13, SET_REPORT_REPLY: 14 } as const;
const BUS_USB = 0x03;
const DATA_MAX = 4096;
/** sizeof(struct uhid_event): the type and the largest request, uhid_create2_req. */
const EVENT_SIZE = 4 + 128 + 64 + 64 + 2 + 2 + 4 * 4 + 4096;
const EIO = 5;

export const DEFAULT_UHID_PATH = '/dev/uhid';

export class UhidError extends Error {}

/** Why /dev/uhid cannot be used, in words that say what to do; undefined when it can. */
export function explainOpenError(e: NodeJS.ErrnoException, path: string): string {
  if (e.code === 'ENOENT') {
    return `${path} does not exist: load the uhid module (sudo modprobe uhid; to load it at boot: echo uhid | sudo tee /etc/modules-load.d/uhid.conf)`;
  }
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return `${path} is not writable by this user: run as root, or give a group access with a udev rule ` +
      `(KERNEL=="uhid", GROUP="uhid", MODE="0660" in /etc/udev/rules.d/90-uhid.rules, then add yourself to that group)`;
  }
  return `cannot open ${path}: ${e.message}`;
}

export interface UhidOptions {
  path?: string;
  name?: string;
  vendor?: number;
  product?: number;
  /** The device's serial number (uhid's uniq; HID_UNIQ): sets apart keys of one vendor and product. */
  serial?: string;
  /** Each 64-byte output report the host writes to the hidraw node. */
  onReport(report: Uint8Array): void;
}

/** How long to wait before asking again when no event is queued (ms). */
const IDLE_POLL_MS = 2;
/** Events read in one go before other work gets a turn (a whole 7609-byte message is 129 reports). */
const MAX_EVENTS_PER_TURN = 256;

export class UhidDevice {
  private closed = false;
  private readonly buf = Buffer.alloc(EVENT_SIZE);

  private constructor(private readonly fd: number, private readonly onEvent: (ev: Buffer) => void) {
    this.poll();
  }

  /**
   * Reads the events queued on the non-blocking fd back to back, on this thread: each read returns
   * one event or EAGAIN at once, so no thread is ever parked in read() (a blocked read would outlive
   * close() and hold the process); an empty queue is asked again after IDLE_POLL_MS. One read per
   * thread-pool round trip, as before, let a process starved of CPU read a message's reports so
   * late that its MSG_TIMEOUT came first, though the host had sent them all in time.
   */
  private poll(): void {
    for (let i = 0; i < MAX_EVENTS_PER_TURN; i++) {
      if (this.closed) return;
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, EVENT_SIZE, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') setTimeout(() => this.poll(), IDLE_POLL_MS).unref();
        return; // any other error: the device is gone
      }
      if (n === 0) return void setTimeout(() => this.poll(), IDLE_POLL_MS).unref(); // not a uhid node (a test's file): nothing queued
      this.onEvent(Buffer.from(this.buf.subarray(0, n)));
    }
    setImmediate(() => this.poll()); // more queued: the rest after other work has had its turn
  }

  static create(options: UhidOptions): UhidDevice {
    const path = options.path ?? DEFAULT_UHID_PATH;
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (e) {
      throw new UhidError(explainOpenError(e as NodeJS.ErrnoException, path));
    }
    let dev: UhidDevice | undefined;
    const onEvent = (ev: Buffer): void => dev?.event(ev, options.onReport);
    try {
      writeSync(fd, create2(options));
    } catch (e) {
      closeSync(fd);
      throw new UhidError(`${path}: creating the device failed: ${(e as Error).message}`);
    }
    dev = new UhidDevice(fd, onEvent);
    return dev;
  }

  private event(ev: Buffer, onReport: (r: Uint8Array) => void): void {
    // Each read returns one event; a chunk may still hold several if the stream coalesced them.
    for (let off = 0; off + 4 <= ev.length; off += EVENT_SIZE) {
      const type = ev.readUInt32LE(off);
      if (type === UHID.OUTPUT) {
        const size = ev.readUInt16LE(off + 4 + DATA_MAX);
        let report = new Uint8Array(ev.subarray(off + 4, off + 4 + Math.min(size, DATA_MAX)));
        if (report.length === REPORT_SIZE + 1) report = report.subarray(1); // report number 0 first
        onReport(report);
      } else if (type === UHID.GET_REPORT || type === UHID.SET_REPORT) {
        // No feature reports: answer at once so the kernel does not wait for a time-out.
        const reply = Buffer.alloc(EVENT_SIZE);
        reply.writeUInt32LE(type === UHID.GET_REPORT ? UHID.GET_REPORT_REPLY : UHID.SET_REPORT_REPLY, 0);
        reply.writeUInt32LE(ev.readUInt32LE(off + 4), 4);
        reply.writeUInt16LE(EIO, 8);
        this.write(reply);
      }
      if (ev.length - off < EVENT_SIZE) break;
    }
  }

  private write(buf: Buffer): void {
    if (this.closed) return;
    try {
      writeSync(this.fd, buf);
    } catch {
      // The kernel refused one report (device going away): nothing else to do with it.
    }
  }

  /** One 64-byte input report to the host. */
  readonly send = (report: Uint8Array): void => {
    const ev = Buffer.alloc(4 + 2 + DATA_MAX);
    ev.writeUInt32LE(UHID.INPUT2, 0);
    ev.writeUInt16LE(report.length, 4);
    ev.set(report, 6);
    this.write(ev);
  };

  /** UHID_DESTROY, then the fd goes: the hidraw node disappears. */
  close(): void {
    if (this.closed) return;
    const ev = Buffer.alloc(4);
    ev.writeUInt32LE(UHID.DESTROY, 0);
    this.write(ev);
    this.closed = true;
    closeSync(this.fd);
  }
}

function create2(o: UhidOptions): Buffer {
  const ev = Buffer.alloc(EVENT_SIZE);
  ev.writeUInt32LE(UHID.CREATE2, 0);
  ev.write((o.name ?? 'ctap-emu FIDO2 security key').slice(0, 127), 4, 'utf8');
  ev.write('ctap-emu', 4 + 128, 'utf8');
  if (o.serial !== undefined) ev.write(o.serial.slice(0, 63), 4 + 128 + 64, 'utf8');
  const at = 4 + 128 + 64 + 64;
  ev.writeUInt16LE(FIDO_REPORT_DESCRIPTOR.length, at);
  ev.writeUInt16LE(BUS_USB, at + 2); // libfido2 ignores other buses
  ev.writeUInt32LE(o.vendor ?? 0x1209, at + 4);
  ev.writeUInt32LE(o.product ?? 0x5070, at + 8);
  ev.writeUInt32LE(1, at + 12);
  ev.writeUInt32LE(0, at + 16);
  ev.set(FIDO_REPORT_DESCRIPTOR, at + 20);
  return ev;
}

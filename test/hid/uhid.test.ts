// The UHID_CREATE2 event ctap-emu writes (linux/uhid.h struct uhid_create2_req), read back from a
// plain file standing in for /dev/uhid: each key of `serve --keys N` gets its own name and serial
// (uniq), which is how hosts tell two plugged-in keys apart.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIDO_REPORT_DESCRIPTOR } from '../../src/hid/uhid.js';
import { serveUhid } from '../../src/node/serve.js';
import { createKeys } from '../../src/node/keys.js';
import { keyUhid } from '../../src/cli/serveKeys.js';

const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-uhid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cString = (b: Buffer, at: number, size: number): string => b.subarray(at, at + size).toString('utf8').replace(/\0.*$/s, '');

describe('UHID_CREATE2 for several keys', () => {
  it('names each device and gives it a serial of its own; USB bus, FIDO vendor/product and report descriptor', async () => {
    const keys = createKeys(2);
    const events = keys.map((key, i) => {
      const path = join(dir, `uhid-${i}`);
      writeFileSync(path, '');
      const t = serveUhid(key, { ...keyUhid(i, 2), path });
      expect(t.description).toBe(`uhid ${path} "ctap-emu FIDO2 security key ${i}" (a USB HID device; see /dev/hidraw*)`);
      return { t, path };
    });
    for (const { t } of events) await t.close();
    keys.forEach((k) => k.close());
    const created = events.map(({ path }) => readFileSync(path));
    const at = 4 + 128 + 64 + 64;
    created.forEach((ev, i) => {
      expect(ev.readUInt32LE(0)).toBe(11); // UHID_CREATE2
      expect(cString(ev, 4, 128)).toBe(`ctap-emu FIDO2 security key ${i}`);
      expect(cString(ev, 4 + 128, 64)).toBe('ctap-emu');
      expect(cString(ev, 4 + 128 + 64, 64)).toBe(`ctap-emu-${i}`);
      expect([ev.readUInt16LE(at), ev.readUInt16LE(at + 2), ev.readUInt32LE(at + 4), ev.readUInt32LE(at + 8)])
        .toEqual([FIDO_REPORT_DESCRIPTOR.length, 0x03, 0x1209, 0x5070]);
      expect(new Uint8Array(ev.subarray(at + 20, at + 20 + FIDO_REPORT_DESCRIPTOR.length))).toEqual(FIDO_REPORT_DESCRIPTOR);
    });
  });

  it('one key keeps the name it always had, and no serial', () => {
    expect(keyUhid(0, 1)).toEqual({});
  });
});

// plugIn (a key on /dev/uhid for browser tests) where uhid cannot be used: one line saying what to do,
// nothing left open. The plugged-in path itself runs in the VM (test/vm), where the kernel has uhid.
import { describe, expect, it } from 'vitest';
import { plugIn, uhidUnavailable } from '../../src/node/plugIn.js';
import { UhidError } from '../../src/hid/uhid.js';

describe('plugIn without a usable uhid', () => {
  it('says why (no such device), as uhidUnavailable does, and throws UhidError', async () => {
    const path = '/nonexistent/uhid';
    expect(uhidUnavailable(path)).toMatch(/does not exist: load the uhid module \(sudo modprobe uhid/);
    const err = await plugIn({ uhidPath: path, store: 'memory' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UhidError);
    expect((err as Error).message).toBe(uhidUnavailable(path));
  });
});

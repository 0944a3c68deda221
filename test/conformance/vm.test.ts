// End-to-end suites in a QEMU VM with Debian's kernel (uhid, hidraw): libfido2's tools and Chromium
// against ctap-emu's uhid device, and Playwright Test in Chromium and Firefox ESR. They need
// qemu-system-x86, linux-image-amd64, busybox-static, fido2-tools, chromium, chromium-headless-shell
// and firefox-esr (.ci/run
// installs them); elsewhere they are skipped with that reason, and CTAP_EMU_SKIP_VM=1 skips them on
// purpose (each takes a minute or more under emulation).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function missingTools(tools: string[]): string[] {
  const missing = tools.filter((t) => !existsSync(t));
  if (!existsSync('/boot') || !readdirSync('/boot').some((f) => f.startsWith('vmlinuz-'))) missing.push('/boot/vmlinuz-* (linux-image-amd64)');
  return missing;
}

function run(guest: string, marker: string, timeoutS: number, memMb: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['test/vm/run-guest.sh', guest, marker, String(timeoutS), String(memMb)]);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const BASE = ['/usr/bin/qemu-system-x86_64', '/bin/busybox'];
const suites = [
  { name: 'libfido2 (fido2-token, fido2-cred, fido2-assert) and node-hid', guest: 'guest-libfido2.sh', tools: [...BASE, '/usr/bin/fido2-token'], marker: 'ALL-LIBFIDO2-STEPS-PASSED', timeoutS: 600, memMb: 3072 },
  { name: 'device profiles as libfido2 sees them (fido2-token -I; U2F fallback)', guest: 'guest-profiles.sh', tools: [...BASE, '/usr/bin/fido2-token'], marker: 'ALL-PROFILE-STEPS-PASSED', timeoutS: 600, memMb: 3072 },
  { name: 'two uhid keys at once (serve --keys 2): fido2-token -L lists both', guest: 'guest-two-keys.sh', tools: [...BASE, '/usr/bin/fido2-token'], marker: 'TWO-KEYS-LISTED', timeoutS: 300, memMb: 2048 },
  { name: 'Chromium: a passkey registered and used, verified by @simplewebauthn/server', guest: 'guest-chromium.sh', tools: [...BASE, '/usr/bin/chromium'], marker: 'CHROMIUM-PASSKEY-VERIFIED', timeoutS: 900, memMb: 4096 },
  { name: 'Chromium with two keys: the passkey on the one that verifies, the other CANCELled', guest: 'guest-chromium-two-keys.sh', tools: [...BASE, '/usr/bin/chromium'], marker: 'CHROMIUM-TWO-KEYS-PASSKEY-ON-KEY-1', timeoutS: 900, memMb: 4096 },
  { name: "Playwright Test: README's example (ctap-emu/playwright) in Chromium, its headless shell and Firefox ESR", guest: 'guest-playwright.sh', tools: [...BASE, '/usr/bin/chromium', '/usr/bin/chromium-headless-shell', '/usr/bin/firefox-esr'], marker: 'PLAYWRIGHT-CHROMIUM-FIREFOX-PASSED', timeoutS: 1500, memMb: 4096 },
];

for (const suite of suites) {
  const missing = missingTools(suite.tools);
  const skip = process.env.CTAP_EMU_SKIP_VM === '1' || (missing.length > 0 && !process.env.CI);
  if (skip) console.warn(`skipping the VM suite "${suite.name}": ${process.env.CTAP_EMU_SKIP_VM === '1' ? 'CTAP_EMU_SKIP_VM=1' : `missing ${missing.join(', ')}`}`);
  describe.skipIf(skip)(`in a VM: ${suite.name}`, () => {
    it('passes every step against /dev/hidraw0 backed by ctap-emu serve --transport uhid', async () => {
      expect(missing, 'tools the VM suite needs').toEqual([]);
      const { code, output } = await run(suite.guest, suite.marker, suite.timeoutS, suite.memMb);
      expect(output).toContain(suite.marker);
      expect(code, output).toBe(0);
    }, (suite.timeoutS + 60) * 1000);
  });
}

// `ctap-emu bio` against `serve --profile bio` over UDP, as a user runs them: the sensor, the finger
// the key starts with, a finger enrolled (its samples said on stderr), renamed and removed; and the
// refusals in words (a key without such a sensor, a bad template ID, no such finger).
import { beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, requireBuiltCli, runCli, serveUdpCli } from '../helpers/serveProcess.js';

beforeAll(requireBuiltCli);
const PIN = cliEnv({ CTAP_EMU_PIN: '1234' });

describe('ctap-emu bio', () => {
  it('info, list, enroll, rename, remove on a bio key', async () => {
    const s = await serveUdpCli(['--memory', '--profile', 'bio', '--pin', '1234']);
    const key = ['--udp', `127.0.0.1:${s.port}`];
    const info = await runCli(['bio', 'info', ...key]);
    expect(info.stdout).toBe('fingerprint sensor: touch; 4 samples per finger; names up to 64 bytes\n');
    const listed = await runCli(['bio', 'list', ...key, '--json'], PIN);
    const [first] = JSON.parse(listed.stdout) as { templateId: string; name: string }[];
    expect(first!.name).toBe('finger 1');
    const enrolled = await runCli(['bio', 'enroll', ...key, '--name', 'left thumb', '--json'], PIN);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(enrolled.stderr).toBe('touch the sensor\n' + [3, 2, 1].map((n) => `good sample; ${n} more: touch the sensor again\n`).join('') + 'good sample; done\n');
    const { templateId } = JSON.parse(enrolled.stdout) as { templateId: string };
    expect((await runCli(['bio', 'list', ...key], PIN)).stdout).toMatch(new RegExp(`${templateId}\\s+left thumb`));
    expect((await runCli(['bio', 'rename', templateId, 'right thumb', ...key], PIN)).stdout).toBe(`renamed ${templateId}: right thumb\n`);
    expect((await runCli(['bio', 'remove', templateId, ...key], PIN)).stdout).toBe(`removed ${templateId}\n`);
    const gone = await runCli(['bio', 'remove', templateId, ...key], PIN);
    expect(gone).toMatchObject({ code: 1, stderr: 'ctap-emu: no finger with this template ID is enrolled (`ctap-emu bio list`)\n' });
    const bad = await runCli(['bio', 'remove', 'xyz', ...key], PIN);
    expect(bad).toMatchObject({ code: 2, stderr: 'ctap-emu: a template ID is hex (as `ctap-emu bio list` shows it), got "xyz"\n' });
    const wrong = await runCli(['bio', 'list', ...key, '--pin', '9999']);
    expect(wrong).toMatchObject({ code: 1, stderr: 'ctap-emu: wrong PIN\n' });
  }, 60_000);

  it('a key without a sensor that enrolls: one line', async () => {
    const s = await serveUdpCli(['--memory']);
    const r = await runCli(['bio', 'list', '--udp', `127.0.0.1:${s.port}`], PIN);
    expect(r).toMatchObject({ code: 1, stderr: 'ctap-emu: this key enrolls no fingers (getInfo has no bioEnroll option)\n' });
  }, 30_000);
});

// `ctap-emu reset`: authenticatorReset, which deletes every credential and the PIN.
import { sendReboot } from '../hid/udp.js';
import { CtapError, Status } from '../ctap/status.js';
import { CliError, confirmOrStop, isRemote, parseHostPort, remoteName, storePath, withKey, type KeyOptions } from './common.js';

export async function reset(o: KeyOptions & { yes?: boolean }): Promise<void> {
  const target = isRemote(o) ? `the key on ${remoteName(o)}` : `the keystore ${storePath(o)}`;
  await confirmOrStop(`Reset ${target}? Every passkey on it and its PIN will be gone.`, 'not reset', o.yes);
  if (o.udp !== undefined) {
    // Reset is only accepted just after power-up: restart the emulated key first.
    const { host, port } = parseHostPort(o.udp);
    await sendReboot(host, port);
    await new Promise((r) => setTimeout(r, 100));
  }
  await withKey(o, (ctap, key) => {
    // The user confirmed: the key on their keystore approves it (auto-approval alone would not).
    if (key) key.allowReset = true;
    return ctap.reset();
  }).catch((e: unknown) => {
    if (e instanceof CtapError && e.status === Status.CTAP2_ERR_OPERATION_DENIED) {
      throw new CliError(`the key refused the reset (no touch${o.udp !== undefined ? '; a `ctap-emu serve` on a keystore file approves one only with --allow-reset' : ''})`);
    }
    if (e instanceof CtapError && e.status === Status.CTAP2_ERR_NOT_ALLOWED) throw new CliError('the key refused: reset is allowed only just after power-up');
    throw e;
  });
  process.stdout.write(`reset ${target}\n`);
}

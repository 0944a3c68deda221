// `ctap-emu pin set|change|status`, through the key's own clientPIN (so retries count as on a real key).
import { ClientPin } from '../client/clientPin.js';
import type { Ctap2Client } from '../client/ctap2.js';
import { Status } from '../ctap/status.js';
import { askSecret, CliError, ctapErrorAsCli, PIN_MESSAGES, printJson, withKey, type KeyOptions } from './common.js';

const PIN_COMMAND_MESSAGES = {
  ...PIN_MESSAGES,
  [Status.CTAP2_ERR_PIN_POLICY_VIOLATION]: 'the new PIN breaks the policy (too short for minPINLength, over 63 bytes, or unchanged when a change is forced)',
  [Status.CTAP2_ERR_NOT_ALLOWED]: 'a PIN is already set: use `ctap-emu pin change`',
  [Status.CTAP2_ERR_PIN_NOT_SET]: 'no PIN is set: use `ctap-emu pin set`',
};
const pinError = (e: unknown): never => ctapErrorAsCli(e, PIN_COMMAND_MESSAGES);

async function clientPin(ctap: Ctap2Client): Promise<ClientPin> {
  return new ClientPin(ctap, (await ctap.getInfo()).pinUvAuthProtocols);
}

async function newPin(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const a = await askSecret('New PIN: ');
  if ((await askSecret('Again: ')) !== a) throw new CliError('the two PINs differ');
  return a;
}

export async function pinSet(o: KeyOptions & { newPin?: string }): Promise<void> {
  const pin = await newPin(o.newPin);
  await withKey(o, async (ctap) => (await clientPin(ctap)).setPin(pin)).catch(pinError);
  process.stdout.write('PIN set\n');
}

export async function pinChange(o: KeyOptions & { pin?: string; newPin?: string }): Promise<void> {
  const old = o.pin ?? (await askSecret('Current PIN: '));
  const pin = await newPin(o.newPin);
  await withKey(o, async (ctap) => (await clientPin(ctap)).changePin(old, pin)).catch(pinError);
  process.stdout.write('PIN changed\n');
}

export async function pinStatus(o: KeyOptions & { json?: boolean }): Promise<void> {
  const status = await withKey(o, async (ctap) => {
    const info = await ctap.getInfo();
    const retries = await (await clientPin(ctap)).getPinRetries();
    return {
      pinSet: info.options.clientPin === true,
      retries: retries.retries,
      powerCycleNeeded: retries.powerCycleState,
      minPINLength: info.minPINLength,
      forcePINChange: info.forcePINChange === true,
    };
  });
  if (o.json) return printJson(status);
  process.stdout.write(status.pinSet
    ? `PIN set; ${status.retries} retries left${status.powerCycleNeeded ? ' (power cycle needed before the next try)' : ''}` +
      `${status.forcePINChange ? '; must be changed before use' : ''}; minimum length ${status.minPINLength}\n`
    : `no PIN set; minimum length ${status.minPINLength}\n`);
}

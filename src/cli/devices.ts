// `ctap-emu devices`: the FIDO security keys the operating system shows.
import { listFidoDevices } from '../hid/nodehid.js';
import { CliError, printJson, printTable } from './common.js';

export async function devices(o: { json?: boolean }): Promise<void> {
  const list = await listFidoDevices().catch((e: Error) => {
    throw new CliError(e.message);
  });
  if (o.json) return printJson(list);
  if (list.length === 0) {
    process.stderr.write('no FIDO devices (on Linux: is the key plugged in, and is /dev/hidraw* readable by you?)\n');
    return;
  }
  const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
  await printTable(['PATH', 'VENDOR', 'PRODUCT', 'NAME'], list.map((d) => [d.path, hex(d.vendorId), hex(d.productId), [d.manufacturer, d.product].filter(Boolean).join(' ')]));
}

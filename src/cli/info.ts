// `ctap-emu info`: a key's authenticatorGetInfo, for people or as JSON.
import { Ctap2Client, type AuthenticatorInfo } from '../client/ctap2.js';
import { CtapHidHost } from '../hid/host.js';
import { connectUdp } from '../hid/udp.js';
import { toHex } from '../util/bytes.js';

export function formatAaguid(a: Uint8Array): string {
  const h = toHex(a);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function describeInfo(info: AuthenticatorInfo): Record<string, unknown> {
  return {
    versions: info.versions,
    extensions: info.extensions,
    aaguid: formatAaguid(info.aaguid),
    options: info.options,
    maxMsgSize: info.maxMsgSize,
    pinUvAuthProtocols: info.pinUvAuthProtocols,
    maxCredentialCountInList: info.maxCredentialCountInList,
    maxCredentialIdLength: info.maxCredentialIdLength,
    transports: info.transports,
    algorithms: info.algorithms.map((a) => a.alg),
    firmwareVersion: info.firmwareVersion,
    remainingDiscoverableCredentials: info.remainingDiscoverableCredentials,
  };
}

export async function info(opts: { host: string; port: string; json?: boolean }): Promise<void> {
  const pipe = await connectUdp(opts.host, Number(opts.port));
  try {
    const hid = await CtapHidHost.open(pipe).catch(() => {
      throw new Error(`no key answered on udp ${opts.host}:${opts.port} (is \`ctap-emu serve\` running?)`);
    });
    const described = describeInfo(await new Ctap2Client(hid).getInfo());
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(described, null, 2)}\n`);
      return;
    }
    const width = Math.max(...Object.keys(described).map((k) => k.length));
    for (const [k, v] of Object.entries(described)) {
      if (v === undefined) continue;
      const shown = Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? Object.entries(v as object).map(([o, b]) => `${o}=${b}`).join(' ') : String(v);
      process.stdout.write(`${k.padEnd(width)}  ${shown}\n`);
    }
  } finally {
    await pipe.close();
  }
}

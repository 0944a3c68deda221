// The SoloKeys solo1 firmware's simulation (`main`, which `make` builds for the pc target in the
// root of solokeys/solo1) as the udp section's C anchor. From its pc/device.c and pc/main.c: it
// binds UDP 8111 on every interface, sends every 64-byte report to 127.0.0.1:7112 (not to the
// sender), keeps its state in authenticator_state.bin, authenticator_state2.bin and
// resident_keys.bin in its working directory (made on first start), holds 50 resident keys,
// approves presence and verification at once, logs to stdout and exits on SIGINT.
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROADCAST_CID, HidCmd } from '../../src/hid/constants.js';
import { fragment, parsePacket } from '../../src/hid/framing.js';
import { descendantsCpuUs, procCpuUs } from './measure.js';

export const SOLO1_ENV = 'CTAP_EMU_SOLO1';
export const SOLO1_PORT = 8111;
/** Where the simulation sends every report: its client must listen here. */
export const SOLO1_CLIENT = { host: '127.0.0.1', port: 7112 };
/** RK_NUM in pc/device.c. */
export const SOLO1_RESIDENT_KEYS = 50;

/** Why the file CTAP_EMU_SOLO1 names cannot be run, or undefined when it can. */
export function solo1Unusable(path: string): string | undefined {
  const named = `${SOLO1_ENV}=${path}`;
  try {
    if (!statSync(path).isFile()) return `${named} is not a file`;
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${named}: no such file` : code === 'EACCES' ? `${named} is not executable` : `${named}: ${(e as Error).message}`;
  }
}

export interface Solo1 {
  pid: number;
  address: string;
  /** CPU time (µs) of the simulation and anything a wrapper script started under it. */
  cpuUs(): number;
  /** SIGINT to its process group (its own handler exits), then SIGKILL to what is left after it exits or `graceMs` pass; its directory goes. */
  stop(graceMs?: number): Promise<void>;
}

function bindUdp(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', (e) => (s.close(), reject(e)));
    s.bind(port, host, () => (s.removeAllListeners('error'), resolve(s)));
  });
}

function taken(e: unknown, what: string, whoElse: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return new Error(code === 'EADDRINUSE' ? `UDP ${what} is taken (${whoElse})` : `UDP ${what}: ${(e as Error).message}`);
}

/**
 * Starts the simulation in a fresh directory and resolves once it answers a CTAPHID INIT sent from
 * 127.0.0.1:7112, the socket closed again for the client to take; rejects with the reason (a port
 * taken, the binary exiting, with the end of its output, or no answer within `timeoutMs`).
 */
export async function startSolo1(binary: string, timeoutMs = 15_000): Promise<Solo1> {
  // Both ports checked first: a key already on 8111 would answer the probe in the simulation's place.
  try {
    (await bindUdp('0.0.0.0', SOLO1_PORT)).close();
  } catch (e) {
    throw taken(e, `port ${SOLO1_PORT}`, 'a `ctap-emu serve` or another simulation running?');
  }
  let probe: Socket;
  try {
    probe = await bindUdp(SOLO1_CLIENT.host, SOLO1_CLIENT.port);
  } catch (e) {
    throw taken(e, `${SOLO1_CLIENT.host}:${SOLO1_CLIENT.port}`, 'where the simulation answers: another client of it running?');
  }
  const dir = mkdtempSync(join(tmpdir(), 'ctap-emu-bench-solo1-'));
  // Its output (a debug line and a hex dump per report) goes to a file in its directory, not to a
  // pipe: a pipe would wake this process, which runs the clients, for every report it logs.
  const logPath = join(dir, 'output.log');
  const logFd = openSync(logPath, 'w');
  // Its own process group, so that SIGINT also reaches what a wrapper script runs.
  const child = spawn(binary, [], { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  // 'exit' is the simulation's own end; 'close' follows it (its output goes to a file, not a pipe).
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // the group is gone already
    }
  };
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (child.pid !== undefined) {
      signal('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      if (running()) await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      // Whatever is left of the group (the simulation past its grace, or a wrapper's orphans).
      signal('SIGKILL');
      await closed;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const tail = (): string => {
    let log = '';
    try {
      log = readFileSync(logPath, 'utf8').slice(-2000);
    } catch {
      // the directory is gone already
    }
    return log.trim().split('\n').slice(-5).join(' | ') || '(no output)';
  };

  const nonce = randomBytes(8);
  const [init] = fragment(BROADCAST_CID, HidCmd.INIT, nonce);
  try {
    await new Promise<void>((resolve, reject) => {
      const send = (): void => probe.send(init!, SOLO1_PORT, '127.0.0.1');
      const resend = setInterval(send, 250);
      const timer = setTimeout(() => done(new Error(`${binary} did not answer a CTAPHID INIT on port ${SOLO1_PORT} within ${timeoutMs} ms: ${tail()}`)), timeoutMs);
      let settled = false;
      const done = (e?: Error): void => {
        if (settled) return;
        settled = true;
        clearInterval(resend);
        clearTimeout(timer);
        probe.removeAllListeners('message');
        if (e) reject(e);
        else resolve();
      };
      probe.on('message', (m: Buffer) => {
        const p = parsePacket(m);
        if (p?.kind === 'init' && p.cid === BROADCAST_CID && p.cmd === HidCmd.INIT && nonce.equals(p.data.subarray(0, 8))) done();
      });
      child.on('error', (e) => done(new Error(`${binary} did not start: ${e.message}`)));
      // Its last words are in the file once it has exited ('close'; 200 ms at most).
      const lastWords = (): Promise<unknown> => Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 200).unref())]);
      void exited.then(lastWords).then(() => done(new Error(`${binary} exited (${child.exitCode ?? child.signalCode}) before answering: ${tail()}`)));
      send();
    });
  } catch (e) {
    await stop(1_000);
    throw e;
  } finally {
    probe.close();
  }
  const pid = child.pid!;
  return { pid, address: `127.0.0.1:${SOLO1_PORT}`, cpuUs: () => (procCpuUs(pid) ?? 0) + descendantsCpuUs(pid), stop };
}

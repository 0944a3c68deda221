// Transport faults, in the CTAPHID device (hid/faults.ts): keepalives dropped or late, CHANNEL_BUSY,
// no answer at all, a delay. They test a host's timeouts, retries and keepalive handling.
import type { FaultKind } from './kind.js';
import { noMembers, oneOf, onlyMembers, positiveInt } from './kind.js';

export const keepalive: FaultKind<{ mode: 'drop' | 'late'; ms?: number }> = {
  stage: 'transport',
  summary: 'keepalives {mode: drop | late, ms: the first (and each next) after ms}',
  parse(o) {
    onlyMembers(o, ['mode', 'ms'], 'keepalive');
    const mode = oneOf(o.mode, ['drop', 'late'] as const, 'fault.mode');
    return mode === 'drop' ? { mode } : { mode, ms: positiveInt(o.ms ?? 5000, 'fault.ms') };
  },
  transport: (f) => ({ keepalive: f.mode === 'drop' ? 'drop' : { intervalMs: f.ms! } }),
};

export const channelBusy: FaultKind<Record<string, never>> = {
  stage: 'transport',
  summary: 'CTAPHID ERROR CHANNEL_BUSY at once',
  parse: noMembers('channelBusy'),
  transport: () => ({ busy: true }),
};

export const noAnswer: FaultKind<Record<string, never>> = {
  stage: 'transport',
  summary: 'the message is taken and never answered (no keepalives either)',
  parse: noMembers('noAnswer'),
  transport: () => ({ noAnswer: true }),
};

export const delay: FaultKind<{ ms: number }> = {
  stage: 'transport',
  summary: 'wait {ms} before handling the message (keepalives go on)',
  parse(o) {
    onlyMembers(o, ['ms'], 'delay');
    return { ms: positiveInt(o.ms, 'fault.ms') };
  },
  transport: (f) => ({ delayMs: f.ms }),
};

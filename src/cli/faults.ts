// Fault rules on the command line: `serve --fault JSON` (repeatable) and `ctl fault add|list|remove|clear`
// on a running key. A rule is JSON, or built from flags (--command, --rp-id, --nth ..., --fault).
import { AutomationError } from '../node/automation/credentialJson.js';
import { parseFaultRule } from '../node/faults/rule.js';
import { CliError, ExitCode } from './common.js';
import { run, type CtlOptions } from './ctl.js';

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${what} is not JSON (${(e as Error).message}): ${text}`, ExitCode.usage);
  }
}

/** A rule checked as the key will check it, so a typo is a usage error before anything starts. */
function checked(rule: unknown, what: string): unknown {
  try {
    parseFaultRule(rule);
  } catch (e) {
    if (e instanceof AutomationError) throw new CliError(`${what}: ${e.message}`, ExitCode.usage);
    throw e;
  }
  return rule;
}

/** `serve --fault JSON ...`: the rules, each checked. */
export function serveFaultRules(texts: string[] | undefined): unknown[] | undefined {
  return texts?.map((t) => checked(parseJson(t, '--fault'), `--fault ${t}`));
}

export interface FaultFlags {
  command?: string;
  rpId?: string;
  credentialId?: string;
  nth?: string;
  first?: string;
  probability?: string;
  seed?: string;
  /** A fault type (badSignature) or a fault as JSON ({"type":"status","status":"CTAP2_ERR_PIN_INVALID"}). */
  fault?: string;
}

const number = (v: string, flag: string): number => {
  if (!/^\d+(\.\d+)?$/.test(v)) throw new CliError(`${flag} must be a number, got "${v}"`, ExitCode.usage);
  return Number(v);
};

function whenOf(o: FaultFlags): unknown {
  const given = (['nth', 'first', 'probability'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) throw new CliError('give one of --nth, --first and --probability', ExitCode.usage);
  if (o.seed !== undefined && o.probability === undefined) throw new CliError('--seed goes with --probability', ExitCode.usage);
  if (o.nth !== undefined) return { nth: number(o.nth, '--nth') };
  if (o.first !== undefined) return { first: number(o.first, '--first') };
  if (o.probability !== undefined) return { probability: number(o.probability, '--probability'), seed: o.seed === undefined ? 0 : number(o.seed, '--seed') };
  return undefined;
}

/** The rule from the JSON argument, or from the flags; not both. */
function ruleOf(json: string | undefined, o: FaultFlags): unknown {
  const flags = Object.entries(o).some(([k, v]) => v !== undefined && ['command', 'rpId', 'credentialId', 'nth', 'first', 'probability', 'seed', 'fault'].includes(k));
  if (json !== undefined) {
    if (flags) throw new CliError('give the rule as JSON or as flags, not both', ExitCode.usage);
    return checked(parseJson(json, 'the rule'), 'the rule');
  }
  if (o.fault === undefined) throw new CliError('give the rule as JSON, or --fault TYPE|JSON with --command, --rp-id, --nth ...', ExitCode.usage);
  const fault = o.fault.trim().startsWith('{') ? parseJson(o.fault, '--fault') : { type: o.fault };
  const rule = { command: o.command, rpId: o.rpId, credentialId: o.credentialId, when: whenOf(o), fault };
  return checked(JSON.parse(JSON.stringify(rule)), 'the rule');
}

export const ctlFaultAdd = (json: string | undefined, o: CtlOptions & FaultFlags): Promise<void> => run(o, 'POST', '/faults', ruleOf(json, o));
export const ctlFaultList = (o: CtlOptions): Promise<void> => run(o, 'GET', '/faults');
export const ctlFaultRemove = (id: string, o: CtlOptions): Promise<void> => run(o, 'DELETE', `/faults/${encodeURIComponent(id)}`);
export const ctlFaultClear = (o: CtlOptions): Promise<void> => run(o, 'DELETE', '/faults');

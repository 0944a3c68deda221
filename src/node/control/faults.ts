// The control API's fault resources: GET/POST/DELETE /faults and DELETE /faults/:id (README "Fault
// injection"). A POST takes one rule or an array, each checked before any is added.
import type { FaultInfo } from '../faults/faultSet.js';
import { parseFaultRule } from '../faults/rule.js';
import type { VirtualAuthenticator } from '../virtual.js';

export interface FaultAnswer {
  status: number;
  body?: unknown;
}

/** POST /faults: 201 with the rule(s) as listed (an ID each); a bad rule is 400 and adds nothing. */
export function addFaults(key: VirtualAuthenticator, body: unknown): FaultAnswer {
  const rules = Array.isArray(body) ? body : [body];
  rules.forEach((rule) => parseFaultRule(rule));
  const ids = new Set(rules.map((rule) => key.addFault(rule)));
  const added: FaultInfo[] = key.listFaults().filter((f) => ids.has(f.id));
  return { status: 201, body: Array.isArray(body) ? added : added[0] };
}

export const FAULT_ROUTES = {
  list: (key: VirtualAuthenticator): FaultAnswer => ({ status: 200, body: key.listFaults() }),
  clear: (key: VirtualAuthenticator): FaultAnswer => ({ status: 200, body: { removed: key.clearFaults() } }),
  remove: (key: VirtualAuthenticator, id: string): FaultAnswer => (key.removeFault(id), { status: 204 }),
};

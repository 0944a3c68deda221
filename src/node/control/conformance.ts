// The FIDO Conformance Tools' test automation (desktop tools 1.7.24 and later, "Enable test
// automation"): the tools POST to http://localhost:3000/conformance/userpresence when a test wants
// the user to touch the key, /conformance/powercycle when it wants the key unplugged and plugged in
// (2xx: done; anything else, or no answer in time, fails the test), and /conformance/results when a
// run ends. Source: fido-alliance/conformance-test-tools-resources, docs/FIDO2/Automation.md. The
// tools send no credentials, so these paths take no bearer token: served only when asked
// (`serve --control 3000 --conformance`), and only on 127.0.0.1.
import type { VirtualAuthenticator } from '../virtual.js';
import type { ControlAnswer } from './routes.js';

/** How long a touch given before the key asks for one stays good (the key asks right after, as a rule). */
export const TOUCH_AHEAD_MS = 10_000;

export interface ConformanceOptions {
  /** The tools' summary at the end of a run (allTestsSelected, passedTestsCount, failedTestsCount, failedTests). */
  onResults?(results: unknown): void;
}

type Handler = (key: VirtualAuthenticator, body: unknown, o: ConformanceOptions) => ControlAnswer;

/** By path; GET is taken as well as the tools' POST (the document names no method beyond "via POST"). */
export const CONFORMANCE_ROUTES: Record<string, Handler> = {
  // The touch the key waits for now, or the next it asks for within TOUCH_AHEAD_MS: the tools may
  // send this just before or just after the command that needs it.
  '/conformance/userpresence': (key) => ({ status: 200, body: { touch: key.touch(TOUCH_AHEAD_MS) } }),
  // Answered once done, as the tools expect (they wait for the answer before going on).
  '/conformance/powercycle': (key) => (key.powerCycle(), { status: 200, body: { powerCycled: true } }),
  '/conformance/results': (_key, body, o) => (o.onResults?.(body), { status: 204 }),
};

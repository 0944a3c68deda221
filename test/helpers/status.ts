// The CTAP status a host call ends with: 0 when it resolves, the CtapError's status when it rejects.
import { CtapError, Status } from '../../src/ctap/status.js';

export async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return Status.CTAP2_OK;
  } catch (e) {
    if (e instanceof CtapError) return e.status;
    throw e;
  }
}

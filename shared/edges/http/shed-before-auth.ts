import type middy from '@middy/core';
import type { AdmissionGate } from '../../domain/admission';
import { OverloadedError } from '../../domain/errors';

/**
 * Optional first middleware of submit (param admissionShedBeforeAuth): past the budget, refuse
 * with 503 OVERLOADED + Retry-After before authentication and parsing, so what is refused anyway
 * costs no signature check, nonce or rate-limit write, partner read or body parsing. The answer
 * is the JSON error (the body is not read, so no pacs.002), and a resend is refused too. Absent
 * gate: a no-op.
 */
export function shedBeforeAuth(gate: AdmissionGate | undefined): middy.MiddlewareObj {
  return {
    before: async () => {
      if (!gate) return;
      const refusal = await gate.precheck();
      if (refusal && !refusal.admit) throw new OverloadedError(refusal.reason, refusal.retryAfterSeconds);
    },
  };
}

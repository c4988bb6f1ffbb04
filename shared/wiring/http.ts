import type { SubmitDeps } from '../app/submit';
import { getConfig } from '../config/config';
import type { AdmissionGate } from '../domain/admission';
import { systemClock } from '../domain/ports';
import type { StatusRouteDeps } from '../edges/http/payment-routes';
import { buildAdmissionGate } from './admission';
import { buildPartnerAuth, type PartnerAuthAdapters } from './auth';
import { buildDataAdapters } from './data';

/**
 * Composition roots of the HTTP functions, one per handler: each reads the config and builds
 * what its route uses, once per container (module load); nothing here runs per request.
 */

export interface SubmitPaymentWiring {
  readonly auth: PartnerAuthAdapters;
  readonly submit: SubmitDeps;
  /** The gate shedBeforeAuth() checks first (param admissionShedBeforeAuth), else undefined. */
  readonly shedBeforeAuth: AdmissionGate | undefined;
}

/** POST /payments. */
export function wireSubmitPayment(): SubmitPaymentWiring {
  const config = getConfig();
  const data = buildDataAdapters(config);
  const auth = buildPartnerAuth(config, data.clients);
  const admission = buildAdmissionGate(config, data.clients.sqs);
  const submit: SubmitDeps = {
    store: data.payments,
    queue: data.queue,
    clock: systemClock,
    slaSeconds: config.slaSeconds,
    // Refuses (503 / 429 + Retry-After, nothing written) what the settlement backlog would not
    // settle within the SLA (shared/domain/admission.ts).
    admission,
  };
  return { auth, submit, shedBeforeAuth: config.admission.shedBeforeAuth ? admission : undefined };
}

export interface StatusRoutesWiring {
  readonly auth: PartnerAuthAdapters;
  readonly status: StatusRouteDeps;
}

/** GET /payments/{id}, GET /payments?..., POST /payments/status-requests. */
export function wireStatusRoutes(): StatusRoutesWiring {
  const config = getConfig();
  const data = buildDataAdapters(config);
  return {
    auth: buildPartnerAuth(config, data.clients),
    status: { payments: data.payments, clock: systemClock },
  };
}

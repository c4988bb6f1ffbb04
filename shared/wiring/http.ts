import type { SubmitDeps } from '../app/submit';
import { SqsPaymentQueue } from '../adapters/sqs/payment-queue';
import { DynamoPaymentStore } from '../adapters/dynamodb/payment-store';
import { readQueryConfig, readSubmitConfig } from '../config/config';
import type { AdmissionGate } from '../domain/admission';
import { systemClock } from '../domain/ports';
import type { StatusRouteDeps } from '../edges/http/payment-routes';
import { buildAdmissionGate } from './admission';
import { buildPartnerAuth, type PartnerAuthAdapters } from './auth';
import { buildDynamoClients, buildSqsClient } from './data';

/**
 * Composition roots of the HTTP functions, one per handler: each reads its own config
 * (shared/config/config.ts) and builds only the clients and adapters its route uses, once per
 * container (module load); nothing here runs per request.
 */

export interface SubmitPaymentWiring {
  readonly auth: PartnerAuthAdapters;
  readonly submit: SubmitDeps;
  /** The gate shedBeforeAuth() checks first (param admissionShedBeforeAuth), else undefined. */
  readonly shedBeforeAuth: AdmissionGate | undefined;
}

/** POST /payments. */
export function wireSubmitPayment(): SubmitPaymentWiring {
  const config = readSubmitConfig();
  const dynamo = buildDynamoClients(config);
  const sqs = buildSqsClient(config);
  const auth = buildPartnerAuth(config, dynamo);
  const admission = buildAdmissionGate(config, sqs);
  const submit: SubmitDeps = {
    store: new DynamoPaymentStore(dynamo.documents, config.tables.payments),
    queue: new SqsPaymentQueue(sqs, config.queues.paymentsUrl),
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
  const config = readQueryConfig();
  const dynamo = buildDynamoClients(config);
  return {
    auth: buildPartnerAuth(config, dynamo),
    status: {
      payments: new DynamoPaymentStore(dynamo.documents, config.tables.payments),
      clock: systemClock,
    },
  };
}

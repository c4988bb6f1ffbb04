import type middy from '@middy/core';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueueBacklog } from '../adapters/sqs/queue-backlog';
import type { SubmitConfig } from '../config/config';
import { AdmissionGate, DEFAULT_ADMISSION } from '../domain/admission';
import { OverloadedError } from '../domain/errors';
import { systemClock } from '../domain/ports';
import { pipelineMetrics } from '../observability/metrics';
import { logger } from '../observability/powertools';

/**
 * Composition root of admission control for the submit path: the settlement queue's backlog
 * (cached per container, config.admission.sampleMs) and the per-stage capacity and budget.
 * Built once per container; its fair-share state lives as long as the container.
 */
export function buildAdmissionGate(
  config: Pick<SubmitConfig, 'queues' | 'admission'>,
  sqs: SQSClient,
): AdmissionGate {
  const probe = new SqsQueueBacklog(sqs, config.queues.paymentsUrl, {
    maxAgeMs: config.admission.sampleMs,
    onError: (error) =>
      logger.warn('settlement queue backlog unreadable: admitting without admission control', {
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      }),
  });
  return new AdmissionGate(
    probe,
    {
      ...DEFAULT_ADMISSION,
      capacityPerSecond: config.admission.capacityPerSecond,
      budgetSeconds: config.admission.budgetSeconds,
      observeDrain: config.admission.observeDrain,
    },
    systemClock,
    { signalUnavailable: () => pipelineMetrics.admissionSignalUnavailable() },
  );
}

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

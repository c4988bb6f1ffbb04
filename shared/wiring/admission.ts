import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueueBacklog } from '../adapters/sqs/queue-backlog';
import type { SubmitConfig } from '../config/config';
import { AdmissionGate, DEFAULT_ADMISSION } from '../domain/admission';
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

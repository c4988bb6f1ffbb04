import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BacklogProbe, BacklogSignal } from '../../domain/admission';

/**
 * The settlement queue's backlog for admission control (shared/domain/admission.ts): SQS
 * GetQueueAttributes ApproximateNumberOfMessages (waiting) + ApproximateNumberOfMessagesNotVisible
 * (in flight). The age of the oldest message is a CloudWatch metric, not a queue attribute, so it
 * is not read here (the queue-age alarm watches it).
 *
 * Cached per container: at most one GetQueueAttributes per `maxAgeMs` (default 1 s), and
 * concurrent callers share the call under way. A failed read is cached for the same time and
 * answers undefined (the gate fails open, see AdmissionGate), reported through `onError`.
 */
export class SqsQueueBacklog implements BacklogProbe {
  private cached: { readonly atMs: number; readonly signal: BacklogSignal | undefined } | undefined;
  private pending: Promise<BacklogSignal | undefined> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly options: {
      readonly maxAgeMs?: number;
      readonly now?: () => number;
      readonly onError?: (error: unknown) => void;
    } = {},
  ) {}

  async backlog(): Promise<BacklogSignal | undefined> {
    const now = (this.options.now ?? Date.now)();
    if (this.cached && now - this.cached.atMs < (this.options.maxAgeMs ?? 1_000)) return this.cached.signal;
    this.pending ??= this.read(now).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async read(now: number): Promise<BacklogSignal | undefined> {
    let signal: BacklogSignal | undefined;
    try {
      const out = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const waiting = Number(out.Attributes?.ApproximateNumberOfMessages);
      const inFlight = Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible);
      if (!Number.isFinite(waiting) || !Number.isFinite(inFlight)) {
        throw new Error('GetQueueAttributes answered without the message counts');
      }
      signal = { waiting, inFlight, sampledAtMs: now };
    } catch (error) {
      this.options.onError?.(error);
      signal = undefined;
    }
    this.cached = { atMs: now, signal };
    return signal;
  }
}

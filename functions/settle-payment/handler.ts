import { lambdaHandler, runtimeLogLevel } from '../../shared/observability/middleware';
import { buildSettleConsumer } from '../../shared/wiring/settle';

/** Settle: the SQS FIFO consumer (shared/edges/queue/settle-consumer.ts, wired in shared/wiring/settle.ts). */
export const handler = lambdaHandler(buildSettleConsumer()).use(runtimeLogLevel());

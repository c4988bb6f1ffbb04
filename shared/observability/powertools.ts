import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { RedactingLogFormatter } from './log-formatter';
import { observabilitySettings } from './settings';

/**
 * Logger, Metrics and Tracer are built once per process and shared by every handler
 * (the Powertools examples' habit). Service name, namespace and log level come from the
 * POWERTOOLS_* environment variables set in serverless.yml.
 *
 * - Logger: JSON lines through RedactingLogFormatter (account numbers masked, names, addresses,
 *   secrets and signatures never written), with the stage as `environment`.
 * - Metrics: CloudWatch EMF in the RtpPipeline namespace, dimensions `service` and `stage` on
 *   every metric (the alarms select their stage's metrics with them). Its own warnings go
 *   through the logger, so every line on stdout is JSON; the "no metrics to publish" notice of
 *   functions that emit none is only debug.
 * - Tracer: X-Ray (handlers through captureLambdaHandler, SDK clients through
 *   captureAWSv3Client in shared/wiring); off outside Lambda.
 */
const settings = observabilitySettings();

export const logger = new Logger({
  logFormatter: new RedactingLogFormatter(),
  ...(settings.stage ? { environment: settings.stage } : {}),
});

const metricsWarnings = {
  debug: (...args: unknown[]) => logger.debug(String(args[0]), ...args.slice(1).map((a) => ({ detail: a }))),
  info: (...args: unknown[]) => logger.info(String(args[0]), ...args.slice(1).map((a) => ({ detail: a }))),
  warn: (...args: unknown[]) => {
    const message = String(args[0]);
    if (message.startsWith('No application metrics to publish')) logger.debug(message);
    else logger.warn(message);
  },
  error: (...args: unknown[]) => logger.error(String(args[0]), ...args.slice(1).map((a) => ({ detail: a }))),
};

export const metrics = new Metrics({
  logger: metricsWarnings,
  ...(settings.stage ? { defaultDimensions: { stage: settings.stage } } : {}),
});

export const tracer = new Tracer();

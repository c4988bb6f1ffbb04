import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redactAttributes, scrubText } from './redaction';

/**
 * The service's Powertools log formatter: the standard Powertools JSON structure (level,
 * message, timestamp, service, Lambda context, X-Ray trace id), with every attribute the code
 * logs (persistent keys, per-call attributes, errors and their causes) run through the
 * redaction rules of redaction.ts and the message scrubbed. Sensitive data cannot reach a log
 * line by forgetting to mask it: it is masked here, for every line.
 */
export class RedactingLogFormatter extends LogFormatter {
  public formatAttributes(
    attributes: UnformattedAttributes,
    additionalLogAttributes: LogAttributes,
  ): LogItem {
    const context = attributes.lambdaContext;
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: scrubText(String(attributes.message ?? '')),
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      environment: attributes.environment,
      cold_start: context?.coldStart,
      function_arn: context?.invokedFunctionArn,
      function_memory_size: context?.memoryLimitInMB,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
    };
    const redacted = redactAttributes(additionalLogAttributes, {
      errorToObject: (error) => this.formatError(error),
    });
    return new LogItem({ attributes: base }).addAttributes(redacted);
  }
}

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Logger, Metrics and Tracer are built once per process and shared by every handler
 * (the Powertools examples' habit). Service name, namespace and log level come from the
 * POWERTOOLS_* environment variables set in serverless.yml.
 */
export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();

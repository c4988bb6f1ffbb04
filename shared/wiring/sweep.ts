import type { Context } from 'aws-lambda';
import { DynamoPaymentStore } from '../adapters/dynamodb/payment-store';
import { readSweepConfig, type SweepConfig } from '../config/config';
import { systemClock } from '../domain/ports';
import { createSweepLoop, scheduledSweepHandler, type SweepRun } from '../edges/schedule/sweep-loop';
import { buildDynamoClients } from './data';

/** Composition root of the deadline sweeper (functions/sweep-deadlines): the payments table only. */
export function buildSweepHandler(
  config: SweepConfig = readSweepConfig(),
): (event: unknown, context: Context) => Promise<SweepRun> {
  const { documents } = buildDynamoClients(config);
  return scheduledSweepHandler(
    createSweepLoop({
      store: new DynamoPaymentStore(documents, config.tables.payments),
      clock: systemClock,
      intervalMs: config.sweep.intervalSeconds * 1000,
    }),
  );
}

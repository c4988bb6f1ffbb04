import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoClients } from '../../shared/adapters/aws-clients';
import { DynamoLedger } from '../../shared/adapters/dynamodb/ledger';
import { DynamoLedgerFunding } from '../../shared/adapters/dynamodb/ledger-funding';
import { DynamoPartnerRegistry } from '../../shared/adapters/dynamodb/partner-registry';
import { DynamoPaymentStore } from '../../shared/adapters/dynamodb/payment-store';
import { parseJsonPayment } from '../../shared/app/json-payment';
import { submitPayment } from '../../shared/app/submit';
import { readHookConfig } from '../../shared/config/config';
import { systemClock, type Clock } from '../../shared/domain/ports';
import { logger } from '../../shared/observability/powertools';
import { runLifecycleHook } from '../app/lifecycle-hook';
import { checkSteadyState } from '../app/pre-traffic/steady-state';
import { ProbeStore } from '../app/probe-store';
import { CodeDeployAdapter } from '../aws/codedeploy';
import { DynamoJournalReader } from '../aws/journal-reader';
import { LambdaFunctionInvoker } from '../aws/lambda-invoker';
import { runtimeSdk } from '../aws/runtime-sdk';
import type { HookResult } from '../domain/lifecycle-event';
import type { ProbeSubmit, QueuedProbeMessage } from '../domain/ports';
import { PROBE_PARTNER } from '../domain/probe-identity';
import { getReleaseConfig } from './config';
import { messageGroupId } from '../../shared/domain/settlement-message';

export interface ProbeStoreOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly tables: { readonly payments: string; readonly ledger: string; readonly partners: string };
  /** The stage's SLA: probe payments get the same deadline real ones do. */
  readonly slaSeconds: number;
  readonly clock?: Clock;
  /** When a probe account is topped up (below `minimumMinor`), and to what (defaults: probe-identity.ts). */
  readonly funding?: { readonly minimumMinor: number; readonly targetMinor: number };
}

/**
 * The probe store on DynamoDB: the only place the release wing uses the main application, its
 * DynamoDB adapters (payments, ledger, funding, partner registry) and its JSON submit use case.
 */
export function createProbeStore(options: ProbeStoreOptions): ProbeStore {
  const { documents, tables } = options;
  const clock = options.clock ?? systemClock;
  const payments = new DynamoPaymentStore(documents, tables.payments);
  const ledger = new DynamoLedger(documents, { payments: tables.payments, ledger: tables.ledger });
  const journal = new DynamoJournalReader(documents, tables.ledger);
  // Keys are only written here, never resolved: no secret source is needed.
  const registry = new DynamoPartnerRegistry(
    documents,
    tables.partners,
    { get: async () => undefined },
    { cacheSeconds: 0, secretPrefix: 'release-probe/unused/' },
  );
  return new ProbeStore({
    payments,
    ledger: { getAccount: (id) => ledger.getAccount(id), getEntry: (a, p) => journal.getEntry(a, p) },
    funding: new DynamoLedgerFunding(documents, tables.ledger),
    registry,
    submit: serviceSubmit(payments, clock, options.slaSeconds),
    clock,
    ...(options.funding ? { topUp: options.funding } : {}),
  });
}

/** shared/app's submit of a JSON payment as the probe partner, with a queue that keeps the message. */
function serviceSubmit(store: DynamoPaymentStore, clock: Clock, slaSeconds: number): ProbeSubmit {
  return async (input) => {
    const instruction = parseJsonPayment(input, PROBE_PARTNER);
    let queued: QueuedProbeMessage | undefined;
    const enqueue = async (message: QueuedProbeMessage['message']) => {
      queued = { message, messageGroupId: messageGroupId(message.debtorAccount) };
    };
    const { payment } = await submitPayment(instruction, { store, queue: { enqueue }, clock, slaSeconds });
    return queued === undefined ? { payment } : { payment, queued };
  };
}

function wire() {
  const config = readHookConfig();
  const release = getReleaseConfig();
  const { documents } = createDynamoClients(config);
  const { payments, ledger, partners } = config.tables;
  return {
    release,
    store: createProbeStore({
      documents,
      tables: { payments, ledger, partners },
      slaSeconds: config.slaSeconds,
    }),
    liveSettleTimeoutMs: (config.slaSeconds + 10) * 1000,
    codedeploy: new CodeDeployAdapter(runtimeSdk.codedeploy(release.region)),
    invoker: new LambdaFunctionInvoker(runtimeSdk.lambda(release.region), release.functionPrefix),
  };
}

const log = (message: string, detail: Record<string, unknown>) =>
  detail.ok === false || detail.status === 'Failed'
    ? logger.error(message, detail)
    : logger.info(message, detail);

/**
 * The CodeDeploy BeforeAllowTraffic hook (functions/pre-traffic-hook/handler.ts) and its logger.
 * The AWS adapters are built on the first invocation (the local stack imports every handler
 * module at start-up).
 */
export function preTrafficHook() {
  let wired: ReturnType<typeof wire> | undefined;
  const run = async (event: unknown): Promise<HookResult> => {
    const w = (wired ??= wire());
    return runLifecycleHook(
      event,
      { codedeploy: w.codedeploy, functionPrefix: w.release.functionPrefix, log },
      async ({ fn, target }) => {
        const report = await checkSteadyState(
          {
            invoker: w.invoker,
            fixtures: w.store,
            ledger: w.store,
            recorder: w.store,
            liveSettleTimeoutMs: w.liveSettleTimeoutMs,
            log,
          },
          [{ fn, version: target.targetVersion }],
        );
        return { ok: report.ok, report };
      },
    );
  };
  return { run, logger };
}

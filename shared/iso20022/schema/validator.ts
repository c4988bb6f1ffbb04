import { existsSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { InternalError } from '../../domain/errors';

/**
 * Synchronous XSD validation backed by libxml2 (libxml2-wasm) in a worker thread.
 *
 * libxml2-wasm is ESM-only with top-level await, which neither jest's CommonJS `require` nor the
 * CommonJS Lambda bundle can load. So `worker.mjs` (plain ESM, loaded by Node itself) hosts it,
 * and this module calls it synchronously: post the request on a MessagePort, block on a shared
 * Int32Array with Atomics.wait until the worker flips it, then take the answer with
 * receiveMessageOnPort. The round trip costs a few tens of microseconds; the parse entry points
 * stay synchronous, so no caller had to change.
 *
 * One worker per process (per module instance), started on first use (or at load in Lambda, to
 * overlap the ~0.3 s wasm + schema start-up with the init phase); each schema is compiled once in
 * the worker and reused for every message.
 */

/** Schema file, relative to the xsd directory, e.g. `iso20022/pacs.008.001.08.xsd`. */
export type SchemaFile = string;

export interface SchemaPart {
  /** Index path (element children only) from the document root to the element to validate. */
  readonly path: readonly number[];
  readonly schema: SchemaFile;
}

export interface SchemaViolation {
  /** Index of the part (in the request) the violation belongs to. */
  readonly part: number;
  /** Local names from the document root to the offending element. */
  readonly names: readonly string[];
  /** Element index path of the offending element (as SchemaPart.path). */
  readonly indexes: readonly number[];
  /** The offending element has no text at all (itself or below). */
  readonly empty: boolean;
  /** libxml2's message, raw. */
  readonly message: string;
}

export type SchemaResult =
  | { readonly ok: true; readonly violations: readonly SchemaViolation[] }
  | { readonly ok: false; readonly malformed: string };

const STARTUP_TIMEOUT_MS = 20_000;
const CALL_TIMEOUT_MS = 5_000;
const WORKER_FILE = 'worker.mjs';

/**
 * Where worker.mjs and xsd/ are: next to this file in the source tree (jest, tsx); in a bundle
 * (functions/<name>/handler.js), under the package root as shipped by serverless.yml patterns.
 */
function schemaHome(): string {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  const candidates = [
    __dirname,
    path.resolve(__dirname, '../../shared/iso20022/schema'),
    ...(taskRoot ? [path.join(taskRoot, 'shared/iso20022/schema')] : []),
    path.resolve('shared/iso20022/schema'),
  ];
  const home = candidates.find((dir) => existsSync(path.join(dir, WORKER_FILE)));
  if (!home) throw new InternalError('schema validator files are missing from the package');
  return home;
}

interface Channel {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  ready: boolean;
}

let channel: Channel | undefined;

function start(): Channel {
  const home = schemaHome();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(path.join(home, WORKER_FILE), {
    workerData: { port: port2, signal, schemaDir: path.join(home, 'xsd') },
    transferList: [port2],
    // The worker needs none of the parent's flags (tsx / jest loaders): plain Node ESM.
    execArgv: [],
    env: {},
    stdout: false,
    stderr: false,
  });
  worker.unref();
  port1.unref();
  // An exit is seen on the next call (timeout); keep the process alive-independent.
  worker.on('error', () => undefined);
  return { worker, port: port1, signal, ready: false };
}

function stop(): void {
  const current = channel;
  channel = undefined;
  if (current) {
    current.port.close();
    void current.worker.terminate();
  }
}

function call(request: unknown): unknown {
  channel ??= start();
  const current = channel;
  const timeout = current.ready ? CALL_TIMEOUT_MS : STARTUP_TIMEOUT_MS;
  Atomics.store(current.signal, 0, 0);
  current.port.postMessage(request);
  const outcome = Atomics.wait(current.signal, 0, 0, timeout);
  const reply = receiveMessageOnPort(current.port);
  if (outcome === 'timed-out' || !reply) {
    stop();
    throw new InternalError('schema validator did not answer');
  }
  current.ready = true;
  return reply.message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Validates parts of one XML document, each against its schema. Throws InternalError only. */
export function validateXmlParts(xml: string, parts: readonly SchemaPart[]): SchemaResult {
  const reply = call({ xml, parts });
  if (!isRecord(reply)) throw new InternalError('schema validator answered nonsense');
  if (typeof reply.failure === 'string') {
    throw new InternalError(`schema validation failed: ${reply.failure}`);
  }
  if (typeof reply.malformed === 'string') return { ok: false, malformed: reply.malformed };
  if (!Array.isArray(reply.violations)) throw new InternalError('schema validator answered nonsense');
  return { ok: true, violations: reply.violations as SchemaViolation[] };
}

/**
 * Starts the worker without waiting for it (Lambda init phase: the wasm and schema start-up
 * overlaps the rest of the cold start). Problems surface, as InternalError, on first use.
 */
export function prestartSchemaValidator(): void {
  try {
    channel ??= start();
  } catch {
    // reported again by the first validation
  }
}

/** Stops the worker (tests: once per test file, so workers do not pile up in a jest process). */
export function closeSchemaValidator(): void {
  stop();
}

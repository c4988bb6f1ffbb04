/**
 * A model of how Lambda runs the settle function, for the chaos tests: a pool of sandboxes, each with its
 * own process, SDK clients and handler instance, serving one invocation at a time (as Lambda does).
 *
 *  - a process that crashes (fault `crash-*`) is dead: every call it makes or waits on fails, it never sees
 *    another response, and its invocation fails whatever the handler made of it;
 *  - at the function time-out Lambda reports the time-out and then discards the sandbox: its process dies
 *    (so a call that hangs never completes and nothing is cleaned up), unless it is a zombie (fault
 *    `slow`), whose late work lands anyway;
 *  - a dead or zombie sandbox is never reused; the next invocation gets a new one.
 *
 * `shared: true` instead serves every concurrent invocation from one handler instance, as tools/local/stack.ts
 * does (kept to reproduce what that does to per-invocation state).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DataAdapters } from '../../shared/wiring/data';

/** Errors a dead sandbox process "throws": it never completes anything it started. */
export class SandboxDiedError extends Error {
  override readonly name = 'SandboxDied';
}

/**
 * The process of one Lambda sandbox. Once dead (crash, or killed at the Lambda time-out) every call it
 * makes or is waiting on fails, and it never sees another response: exactly what a dead runtime does.
 * A zombie is a sandbox that must not be killed at the time-out (fault `slow`).
 */
export class SandboxProcess {
  zombie = false;
  /** The faults injected into this process's calls (faults.ts), in order. */
  readonly struck: Array<{ readonly paymentId: string; readonly kind: string; readonly site: string }> = [];
  #death: SandboxDiedError | undefined;
  readonly #onDeath: Array<(error: SandboxDiedError) => void> = [];

  /** The submit side's process: a "crash" fails that one request, the process itself lives on. */
  constructor(private readonly immortal = false) {}

  get dead(): boolean {
    return this.#death !== undefined;
  }

  die(reason: string): SandboxDiedError {
    if (this.immortal) return new SandboxDiedError(reason);
    if (this.#death === undefined) {
      this.#death = new SandboxDiedError(reason);
      for (const notify of this.#onDeath.splice(0)) notify(this.#death);
    }
    return this.#death;
  }

  assertAlive(): void {
    if (this.#death !== undefined) throw this.#death;
  }

  /** A promise that rejects when the process dies (a call that never answers). */
  untilDeath(): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      if (this.#death !== undefined) reject(this.#death);
      else this.#onDeath.push(reject);
    });
  }
}

/** A process that never dies (the submit side: an API request that fails just fails). */
export const immortalProcess = new SandboxProcess(true);

export interface Sandbox {
  readonly process: SandboxProcess;
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  readonly data: DataAdapters;
}

/** Settle function runtime: Lambda-like sandboxes around the real handler (see the header). */
export class SettleFunction {
  readonly #sandboxes: Sandbox[] = [];
  readonly #idle: Sandbox[] = [];
  readonly #running = new Set<Promise<unknown>>();
  kills = 0;

  constructor(
    private readonly build: (process: SandboxProcess) => Sandbox,
    private readonly shared: boolean,
    /**
     * Told when an invocation ends, with the faults its sandbox met meanwhile (a crash, a hang or a zombie
     * fails the whole batch: every record of it was touched). Not reliable with `shared` (several
     * invocations in one process).
     */
    private readonly onEnd?: (event: SQSEvent, struck: SandboxProcess['struck']) => void,
  ) {}

  get sandboxes(): number {
    return this.#sandboxes.length;
  }

  /** Sandboxes whose process died (crash or time-out). */
  get died(): number {
    return this.#sandboxes.filter((sandbox) => sandbox.process.dead).length;
  }

  /** Invocations still running, zombies included. */
  get inFlight(): number {
    return this.#running.size;
  }

  readonly handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const sandbox = this.#acquire();
    // Lambda ends a timed-out invocation by discarding its sandbox: the process dies (unless a zombie),
    // just after the time-out has been reported.
    const remainingMs = context.getRemainingTimeInMillis();
    const timer = setTimeout(() => {
      if (!sandbox.process.zombie && !sandbox.process.dead) {
        this.kills++;
        sandbox.process.die(
          `Task timed out after ${(remainingMs / 1000).toFixed(2)} seconds (sandbox discarded)`,
        );
      }
    }, remainingMs + 50);
    const struckBefore = sandbox.process.struck.length;
    const run = (async () => {
      try {
        const response = await sandbox.handler(event, context);
        sandbox.process.assertAlive(); // a dead runtime never hands its response back to Lambda
        return response;
      } catch (error) {
        // Whatever the handler made of it, a dead process's invocation failed with the process.
        throw sandbox.process.dead ? sandbox.process.die('') : error;
      } finally {
        clearTimeout(timer);
        this.#release(sandbox);
        this.onEnd?.(event, sandbox.process.struck.slice(struckBefore));
      }
    })();
    this.#running.add(run);
    void run.catch(() => undefined).finally(() => this.#running.delete(run));
    return run;
  };

  #acquire(): Sandbox {
    if (this.shared) {
      const current = this.#sandboxes.at(-1);
      if (current !== undefined && !current.process.dead) return current;
    } else {
      const idle = this.#idle.pop();
      if (idle !== undefined) return idle;
    }
    const sandbox = this.build(new SandboxProcess());
    this.#sandboxes.push(sandbox);
    return sandbox;
  }

  #release(sandbox: Sandbox): void {
    if (this.shared || sandbox.process.dead || sandbox.process.zombie) return;
    this.#idle.push(sandbox);
  }

  /** Waits (bounded) until no invocation runs any more, zombies included. */
  async waitIdle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#running.size > 0 && Date.now() < until) await sleep(50);
  }

  destroy(): void {
    for (const sandbox of this.#sandboxes) {
      sandbox.data.clients.dynamodb.destroy();
      sandbox.data.clients.sqs.destroy();
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

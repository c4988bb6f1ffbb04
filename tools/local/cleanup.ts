/**
 * One process-wide registry of cleanup callbacks for the things the local stand-ins start outside the
 * Node heap (today: the DynamoDB Local `java` child). The callbacks run on every way the process ends:
 *
 *  - `process.exit()`, the event loop draining, an uncaught exception or unhandled rejection: Node emits
 *    `exit` in all of these, and the callbacks run there (so they must be synchronous: send a signal, do
 *    not await);
 *  - SIGINT / SIGTERM / SIGHUP: Node's default is to die without emitting `exit`. If nobody else listens
 *    to the signal we run the callbacks and re-raise the signal so the exit status stays conventional
 *    (130 for Ctrl-C...). If the application has its own handler (e.g. `npm start` draining its pollers
 *    first), we leave the shutdown to it: the callbacks then run on its final `exit`.
 *  - SIGKILL cannot be caught: see `orphan-watchdog.ts` for that case.
 *
 * Each callback runs at most once; a callback that throws is reported on stderr and the others still run.
 */

export type CleanupCallback = () => void;

export interface CleanupRegistration {
  /** Forget the callback without running it (after an orderly stop). */
  unregister(): void;
  /** Run the callback now (at most once overall) and forget it. */
  runNow(): void;
}

interface Entry {
  readonly name: string;
  readonly callback: CleanupCallback;
}

const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof HANDLED_SIGNALS)[number];

const entries = new Map<number, Entry>();
let nextId = 1;
let hooksInstalled = false;

function runEntry(id: number): void {
  const entry = entries.get(id);
  if (entry === undefined) return;
  entries.delete(id);
  try {
    entry.callback();
  } catch (error) {
    // Reported, not swallowed: we are possibly inside an `exit` handler, where throwing would hide the
    // remaining cleanups and the original exit reason.
    process.stderr.write(
      `[cleanup] ${entry.name} failed: ${String(error instanceof Error ? error.stack : error)}\n`,
    );
  }
}

/** Run every registered callback (most recent first) and forget them. Safe to call repeatedly. */
export function runAllCleanups(): void {
  for (const id of [...entries.keys()].reverse()) runEntry(id);
}

function onSignal(signal: HandledSignal): void {
  // Other listeners own the shutdown (they will exit, and `exit` runs the callbacks).
  if (process.listenerCount(signal) > 1) return;
  runAllCleanups();
  uninstallHooks();
  process.kill(process.pid, signal);
}

const signalListeners = new Map<HandledSignal, () => void>(
  HANDLED_SIGNALS.map((signal) => [signal, () => onSignal(signal)]),
);

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', runAllCleanups);
  for (const [signal, listener] of signalListeners) process.on(signal, listener);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', runAllCleanups);
  for (const [signal, listener] of signalListeners) process.off(signal, listener);
}

/**
 * Register a synchronous, idempotent callback to run when the process ends. The hooks are installed on
 * first use and removed again when the registry becomes empty, so a process that stopped everything in
 * order keeps Node's default signal behaviour.
 */
export function registerCleanup(name: string, callback: CleanupCallback): CleanupRegistration {
  const id = nextId++;
  entries.set(id, { name, callback });
  installHooks();
  const forget = (): void => {
    entries.delete(id);
    if (entries.size === 0) uninstallHooks();
  };
  return {
    unregister: forget,
    runNow: () => {
      runEntry(id);
      forget();
    },
  };
}

/** Number of callbacks still registered (for diagnostics and tests). */
export function pendingCleanups(): number {
  return entries.size;
}

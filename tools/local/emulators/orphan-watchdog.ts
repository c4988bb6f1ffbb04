/**
 * Covers the one exit path `cleanup.ts` cannot: the parent being killed with SIGKILL (OOM killer, a CI
 * timeout, `kill -9`). A tiny detached Node process polls the parent's pid and, when the parent is gone,
 * SIGKILLs the child it guards, then exits. It also exits on its own once the child is gone, and the
 * parent stops it on an orderly shutdown.
 *
 * Polling every 500 ms, a leftover lives at most that long. The watchdog's command line deliberately
 * does not contain the child's name, so `pgrep -f DynamoDBLocal` only ever finds the real thing.
 */
import { spawn } from 'node:child_process';

const WATCHDOG_SOURCE = `
const [parentPid, childPid] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (error) { return error.code === 'EPERM'; } };
setInterval(() => {
  if (!alive(childPid)) process.exit(0);
  if (!alive(parentPid)) {
    try { process.kill(childPid, 'SIGKILL'); } catch (error) { process.exitCode = error.code === 'ESRCH' ? 0 : 1; }
    process.exit();
  }
}, 500);
`;

export interface OrphanWatchdog {
  readonly pid: number | undefined;
  stop(): void;
}

/** Start a watchdog that kills `childPid` if this process dies without doing it itself. */
export function startOrphanWatchdog(childPid: number): OrphanWatchdog {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(process.pid), String(childPid)], {
    detached: true,
    stdio: 'ignore',
    // The watchdog must not inherit NODE_OPTIONS such as a jest/tsx loader: plain Node is enough.
    env: { PATH: process.env.PATH ?? '' },
  });
  watchdog.unref();
  // A failure to start the watchdog only weakens the SIGKILL case; every other exit path is still covered.
  watchdog.on('error', (error) => {
    process.stderr.write(`[orphan-watchdog] could not start: ${error.message}\n`);
  });
  return {
    pid: watchdog.pid,
    stop: () => {
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    },
  };
}

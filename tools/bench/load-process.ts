/**
 * Runs the open-loop generator (load.ts) in a child Node process, so the schedule is never held
 * up by the pipeline's own event loop (the local stack runs every function, the HTTP API and the
 * SQS emulator in the benchmark's process). TypeScript is loaded in the child by tsx's loader.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoadPlan, LoadProgress, SendRecord } from './load';
import { parseFromChild, type ToChild } from './load-protocol';

export interface LoadProcessResult {
  readonly records: readonly SendRecord[];
  /** pid of the generator process (for its CPU use). */
  readonly pid: number;
}

export interface LoadProcessHandle {
  readonly pid: number;
  readonly done: Promise<LoadProcessResult>;
}

const CHILD_ENTRY = path.join(__dirname, 'load-child.ts');

export function startLoadProcess(
  plan: LoadPlan,
  onProgress: (progress: LoadProgress) => void,
): LoadProcessHandle {
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
  const child = fork(CHILD_ENTRY, [], {
    execArgv: ['--import', tsxLoader],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const pid = child.pid ?? -1;
  const done = new Promise<LoadProcessResult>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      if (child.exitCode === null) child.kill('SIGKILL');
      reject(error);
    };
    child.on('message', (raw: unknown) => {
      let message;
      try {
        message = parseFromChild(raw);
      } catch (error) {
        fail(new Error('load generator sent an invalid message', { cause: error }));
        return;
      }
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'failed') fail(new Error(`load generator failed: ${message.message}`));
      else {
        settled = true;
        resolve({ records: message.records, pid });
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      fail(new Error(`load generator exited early (code ${code}, signal ${signal})`)),
    );
  });
  const start: ToChild = { type: 'run', plan };
  child.send(start);
  return { pid, done };
}

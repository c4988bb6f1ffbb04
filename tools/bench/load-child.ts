/**
 * Entry of the load-generator process (spawned by load-process.ts): receives one plan over IPC,
 * runs the open loop, reports progress twice a second and the per-request records at the end.
 */
import { runOpenLoop } from './load';
import { parseToChild, type FromChild } from './load-protocol';

const PROGRESS_EVERY_MS = 500;

function reply(message: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) throw new Error('load-child.ts must be started with an IPC channel');
    process.send(message, undefined, undefined, () => resolve());
  });
}

// The benchmark went away (Ctrl-C, crash): stop sending at once.
process.once('disconnect', () => process.exit(0));

process.once('message', (message: unknown) => {
  void (async () => {
    try {
      const { plan } = parseToChild(message);
      const run = runOpenLoop(plan);
      const timer = setInterval(
        () => void reply({ type: 'progress', progress: run.progress() }),
        PROGRESS_EVERY_MS,
      );
      const records = await run.done;
      clearInterval(timer);
      await reply({ type: 'done', records });
    } catch (error) {
      await reply({
        type: 'failed',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    process.disconnect();
  })();
});

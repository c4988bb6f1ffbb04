/**
 * Test fixture (run as its own Node process by tests/integration/local-dynamodb-process.test.ts): starts
 * DynamoDB Local, prints `READY <java pid>`, and on a line on stdin leaves the way argv[2] says, so the
 * test can check the java child dies on every exit path of its parent:
 *   exit      process.exit(0)
 *   uncaught  an uncaught exception
 *   rejection an unhandled promise rejection
 *   signal    waits for the test to send SIGINT / SIGTERM / SIGHUP / SIGKILL
 */
import { startDynamoDbLocal } from '../emulators/dynamodb';

const mode = process.argv[2] ?? 'signal';

async function main(): Promise<void> {
  const dynamodb = await startDynamoDbLocal();
  process.stdout.write(`READY ${dynamodb.pid}\n`);
  await new Promise((resolve) => process.stdin.once('data', resolve));
  switch (mode) {
    case 'exit':
      process.exit(0);
      break;
    case 'uncaught':
      setTimeout(() => {
        throw new Error('probe: uncaught exception');
      }, 10);
      break;
    case 'rejection':
      setTimeout(() => void Promise.reject(new Error('probe: unhandled rejection')), 10);
      break;
    default:
      // Keep the process alive until a signal arrives.
      process.stdin.pause();
      setInterval(() => undefined, 60_000);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`probe failed: ${String(error)}\n`);
  process.exit(2);
});

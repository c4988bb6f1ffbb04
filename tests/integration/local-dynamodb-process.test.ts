/**
 * DynamoDB Local's `java` child must never outlive the Node process that started it: stop(), a normal
 * exit, an uncaught exception, an unhandled rejection, SIGINT/SIGTERM/SIGHUP and even SIGKILL (the
 * orphan watchdog). Each exit path runs in its own Node process (tools/local/testing/dynamodb-exit-probe.ts).
 * Also: the data survives a restart with persistDir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../tools/local/aws-clients';
import { startDynamoDbLocal } from '../../tools/local/emulators/dynamodb';
import { repoRoot } from '../../tools/local/paths';
import { waitFor } from '../support/stand-ins';

jest.setTimeout(60_000);

const PROBE = path.join(repoRoot, 'tools', 'local', 'testing', 'dynamodb-exit-probe.ts');

/** Alive and not a zombie (a zombie has exited; it only waits for its parent to reap it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = `/proc/${pid}/stat`;
  if (!fs.existsSync(stat)) return true;
  const state = fs.readFileSync(stat, 'utf8').split(') ')[1]?.charAt(0);
  return state !== 'Z' && state !== 'X';
}

interface Probe {
  child: ChildProcess;
  javaPid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startProbe(mode: string): Promise<Probe> {
  const child = spawn(process.execPath, ['--import', 'tsx', PROBE, mode], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`probe ${mode} did not start: ${output}`)), 45_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\d+)/.exec(output);
      if (ready?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, javaPid: Number(ready[1]), exited });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`probe ${mode} exited early (${String(code)}/${String(signal)}): ${output}`));
    });
  });
}

type ExitPath = {
  mode: 'exit' | 'uncaught' | 'rejection' | 'signal';
  signal?: NodeJS.Signals;
  expected: object;
};

/**
 * One representative of each mechanism by default (the `exit` hook, a handled signal, SIGKILL and the
 * watchdog), started in parallel: every probe boots a JVM. RTP_TEST_ALL_EXIT_PATHS=1 runs all of them.
 */
const EXIT_PATHS: ExitPath[] =
  process.env.RTP_TEST_ALL_EXIT_PATHS === '1'
    ? [
        { mode: 'exit', expected: { code: 0, signal: null } },
        { mode: 'uncaught', expected: { code: 1, signal: null } },
        { mode: 'rejection', expected: { code: 1, signal: null } },
        { mode: 'signal', signal: 'SIGINT', expected: { code: null, signal: 'SIGINT' } },
        { mode: 'signal', signal: 'SIGTERM', expected: { code: null, signal: 'SIGTERM' } },
        { mode: 'signal', signal: 'SIGHUP', expected: { code: null, signal: 'SIGHUP' } },
        { mode: 'signal', signal: 'SIGKILL', expected: { code: null, signal: 'SIGKILL' } },
      ]
    : [
        { mode: 'uncaught', expected: { code: 1, signal: null } },
        { mode: 'signal', signal: 'SIGTERM', expected: { code: null, signal: 'SIGTERM' } },
        { mode: 'signal', signal: 'SIGKILL', expected: { code: null, signal: 'SIGKILL' } },
      ];

describe('DynamoDB Local process lifecycle', () => {
  it(`kills the JVM whenever its parent ends (${EXIT_PATHS.map((path_) => path_.signal ?? path_.mode).join(', ')})`, async () => {
    const probes = await Promise.all(
      EXIT_PATHS.map(async (exitPath) => ({ exitPath, probe: await startProbe(exitPath.mode) })),
    );
    await Promise.all(
      probes.map(async ({ exitPath, probe }) => {
        expect(isAlive(probe.javaPid)).toBe(true);
        if (exitPath.signal !== undefined) probe.child.kill(exitPath.signal);
        else probe.child.stdin?.write('go\n');
        expect(await probe.exited).toEqual(exitPath.expected);
        // SIGKILL cannot be handled: the orphan watchdog (500 ms poll) does it.
        await waitFor(() => !isAlive(probe.javaPid), {
          timeoutMs: 5_000,
          what: `java ${probe.javaPid} to die`,
        });
      }),
    );
  });

  it('stop() terminates the JVM, and the data survives a restart with persistDir', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtp-ddb-'));
    try {
      const first = await startDynamoDbLocal({ persistDir: dir });
      expect(first.endpoint).toBe(`http://127.0.0.1:${first.port}`);
      const client = localDynamoDbClient(first.endpoint);
      await client.send(
        new CreateTableCommand({
          TableName: 'persisted',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      client.destroy();
      await first.stop();
      await first.stop(); // idempotent
      expect(isAlive(first.pid)).toBe(false);

      const second = await startDynamoDbLocal({ persistDir: dir });
      const again = localDynamoDbClient(second.endpoint);
      const { TableNames } = await again.send(new ListTablesCommand({}));
      again.destroy();
      await second.stop();
      expect(isAlive(second.pid)).toBe(false);
      expect(TableNames).toEqual(['persisted']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

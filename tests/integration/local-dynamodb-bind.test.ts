/**
 * DynamoDB Local listens on loopback only: from another address of this machine (standing in for
 * another host on its network) the port is closed, while 127.0.0.1 serves the API. A taken port
 * still fails fast.
 */
import { createServer, Socket } from 'node:net';
import os from 'node:os';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../../tools/local/aws-clients';
import { startDynamoDbLocal, type DynamoDbLocalHandle } from '../../tools/local/emulators/dynamodb';

jest.setTimeout(60_000);

/** Every address of this machine that is not loopback (IPv4 and IPv6, link-local excluded). */
function externalAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')))
    .map((a) => a.address);
}

/** 'connected' or the socket error code (ECONNREFUSED when nothing listens there). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(3_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.connect(port, host);
  });
}

let dynamodb: DynamoDbLocalHandle | undefined;
afterAll(async () => {
  await dynamodb?.stop();
});

describe('DynamoDB Local bind address', () => {
  const external = externalAddresses();

  it('answers on 127.0.0.1 and refuses connections on every other address of the machine', async () => {
    dynamodb = await startDynamoDbLocal();
    const client = localDynamoDbClient(dynamodb.endpoint, { region: 'us-east-1' });
    try {
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    } finally {
      client.destroy();
    }
    expect(await tryConnect('127.0.0.1', dynamodb.port)).toBe('connected');
    if (external.length === 0) {
      // Only loopback on this machine: nothing else to connect from (the loopback check above still ran).
      console.warn('no non-loopback address on this machine: the refusal check was skipped');
      return;
    }
    for (const address of external) {
      expect([address, await tryConnect(address, dynamodb.port)]).toEqual([address, 'ECONNREFUSED']);
    }
  });

  it('fails fast with a clear error when 127.0.0.1:<port> is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      await expect(startDynamoDbLocal({ port: address.port })).rejects.toThrow(/in use|taken|EADDRINUSE/i);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

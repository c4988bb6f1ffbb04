import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mergeSecretsFile } from './secrets-file';
import { seedDemoData } from './seed';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rtp-seed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string): Record<string, string> => JSON.parse(readFileSync(file, 'utf8'));
const modeOf = (file: string): number => statSync(file).mode & 0o777;

/** Accepts every write (the seeding only puts items); the secrets file is real. */
const acceptingDb = { send: async () => ({}) } as unknown as DynamoDBDocumentClient;

describe('mergeSecretsFile', () => {
  it('creates the file 0600 when there is none', () => {
    const file = path.join(dir, 'nested', 'secrets.json');
    mergeSecretsFile(file, { a: '1' });
    expect(read(file)).toEqual({ a: '1' });
    expect(modeOf(file)).toBe(0o600);
  });

  it('keeps other entries, refreshes the given ones, tightens the mode, leaves no temporary file', () => {
    const file = path.join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ keep: 'k', demo: 'old' }), { mode: 0o644 });
    const before = statSync(file).ino;
    mergeSecretsFile(file, { demo: 'new' });
    expect(read(file)).toEqual({ keep: 'k', demo: 'new' });
    expect(modeOf(file)).toBe(0o600);
    // Replaced by a rename (a new inode), never rewritten in place.
    expect(statSync(file).ino).not.toBe(before);
    expect(readdirSync(dir)).toEqual(['secrets.json']);
  });

  it('refuses to replace a file it cannot read as a JSON object (it may hold the only copy)', () => {
    const file = path.join(dir, 'secrets.json');
    writeFileSync(file, '{"half":');
    expect(() => mergeSecretsFile(file, { a: '1' })).toThrow('is not valid JSON');
    writeFileSync(file, '[1]');
    expect(() => mergeSecretsFile(file, { a: '1' })).toThrow('is not a JSON object');
    expect(readFileSync(file, 'utf8')).toBe('[1]');
    expect(readdirSync(dir)).toEqual(['secrets.json']);
  });
});

describe('seedDemoData (npm start, --persist)', () => {
  it('keeps the secrets of partners onboarded earlier and refreshes only the demo partner', async () => {
    const secretsFile = path.join(dir, 'secrets.json');
    const options = {
      documents: acceptingDb,
      tables: { payments: 'p', ledger: 'l', partners: 'pt' },
      secretPrefix: 'rtp/local/',
      secretsFile,
      stateDir: path.join(dir, 'state'),
    };
    const first = await seedDemoData(options);
    // A partner onboarded after the first start.
    mergeSecretsFile(secretsFile, { 'rtp/local/acme-hmac-1': 'acme-secret' });

    const second = await seedDemoData(options);
    expect(second.hmac.secret).not.toBe(first.hmac.secret);
    expect(read(secretsFile)).toEqual({
      'rtp/local/acme-hmac-1': 'acme-secret',
      [`rtp/local/${second.hmac.keyId}`]: second.hmac.secret,
    });
    expect(modeOf(secretsFile)).toBe(0o600);
  });
});

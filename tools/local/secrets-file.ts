/**
 * The local stand-in for Secrets Manager is one JSON file `{ "<secret name>": "<value>" }`
 * (read by LocalFileSecretSource). Writers merge into it, never overwrite it: `npm start --
 * --persist` keeps the partners table across restarts, so the secrets of partners onboarded
 * earlier must survive the demo seeding too. Written 0600 and atomically (a temporary file in
 * the same folder, renamed over the old one): a reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

function readSecrets(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // Refuse rather than replace it: the file may hold the only copy of partners' secrets.
    throw new Error(`local secrets file ${file} is not valid JSON: fix or remove it`, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`local secrets file ${file} is not a JSON object: fix or remove it`);
  }
  return json as Record<string, unknown>;
}

/** Writes `text` to `file` with mode 0600 through a temporary file and a rename. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Adds or refreshes `secrets` in the file, keeping every other entry. */
export function mergeSecretsFile(file: string, secrets: Readonly<Record<string, string>>): void {
  writeFileAtomic(file, `${JSON.stringify({ ...readSecrets(file), ...secrets }, null, 2)}\n`);
}

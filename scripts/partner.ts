/**
 * Partner CLI: `npm run partner -- send <file> | status <paymentId> | sign <file> [options]`.
 * Run with tsx. All logic lives in shared/partner-client/cli.ts; this file wires it to the process.
 *
 * Defaults: when the local stack is running, `npm start` writes `.local/partner.env` with the
 * demo partner's base URL, key id and secret; values from it apply unless the environment or a
 * flag says otherwise, so `npm run partner -- send <file>` works with no setup.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runPartnerCli } from '../shared/partner-client/cli';

function localDefaults(): Record<string, string> {
  const file = path.resolve(__dirname, '../.local/partner.env');
  if (!existsSync(file)) return {};
  const defaults: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^(?:export\s+)?(RTP_[A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) defaults[match[1]] = match[2].replace(/^'(.*)'$/, '$1');
  }
  return defaults;
}

runPartnerCli(process.argv.slice(2), {
  env: { ...localDefaults(), ...process.env },
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  readFile: (file) => readFileSync(file),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);

/**
 * Locating installed npm packages by directory, for the few cases where `require.resolve` cannot be used
 * (ES-module-only packages whose `exports` map has no CommonJS condition, CLI entry points).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const requireFromHere = createRequire(__filename);

/** The first `node_modules/<name>` directory on this module's resolution path. */
export function findPackageDir(name: string): string {
  const searchPaths = requireFromHere.resolve.paths(name) ?? [];
  for (const dir of searchPaths) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`Cannot find the ${name} package (searched ${searchPaths.join(', ')}). Run npm install.`);
}

export interface InstalledPackage {
  readonly dir: string;
  readonly version: string;
  readonly bin: Readonly<Record<string, string>>;
}

export function readInstalledPackage(name: string): InstalledPackage {
  const dir = findPackageDir(name);
  const manifest: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  if (typeof manifest !== 'object' || manifest === null) throw new Error(`${name}: unreadable package.json`);
  const version =
    'version' in manifest && typeof manifest.version === 'string' ? manifest.version : undefined;
  if (version === undefined) throw new Error(`${name}: package.json has no version`);
  const bin: Record<string, string> = {};
  if ('bin' in manifest && typeof manifest.bin === 'object' && manifest.bin !== null) {
    for (const [command, file] of Object.entries(manifest.bin)) {
      if (typeof file === 'string') bin[command] = file;
    }
  }
  return { dir, version, bin };
}

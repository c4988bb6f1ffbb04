#!/usr/bin/env node
/**
 * Completes package-lock.json with entries for platform-specific optional packages.
 *
 * The npm registry mirror these machines use serves only the packages for this platform
 * (linux x64): `npm install` then silently leaves the other platforms' optional binaries
 * (@swc/core-darwin-arm64, @unrs/resolver-binding-win32-x64-msvc, ...) out of the lock file,
 * and `npm ci` refuses the lock file as out of sync. This adds the missing entries, marked
 * optional with their os/cpu, as a lock written against the full registry would have them;
 * npm ci skips them on other platforms. Run it after any `npm install` that touched the lock:
 *
 *   node scripts/complete-lockfile.cjs
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));

const OS = [['darwin', 'darwin'], ['win32', 'win32'], ['freebsd', 'freebsd'], ['android', 'android'], ['openharmony', 'openharmony'], ['linux', 'linux']];
const CPU = [['arm64', 'arm64'], ['aarch64', 'arm64'], ['ia32', 'ia32'], ['x64', 'x64'], ['arm-', 'arm'], ['ppc64', 'ppc64'], ['s390x', 's390x'], ['riscv64', 'riscv64'], ['loong64', 'loong64']];
const pick = (table, name) => table.find(([needle]) => name.includes(needle))?.[1];

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = location === '' ? `node_modules/${name}` : `${location}/node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const os = pick(OS, name);
    const cpu = pick(CPU, name);
    if (!os || !cpu) continue; // not a platform binary: leave it to npm
    lock.packages[`node_modules/${name}`] = { version: spec, optional: true, os: [os], cpu: [cpu] };
    added++;
  }
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform-specific optional package(s) added`);

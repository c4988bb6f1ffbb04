/**
 * The README's folder map and the tree stay in step: every folder the map names exists, and
 * every folder a newcomer would look for (each top-level folder, each folder of shared/,
 * shared/edges/ and tools/) is on the map.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function mapEntries(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('The folder map');
  const block = readme.slice(start).split('```')[1] ?? '';
  return block
    .split('\n')
    .map((line) => /^(\S+\/)\s/.exec(line)?.[1])
    .filter((entry): entry is string => entry !== undefined);
}

/** Folders holding tracked files, as `a/`, `a/b/`, ... (from git, so ignored output is left out). */
function trackedFolders(): Set<string> {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(`${parts.slice(0, i).join('/')}/`);
  }
  return folders;
}

describe("README's folder map", () => {
  const entries = mapEntries();
  const folders = trackedFolders();
  // A folder is on the map itself, or through the entries of its sub-folders.
  const onMap = (folder: string) => entries.some((e) => e.startsWith(folder));

  it('has entries', () => {
    expect(entries.length).toBeGreaterThan(10);
  });

  it('names only folders that exist', () => {
    const missing = entries.filter((e) => e !== 'functions/<name>/' && !folders.has(e));
    expect(missing).toEqual([]);
  });

  it('names every top-level folder and every folder of shared/, shared/edges/ and tools/', () => {
    const wanted = [...folders].filter((f) => {
      const depth = f.split('/').length - 1;
      if (f.startsWith('.')) return false;
      if (depth === 1) return true;
      return depth === 2 && (f.startsWith('shared/') || f.startsWith('tools/'))
        ? true
        : depth === 3 && f.startsWith('shared/edges/');
    });
    const offMap = wanted.filter((f) => !onMap(f));
    expect(offMap).toEqual([]);
  });
});

/**
 * Runs ESLint's Node API on the repository's eslint.config.mjs, for
 * tests/integration/architecture.test.ts. A separate Node process because ESLint loads its
 * (ES module) config with import(), which jest's CommonJS runtime does not support.
 *
 *   node tests/support/lint.mjs '<json requests>'   ->   JSON answers on stdout
 *
 * A request is { text, filePath } (lint a snippet as if it were that file),
 * { files: [...], length: { files, max } } (lint files with a max-lines-per-function limit for
 * some of them) or { house: true } (the rule data the config exports).
 * An answer is { messages: [{ file, ruleId, line, message }] } or the house data.
 */
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { house } = await import(path.join(root, 'eslint.config.mjs'));

const flatten = (results) =>
  results.flatMap((r) =>
    r.messages.map((m) => ({
      file: path.relative(root, r.filePath),
      ruleId: m.ruleId,
      line: m.line,
      message: m.message,
    })),
  );

async function answer(request) {
  if (request.house) {
    const { lengthRule: _r, ...data } = house;
    return data;
  }
  const overrideConfig = [];
  if (request.length) {
    overrideConfig.push({
      files: request.length.files,
      ignores: house.testFiles,
      rules: { 'max-lines-per-function': house.lengthRule(request.length.max) },
    });
  }
  const eslint = new ESLint({ cwd: root, overrideConfig });
  const results =
    request.text !== undefined
      ? await eslint.lintText(request.text, { filePath: path.join(root, request.filePath) })
      : await eslint.lintFiles(request.files);
  return { messages: flatten(results) };
}

const requests = JSON.parse(process.argv[2]);
const answers = [];
for (const request of requests) answers.push(await answer(request));
process.stdout.write(JSON.stringify(answers));

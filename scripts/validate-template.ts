/**
 * Validates CloudFormation templates against the official resource specification
 * (tests/support/cfn-spec.ts): `npx tsx scripts/validate-template.ts <template.json>...`,
 * e.g. `.serverless/cloudformation-template-update-stack.json` after `sls package --stage <s>`.
 * Prints one line per problem; exits 1 if there is any.
 */
import { readFileSync } from 'node:fs';
import { formatProblems, validateTemplate } from '../tests/support/cfn-spec';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: tsx scripts/validate-template.ts <template.json>...');
  process.exit(2);
}
let failed = false;
function readTemplate(file: string): Parameters<typeof validateTemplate>[0] | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof validateTemplate>[0];
  } catch (error) {
    console.error(`${file}: cannot read a JSON template (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

for (const file of files) {
  const template = readTemplate(file);
  if (template === undefined) {
    failed = true;
    continue;
  }
  const problems = validateTemplate(template);
  if (problems.length === 0) console.log(`${file}: valid against the CloudFormation resource specification`);
  else {
    failed = true;
    console.log(`${file}: ${problems.length} problem(s)\n${formatProblems(problems)}`);
  }
}
process.exit(failed ? 1 : 0);

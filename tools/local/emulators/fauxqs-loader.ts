/**
 * Loads fauxqs 1.9.x, an ES-module-only package whose `exports` map offers only an `import` condition.
 * That map is what breaks `import ... from 'fauxqs'` under jest: jest resolves CommonJS conditions (and in
 * `globalSetup`, Node's own `require` does), finds no match and reports "Cannot find module 'fauxqs'".
 *
 * We therefore locate the package directory ourselves and `require()` its files by absolute path (an
 * absolute path is not subject to the `exports` map). Node 20.19+ can `require()` an ES module (fauxqs
 * has no top-level await); under jest's transform the files are compiled to CommonJS by swc. Besides the
 * public `buildApp`, we need the store classes so we can hand `buildApp` an SqsStore whose queue URLs we
 * control (see sqs.ts); they live in fauxqs's `dist/` and are checked at load time.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as FauxqsApi from 'fauxqs';
import { readInstalledPackage } from '../packages';

type FauxqsStores = NonNullable<FauxqsApi.BuildAppOptions['stores']>;
export type FauxqsSqsStore = FauxqsStores['sqsStore'];

export interface FauxqsModules {
  readonly version: string;
  readonly buildApp: typeof FauxqsApi.buildApp;
  readonly SqsStore: new () => FauxqsStores['sqsStore'];
  readonly SnsStore: new () => FauxqsStores['snsStore'];
  readonly S3Store: new () => FauxqsStores['s3Store'];
}

const requireFromHere = createRequire(__filename);
let cached: FauxqsModules | undefined;

export function loadFauxqs(): FauxqsModules {
  cached ??= load();
  return cached;
}

function load(): FauxqsModules {
  const { dir: packageDir, version } = readInstalledPackage('fauxqs');
  if (!version.startsWith('1.')) {
    throw new Error(
      `tools/local/emulators expects fauxqs 1.x (2.x needs node:sqlite, i.e. Node 22), found ${version} in ${packageDir}`,
    );
  }
  const loadFile = (relative: string): Record<string, unknown> => {
    const file = path.join(packageDir, relative);
    const loaded: unknown = requireFromHere(file);
    if (typeof loaded !== 'object' || loaded === null)
      throw new Error(`fauxqs: ${file} did not load as a module`);
    return loaded as Record<string, unknown>;
  };
  const app = loadFile('dist/app.js');
  const sqs = loadFile('dist/sqs/sqsStore.js');
  const sns = loadFile('dist/sns/snsStore.js');
  const s3 = loadFile('dist/s3/s3Store.js');
  return {
    version,
    buildApp: requireFunction<typeof FauxqsApi.buildApp>(app, 'buildApp'),
    SqsStore: requireFunction<new () => FauxqsStores['sqsStore']>(sqs, 'SqsStore'),
    SnsStore: requireFunction<new () => FauxqsStores['snsStore']>(sns, 'SnsStore'),
    S3Store: requireFunction<new () => FauxqsStores['s3Store']>(s3, 'S3Store'),
  };
}

/**
 * The one unchecked step: a value we verified to be a function is given the type fauxqs's own .d.ts
 * declares for it.
 */
function requireFunction<T>(moduleExports: Record<string, unknown>, name: string): T {
  const value = moduleExports[name];
  if (typeof value !== 'function') {
    throw new Error(`fauxqs: export ${name} is missing (internals changed?); pin fauxqs 1.9.x`);
  }
  return value as T;
}

import fc from 'fast-check';
import { classifyKey } from '../redaction';

/**
 * fast-check arbitraries for the redaction property tests: a random nested tree of innocent
 * data (plain keys, short lower-case words, small numbers) into which sensitive values are
 * planted, each with the strings that must never come out of redaction. Sensitive values have
 * shapes the innocent data cannot produce (digits, capitals, spaces, >= 5 characters), so a
 * forbidden string found in the output can only be a leak.
 */

export interface PlantedTree {
  readonly tree: Record<string, unknown>;
  readonly forbidden: readonly string[];
}

interface Plant {
  readonly key: string;
  readonly value: unknown;
  readonly forbidden: readonly string[];
  readonly at: number;
}

const word = fc.stringMatching(/^[a-z]{1,8}$/);
const plainKey = word.filter((k) => classifyKey(k) === 'plain');
const leaf = fc.oneof(word, fc.integer({ min: 0, max: 9_999 }), fc.boolean(), fc.constant(null));

const innocent = fc.letrec<{ tree: unknown; object: Record<string, unknown>; array: unknown[] }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), tie('array')),
  object: fc.dictionary(plainKey, tie('tree'), { maxKeys: 4 }),
  array: fc.array(tie('tree'), { maxLength: 3 }),
})).object;

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const routing = digits(9, 9);
const accountNumber = digits(5, 17);
const ledgerAccount = fc.tuple(routing, accountNumber).map(([r, a]) => `${r}:${a}`);
const iban = fc
  .tuple(fc.constantFrom('DE', 'FR', 'GB', 'NL'), digits(2, 2), fc.stringMatching(/^[A-Z0-9]{14,26}$/))
  .map(([c, k, b]) => `${c}${k}${b}`);
const anyAccount = fc.oneof(
  ledgerAccount,
  iban,
  accountNumber,
  fc.stringMatching(/^[A-Z0-9]{5,20}$/).filter((a) => /[0-9]/.test(a)),
);
/** base64-ish, 12+ characters, with a digit and a capital: never innocent data. */
const secret = fc
  .stringMatching(/^[A-Za-z0-9+/_-]{12,40}={0,2}$/)
  .filter((s) => /[0-9]/.test(s) && /[A-Z]/.test(s));
const personName = fc
  .tuple(fc.stringMatching(/^[A-Z][a-z]{2,9}$/), fc.stringMatching(/^[A-Z][a-z]{2,11}$/))
  .map(([first, last]) => `${first} ${last}`);
const streetLine = fc
  .tuple(fc.integer({ min: 1, max: 999 }), fc.stringMatching(/^[A-Z][a-z]{3,10}$/))
  .map(([n, s]) => `${n} ${s} Street`);

const secretKey = fc.constantFrom(
  'secret',
  'clientSecret',
  'password',
  'Authorization',
  'authorization',
  'Signature',
  'signature',
  'Signature-Input',
  'signature_input',
  'x-api-key',
  'apiKey',
  'privateKey',
  'token',
  'accessToken',
  'hmacSecret',
  'Cookie',
  'body',
  'rawBody',
  'payload',
  'SecretString',
);
const personalKey = fc.constantFrom(
  'Nm',
  'debtorName',
  'creditorName',
  'Dbtr',
  'Cdtr',
  'UltmtDbtr',
  'UltmtCdtr',
  'PstlAdr',
  'AdrLine',
  'address',
  'postalAddress',
  'email',
  'phone',
  'fullName',
  'firstName',
  'lastName',
  'Ustrd',
  'debtor',
  'creditor',
);
const accountKey = fc.constantFrom(
  'debtorAccount',
  'creditorAccount',
  'account',
  'accountId',
  'accountNumber',
  'iban',
  'IBAN',
  'DbtrAcct',
  'CdtrAcct',
  'acctId',
  'Prxy',
  'debtor_account',
  'CREDITOR-ACCOUNT',
);

/** Forbidden parts of an account: the whole value, and (for ledger ids) the account number. */
const accountForbidden = (account: string): string[] => {
  const parts = [account];
  const number = account.split(':')[1];
  if (number !== undefined && number.length >= 5) parts.push(number);
  return parts;
};

/** A value in a sensitive subtree: a string, or that string nested in an object / array. */
const nestedIn = <T>(value: fc.Arbitrary<T>) =>
  value.chain((v) =>
    fc
      .oneof(
        fc.constant<unknown>(v),
        fc.constant<unknown>({ Id: { Othr: { Id: v } } }),
        fc.constant<unknown>([v]),
      )
      .map((wrapped) => ({ v, wrapped })),
  );

const at = fc.nat();

/** An error with a fixed one-line stack (real stacks hold line numbers that could look like accounts). */
function errorWith(message: string, extra: Record<string, unknown> = {}): Error {
  const { cause, ...props } = extra;
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.stack = `Error: ${message}\n    at settle (handler.ts:1:1)`;
  return Object.assign(error, props);
}

const plants: fc.Arbitrary<Plant>[] = [
  // secrets and signatures under their keys
  fc
    .record({ key: secretKey, s: nestedIn(secret), at })
    .map(({ key, s, at }) => ({ key, value: s.wrapped, forbidden: [s.v], at })),
  // names and addresses under their keys
  fc
    .record({ key: personalKey, name: personName, street: streetLine, at })
    .map(({ key, name, street, at }) => ({
      key,
      value: { Nm: name, PstlAdr: { AdrLine: [street] } },
      forbidden: [name, street],
      at,
    })),
  fc
    .record({ key: personalKey, name: personName, at })
    .map(({ key, name, at }) => ({ key, value: name, forbidden: [name], at })),
  // accounts under their keys (string, number, ISO nesting)
  fc
    .record({ key: accountKey, a: nestedIn(anyAccount), at })
    .map(({ key, a, at }) => ({ key, value: a.wrapped, forbidden: accountForbidden(a.v), at })),
  fc
    .record({ key: accountKey, n: fc.integer({ min: 10_000, max: Number.MAX_SAFE_INTEGER }), at })
    .map(({ key, n, at }) => ({
      key,
      value: n,
      forbidden: [String(n)],
      at,
    })),
  // sensitive values inside innocent-looking strings
  fc
    .record({ key: plainKey, pre: word, a: fc.oneof(ledgerAccount, iban), at })
    .map(({ key, pre, a, at }) => ({
      key,
      value: `${pre} ${a} failed`,
      forbidden: accountForbidden(a),
      at,
    })),
  fc.record({ key: plainKey, s: secret, at }).map(({ key, s, at }) => ({
    key,
    value: `signature: sig1=:${s}:, input: sig1=("@method" "@target-uri");created=1;keyid="k";nonce="${s}"`,
    forbidden: [s],
    at,
  })),
  fc
    .record({
      key: plainKey,
      s: secret.filter((t) => /^[A-Za-z0-9._~+/-]+=*$/.test(t)),
      scheme: fc.constantFrom('Bearer', 'Basic'),
      at,
    })
    .map(({ key, s, scheme, at }) => ({ key, value: `Authorization: ${scheme} ${s}`, forbidden: [s], at })),
  fc.record({ key: plainKey, s: secret, at }).map(({ key, s, at }) => ({
    key,
    value: `-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----`,
    forbidden: [s],
    at,
  })),
  fc.record({ key: plainKey, name: personName, a: ledgerAccount, at }).map(({ key, name, a, at }) => ({
    key,
    value: JSON.stringify({ debtorName: name, debtorAccount: a, amountMinor: 5 }),
    forbidden: [name, ...accountForbidden(a)],
    at,
  })),
  fc
    .record({ key: plainKey, name: personName, street: streetLine, n: accountNumber, at })
    .map(({ key, name, street, n, at }) => ({
      key,
      value: `<CdtTrfTxInf><Dbtr><Nm>${name}</Nm><PstlAdr><AdrLine>${street}</AdrLine></PstlAdr></Dbtr><DbtrAcct><Id><Othr><Id>${n}</Id></Othr></Id></DbtrAcct></CdtTrfTxInf>`,
      forbidden: [name, street, n],
      at,
    })),
  // errors carrying sensitive data in their message and properties
  fc.record({ a: ledgerAccount, name: personName, at }).map(({ a, name, at }) => ({
    key: 'error',
    value: errorWith(`settle failed for ${a}`, {
      cause: errorWith(`creditor ${a}`),
      debtorName: name,
      debtorAccount: a,
    }),
    forbidden: [name, ...accountForbidden(a)],
    at,
  })),
];

/** Every object node of a tree (the root included), where plants can go. */
function objectNodes(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) for (const item of node) objectNodes(item, out);
  else if (typeof node === 'object' && node !== null) {
    out.push(node as Record<string, unknown>);
    for (const value of Object.values(node)) objectNodes(value, out);
  }
  return out;
}

export function plantedTree(): fc.Arbitrary<PlantedTree> {
  return fc
    .record({ tree: innocent, plants: fc.array(fc.oneof(...plants), { minLength: 1, maxLength: 6 }) })
    .map(({ tree, plants }) => {
      const root: Record<string, unknown> = structuredClone(tree);
      const forbidden: string[] = [];
      for (const plant of plants) {
        const nodes = objectNodes(root);
        const node = nodes[plant.at % nodes.length] ?? root;
        node[plant.key] = plant.value;
        forbidden.push(...plant.forbidden);
      }
      return { tree: root, forbidden };
    });
}

/** Asserts that none of the forbidden strings occurs in the output. */
export function forbiddenValuesStayOut(output: string, forbidden: readonly string[]): void {
  for (const value of forbidden) {
    if (output.includes(value)) throw new Error(`leaked ${JSON.stringify(value)} in ${output}`);
  }
}

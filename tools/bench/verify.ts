/**
 * Median cost of one partner-request verification (in-memory key resolver and nonce store).
 * `npx tsx tools/bench/verify.ts [iterations]`. Each iteration verifies a copy of one signed
 * request under a fresh nonce (signed before timing starts), since a repeated nonce is a replay.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  createRequestVerifier,
  InMemoryNonceStore,
  InMemoryPartnerKeys,
  signRequest,
  type SignatureAlgorithm,
} from '../../shared/auth';

const ITERATIONS = Number(process.argv[2] ?? 5000);
const WARMUP = 500;

async function bench(alg: SignatureAlgorithm): Promise<number> {
  const secret = randomBytes(32);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keys = new InMemoryPartnerKeys([
    alg === 'hmac-sha256'
      ? { keyId: 'k', partnerId: 'p', partnerStatus: 'ACTIVE', alg, secret }
      : { keyId: 'k', partnerId: 'p', partnerStatus: 'ACTIVE', alg, publicKey },
  ]);
  const now = Date.now();
  const verify = createRequestVerifier({ keys, nonces: new InMemoryNonceStore(() => now), now: () => now });

  // A typical pacs.008 submission: ~4 KB of XML.
  const body = Buffer.from(`<Document>${'x'.repeat(4000)}</Document>`);
  const message = {
    method: 'POST',
    targetUri: 'https://api.example.com/v1/payments',
    headers: { 'content-type': 'application/xml', host: 'api.example.com' },
    body,
  };
  const requests = Array.from({ length: WARMUP + ITERATIONS }, () => ({
    ...message,
    headers: {
      ...message.headers,
      ...signRequest(message, {
        keyId: 'k',
        alg,
        key: alg === 'hmac-sha256' ? secret : privateKey,
        created: Math.floor(now / 1000),
      }),
    },
  }));

  const samples: number[] = [];
  for (const [i, req] of requests.entries()) {
    const start = performance.now();
    await verify(req);
    if (i >= WARMUP) samples.push((performance.now() - start) * 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  for (const alg of ['hmac-sha256', 'ed25519'] as const) {
    const median = await bench(alg);
    console.log(`${alg}: median verify ${median.toFixed(1)} µs over ${ITERATIONS} requests (4 KB body)`);
  }
}

void main();

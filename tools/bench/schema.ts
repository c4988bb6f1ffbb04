/**
 * Cost of the XSD check per message (tools/bench/schema-cost.ts), per sample:
 *
 *   npx tsx tools/bench/schema.ts [iterations]
 */
import { measureSchemaCost } from './schema-cost';
import { closeSchemaValidator } from '../../shared/iso20022/schema';

const iterations = Number(process.argv[2] ?? 2000);
const cost = measureSchemaCost(iterations, 200);
console.log(`First use of the schemas (worker start + wasm + compile): ${cost.firstUseMs.toFixed(1)} ms`);
console.log(`Schema check per message, ${iterations} iterations per sample (us):`);
console.table(
  cost.cases.map((c) => ({
    case: c.sample,
    bytes: c.bytes,
    medianUs: c.medianUs.toFixed(1),
    p95Us: c.p95Us.toFixed(1),
  })),
);
console.log(`all samples: median ${cost.medianUs.toFixed(1)} us, p95 ${cost.p95Us.toFixed(1)} us`);
closeSchemaValidator();

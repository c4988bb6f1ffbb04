import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePaymentMessage, toPaymentInstruction, validatePacs008 } from './index';

/** The README examples are real: both validate and map to the same instruction. */
describe('README examples', () => {
  const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
  const block = (lang: string) => {
    const found = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme)?.[1];
    if (!found) throw new Error(`no ${lang} block in README`);
    return found;
  };
  const partner = { partnerId: 'bank-a', agentIds: ['011104238'] };
  const run = (body: string, contentType: string) =>
    toPaymentInstruction(
      validatePacs008(parsePaymentMessage({ body, contentType }), { partner }),
      partner.partnerId,
    );

  it('the XML and JSON examples are the same valid payment', () => {
    const fromXml = run(block('xml'), 'application/xml');
    expect(fromXml.creditorAccount).toBe('021040078:tel:+15555550100');
    expect(run(block('json'), 'application/json')).toEqual(fromXml);
  });
});

import fc from 'fast-check';
import { FakePaymentStore } from '../testing/fakes';
import { instruction } from '../testing/builders';
import { MalformedRequestError, NotFoundError } from '../domain/errors';
import type { Payment } from '../domain/payment';
import {
  findPaymentByEveryReference,
  referenceMismatches,
  sameDateTime,
  type PaymentQueryReferences,
  type QueryReferenceField,
} from './query';

function isoPayment(
  paymentId: string,
  refs: Payment['references'],
  overrides: Partial<Payment> = {},
): Payment {
  return {
    ...instruction({ references: refs, source: 'pacs.008' }),
    paymentId,
    status: 'SETTLED',
    createdAt: '2023-06-04T14:55:27.000Z',
    deadline: '2023-06-04T14:55:47.000Z',
    version: 3,
    iso: {
      rail: 'fednow',
      envelope: 'document',
      format: 'xml',
      msgNmId: 'pacs.008.001.08',
      creDtTm: '2023-06-04T10:55:26-04:00',
    },
    ...overrides,
  };
}

/** The FedNow samples: Scenario 1 was sent; Scenario 5's pacs.028 reuses its UETR, nothing else. */
const SCENARIO1 = isoPayment('p-sc1', {
  msgId: '20230604011104238Sc01Step1MsgId',
  endToEndId: 'Scenario01EtoEId001',
  instrId: 'Scenario01InstrId001',
  uetr: '8a562c67-ca16-48ba-b074-65581be6f011',
});
const SCENARIO5_REQUEST: PaymentQueryReferences = {
  msgId: '20230604011104238Sc05Step1MsgId',
  msgNmId: 'pacs.008.001.08',
  creDtTm: '2023-06-04T10:55:26-04:00',
  instrId: 'Scenario05InstrId001',
  endToEndId: 'Scenario05EtoEId001',
  uetr: '8a562c67-ca16-48ba-b074-65581be6f011',
};

const FULL_SCENARIO1_REQUEST: PaymentQueryReferences = {
  msgId: '20230604011104238Sc01Step1MsgId',
  msgNmId: 'pacs.008.001.08',
  creDtTm: '2023-06-04T10:55:26-04:00',
  instrId: 'Scenario01InstrId001',
  endToEndId: 'Scenario01EtoEId001',
  uetr: '8A562C67-CA16-48BA-B074-65581BE6F011',
};

async function storeWith(...payments: Payment[]): Promise<FakePaymentStore> {
  const store = new FakePaymentStore();
  for (const p of payments) expect((await store.create(p)).created).toBe(true);
  return store;
}

describe('referenceMismatches', () => {
  it('finds the FedNow Scenario 5 request does not name Scenario 1, though it carries its UETR', () => {
    expect(referenceMismatches(SCENARIO1, SCENARIO5_REQUEST).sort()).toEqual([
      'endToEndId',
      'instrId',
      'msgId',
    ]);
    expect(referenceMismatches(SCENARIO1, FULL_SCENARIO1_REQUEST)).toEqual([]);
  });

  it('does not match a reference the payment does not have', () => {
    expect(referenceMismatches(SCENARIO1, { endToEndId: 'Scenario01EtoEId001', txId: 'T1' })).toEqual([
      'txId',
    ]);
    const json = { ...SCENARIO1, source: 'json' as const, iso: undefined };
    expect(
      referenceMismatches(json, { endToEndId: 'Scenario01EtoEId001', msgNmId: 'pacs.008.001.08' }),
    ).toEqual(['msgNmId']);
  });

  it('compares OrgnlCreDtTm as an instant when both carry an offset, as text otherwise', () => {
    expect(sameDateTime('2023-06-04T10:55:26-04:00', '2023-06-04T14:55:26.000Z')).toBe(true);
    expect(sameDateTime('2023-06-04T10:55:26-04:00', '2023-06-04T10:55:27-04:00')).toBe(false);
    expect(sameDateTime('2023-06-04T10:55:26', '2023-06-04T10:55:26')).toBe(true);
    expect(sameDateTime('2023-06-04T10:55:26', '2023-06-04T10:55:26Z')).toBe(false);
    expect(sameDateTime('not a date+00:00', 'not a date+00:00 ')).toBe(false);
    expect(
      referenceMismatches(SCENARIO1, { uetr: SCENARIO1.references.uetr, creDtTm: '2023-06-04T14:55:26Z' }),
    ).toEqual([]);
  });

  it('property: a request matches iff every reference it gives is the payment own (mixed, altered, missing)', () => {
    const text = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
    const fields: QueryReferenceField[] = [
      'msgId',
      'msgNmId',
      'creDtTm',
      'endToEndId',
      'instrId',
      'txId',
      'uetr',
    ];
    fc.assert(
      fc.property(
        fc.record({
          msgId: fc.option(text, { nil: undefined }),
          endToEndId: text,
          instrId: fc.option(text, { nil: undefined }),
          txId: fc.option(text, { nil: undefined }),
          uetr: fc.option(fc.uuid({ version: 4 }), { nil: undefined }),
        }),
        // Per field: left out, given as the payment's own, or given altered.
        fc.array(fc.constantFrom('absent', 'own', 'altered'), {
          minLength: fields.length,
          maxLength: fields.length,
        }),
        fc.boolean(),
        (rawRefs, choices, upperUetr) => {
          const refs = {
            ...Object.fromEntries(Object.entries(rawRefs).filter(([, v]) => v !== undefined)),
            endToEndId: rawRefs.endToEndId,
          } as Payment['references'];
          const payment = isoPayment('p', refs);
          const own: Record<QueryReferenceField, string | undefined> = {
            ...refs,
            msgNmId: payment.iso?.msgNmId,
            creDtTm: payment.iso?.creDtTm,
          } as Record<QueryReferenceField, string | undefined>;
          const request: Record<string, string> = {};
          const expected: QueryReferenceField[] = [];
          fields.forEach((field, i) => {
            const choice = choices[i];
            const value = own[field];
            if (choice === 'own' && value !== undefined) {
              request[field] = field === 'uetr' && upperUetr ? value.toUpperCase() : value;
            } else if (choice === 'altered' || (choice === 'own' && value === undefined)) {
              request[field] = field === 'creDtTm' ? '2023-06-04T10:55:27-04:00' : `${value ?? ''}X`;
              expected.push(field);
            }
          });
          expect(referenceMismatches(payment, request).sort()).toEqual(expected.sort());
        },
      ),
    );
  });
});

describe('findPaymentByEveryReference', () => {
  const SCENARIO5 = isoPayment('p-sc5', {
    msgId: '20230604011104238Sc05Step1MsgId',
    endToEndId: 'Scenario05EtoEId001',
    instrId: 'Scenario05InstrId001',
  });

  it('answers the payment every reference names', async () => {
    const store = await storeWith(SCENARIO1);
    await expect(
      findPaymentByEveryReference(store, 'partner-a', FULL_SCENARIO1_REQUEST),
    ).resolves.toMatchObject({
      paymentId: 'p-sc1',
    });
    await expect(
      findPaymentByEveryReference(store, 'partner-a', { msgId: '20230604011104238Sc01Step1MsgId' }),
    ).resolves.toMatchObject({ paymentId: 'p-sc1' });
  });

  it("answers not found (never Scenario 1's ACSC) for the Scenario 5 request naming an EndToEndId / MsgId never sent", async () => {
    const store = await storeWith(SCENARIO1);
    await expect(findPaymentByEveryReference(store, 'partner-a', SCENARIO5_REQUEST)).rejects.toThrow(
      NotFoundError,
    );
  });

  it('answers not found for references of two different payments mixed in one request', async () => {
    const store = await storeWith(SCENARIO1, SCENARIO5);
    // UETR of payment 1, EndToEndId of payment 5: whichever is read first, the other does not match.
    await expect(
      findPaymentByEveryReference(store, 'partner-a', {
        uetr: SCENARIO1.references.uetr,
        endToEndId: SCENARIO5.references.endToEndId,
      }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      findPaymentByEveryReference(store, 'partner-a', {
        endToEndId: SCENARIO5.references.endToEndId,
        msgId: SCENARIO1.references.msgId,
      }),
    ).rejects.toThrow(NotFoundError);
    // Each on its own names its payment.
    await expect(
      findPaymentByEveryReference(store, 'partner-a', { endToEndId: SCENARIO5.references.endToEndId }),
    ).resolves.toMatchObject({ paymentId: 'p-sc5' });
  });

  it("answers not found for another partner's payment, and refuses a request naming no indexed reference", async () => {
    const store = await storeWith(SCENARIO1);
    await expect(findPaymentByEveryReference(store, 'partner-b', FULL_SCENARIO1_REQUEST)).rejects.toThrow(
      NotFoundError,
    );
    await expect(findPaymentByEveryReference(store, 'partner-a', { txId: 'T1' })).rejects.toThrow(
      MalformedRequestError,
    );
  });

  it('property: with several payments stored, a request built from mixed references answers only an exact match', async () => {
    const payments = [
      SCENARIO1,
      SCENARIO5,
      isoPayment('p-3', {
        endToEndId: 'E3',
        msgId: 'M3',
        uetr: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
        txId: 'T3',
      }),
    ];
    const store = await storeWith(...payments);
    const pick = (p: Payment): PaymentQueryReferences => ({
      ...p.references,
      msgNmId: 'pacs.008.001.08',
      creDtTm: '2023-06-04T10:55:26-04:00',
    });
    const fields: QueryReferenceField[] = [
      'msgId',
      'msgNmId',
      'creDtTm',
      'endToEndId',
      'instrId',
      'txId',
      'uetr',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.constantFrom(0, 1, 2), { nil: undefined }), {
          minLength: fields.length,
          maxLength: fields.length,
        }),
        async (sources) => {
          const request: Record<string, string> = {};
          fields.forEach((field, i) => {
            const source = sources[i];
            const value = source === undefined ? undefined : pick(payments[source] as Payment)[field];
            if (value !== undefined) request[field] = value;
          });
          const indexed = request.uetr ?? request.endToEndId ?? request.msgId;
          const exact = payments.filter((p) => referenceMismatches(p, request).length === 0);
          const outcome = await findPaymentByEveryReference(store, 'partner-a', request).then(
            (p) => p.paymentId,
            (e: unknown) => (e as Error).name,
          );
          if (indexed === undefined) expect(outcome).toBe('MalformedRequestError');
          else if (exact.length === 1) expect(outcome).toBe(exact[0]?.paymentId);
          else expect(outcome).toBe('NotFoundError');
        },
      ),
    );
  });
});

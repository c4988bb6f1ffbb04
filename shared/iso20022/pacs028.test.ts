import { MalformedRequestError, ValidationError } from '../domain/errors';
import { fixture } from './__fixtures__';
import { parsePacs028Json, parsePacs028Xml } from './pacs028';

const scenario5 = fixture('fednow/CustomerCreditTransfer_Scenario5_Step2_pacs.028.xml');

describe('parsePacs028Xml', () => {
  it('reads the FedNow status request samples', () => {
    expect(parsePacs028Xml(scenario5)).toEqual({
      msgId: '20230604011104238Sc05Step2MsgId',
      original: {
        msgId: '20230604011104238Sc05Step1MsgId',
        msgNmId: 'pacs.008.001.08',
        creDtTm: '2023-06-04T10:55:26-04:00',
        endToEndId: 'Scenario05EtoEId001',
        instrId: 'Scenario05InstrId001',
        uetr: '8a562c67-ca16-48ba-b074-65581be6f011',
      },
    });
    expect(
      parsePacs028Xml(fixture('fednow/CustomerCreditTransfer_Scenario6_Step3_pacs.028.xml')).original
        .endToEndId,
    ).toBe('Scenario06EtoEId001');
    expect(parsePacs028Xml(fixture('fednow/RequestForPayment_Scenario5_Step3_pacs.028.xml'))).toEqual({
      msgId: '20230826011104238RFPSc05Step3MsgId',
      original: {
        msgId: '20230725011104238RFPSc05Step1MsgId',
        msgNmId: 'pain.013.001.07',
        creDtTm: '2023-07-25T15:42:14-05:00',
        endToEndId: 'RFPSc05Step1EndToEndId001',
        txId: 'RFPSc05Step1PaymentInfoId001',
      },
    });
  });

  it('parses a prefixed document the same; refuses other messages', () => {
    const prefixed = scenario5.replace(/<(\/?)([A-Za-z])/g, '<$1p:$2').replace(' xmlns="', ' xmlns:p="');
    expect(parsePacs028Xml(prefixed)).toEqual(parsePacs028Xml(scenario5));
    expect(() =>
      parsePacs028Xml(fixture('fednow/CustomerCreditTransfer_Scenario1_Step1_pacs.008.xml')),
    ).toThrow(MalformedRequestError);
  });

  it('requires the request MsgId and a reference to the payment', () => {
    expect(() => parsePacs028Xml(scenario5.replace(/<MsgId>[^<]*<\/MsgId>/, ''))).toThrow(ValidationError);
    const noRefs = scenario5
      .replace(/<OrgnlGrpInf>[\s\S]*?<\/OrgnlGrpInf>/, '')
      .replace(/<Orgnl(EndToEndId|UETR|InstrId)>[^<]*<\/Orgnl\1>/g, '');
    expect(() => parsePacs028Xml(noRefs)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ field: 'TxInf', code: 'FF01' })] }),
    );
  });
});

describe('parsePacs028Json', () => {
  it('reads the JSON form', () => {
    expect(
      parsePacs028Json({
        FIToFIPmtStsReq: {
          GrpHdr: { MsgId: 'Q1' },
          TxInf: { OrgnlUETR: '8a562c67-ca16-48ba-b074-65581be6f011' },
        },
      }),
    ).toEqual({
      msgId: 'Q1',
      original: { uetr: '8a562c67-ca16-48ba-b074-65581be6f011' },
    });
    expect(() => parsePacs028Json({ FIToFIPmtStsRpt: {} })).toThrow(MalformedRequestError);
    expect(() =>
      parsePacs028Json({
        FIToFIPmtStsReq: { GrpHdr: { MsgId: 'Q1' }, TxInf: [{ OrgnlTxId: 'a' }, { OrgnlTxId: 'b' }] },
      }),
    ).toThrow(ValidationError);
  });
});

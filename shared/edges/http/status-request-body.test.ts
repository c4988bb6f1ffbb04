import { MalformedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../domain/errors';
import { MAX_BODY_BYTES } from './body';
import { fixture } from '../../iso20022/__fixtures__';
import { readStatusRequest } from './status-request-body';

const UETR = '8a562c67-ca16-48ba-b074-65581be6f011';
const jsonForm = JSON.stringify({ FIToFIPmtStsReq: { GrpHdr: { MsgId: 'Q1' }, TxInf: { OrgnlUETR: UETR } } });
const xmlForm = fixture('fednow/CustomerCreditTransfer_Scenario5_Step2_pacs.028.xml');

/** Pads a valid body past the limit with insignificant whitespace (still valid JSON / XML). */
function oversize(text: string): Buffer {
  return Buffer.from(text + ' '.repeat(MAX_BODY_BYTES + 1 - Buffer.byteLength(text)), 'utf8');
}

describe('readStatusRequest', () => {
  it('reads both forms and says which the answer mirrors', () => {
    expect(readStatusRequest(Buffer.from(jsonForm), 'application/json')).toEqual({
      request: { msgId: 'Q1', original: { uetr: UETR } },
      format: 'application/json',
    });
    const xml = readStatusRequest(Buffer.from(xmlForm), 'application/xml; charset=utf-8');
    expect(xml.format).toBe('application/xml');
    expect(xml.request.original.uetr).toBe(UETR);
  });

  it('applies the POST /payments body limit to both forms (413), before parsing', () => {
    expect(Buffer.byteLength(jsonForm)).toBeLessThan(MAX_BODY_BYTES);
    expect(() => readStatusRequest(oversize(jsonForm), 'application/json')).toThrow(PayloadTooLargeError);
    expect(() => readStatusRequest(oversize(xmlForm), 'text/xml')).toThrow(PayloadTooLargeError);
    // Not even parsed: an oversize body that is not JSON at all is still a 413, not a 400.
    expect(() => readStatusRequest(Buffer.alloc(MAX_BODY_BYTES + 1, 0x7b), 'application/json')).toThrow(
      PayloadTooLargeError,
    );
    // Exactly at the limit is accepted.
    const atLimit = oversize(jsonForm).subarray(0, MAX_BODY_BYTES);
    expect(readStatusRequest(atLimit, 'application/json').request.msgId).toBe('Q1');
  });

  it('refuses malformed JSON, invalid UTF-8 and duplicate member names with 400 FF01', () => {
    expect(() => readStatusRequest(Buffer.from('{"FIToFIPmtStsReq":'), 'application/json')).toThrow(
      MalformedRequestError,
    );
    expect(() =>
      readStatusRequest(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'application/json'),
    ).toThrow(MalformedRequestError);
    const doubled = jsonForm.replace('"OrgnlUETR":', '"OrgnlUETR":"other","OrgnlUETR":');
    expect(() => readStatusRequest(Buffer.from(doubled), 'application/json')).toThrow(
      "duplicate key 'OrgnlUETR'",
    );
  });

  it('refuses other media types with 415', () => {
    expect(() => readStatusRequest(Buffer.from(jsonForm), 'text/plain')).toThrow(UnsupportedMediaTypeError);
    expect(() => readStatusRequest(Buffer.from(jsonForm), undefined)).toThrow(UnsupportedMediaTypeError);
  });
});

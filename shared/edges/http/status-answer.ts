import type { Payment } from '../../domain/payment';
import { mediaType } from './body';
import { paymentView } from './presenters';
import { jsonResponse, textResponse, type HttpResponse } from './responses';
import { buildPacs002Reply } from '../../iso20022';
import { reportForPayment } from '../../app/status-report';

/**
 * A payment's status in the form the partner asks for (Accept):
 *   application/xml | text/xml   -> pacs.002 XML, in the envelope the payment came in
 *   application/json (default)   -> pacs.002 JSON form for ISO payments, the JSON view otherwise
 */
export function statusAnswer(payment: Payment, accept: string | undefined, now: number): HttpResponse {
  const wanted = (accept ?? '').split(',').map((part) => mediaType(part));
  const wantsXml = wanted.some((t) => t === 'application/xml' || t === 'text/xml');
  if (!wantsXml && payment.source !== 'pacs.008') return jsonResponse(200, paymentView(payment));
  const rail = payment.iso?.rail ?? 'fednow';
  const transport = wantsXml
    ? ({ format: 'xml', envelope: payment.iso?.envelope ?? 'document' } as const)
    : ({ format: 'json' } as const);
  const reply = buildPacs002Reply(reportForPayment(payment, now), transport, rail);
  return textResponse(200, reply.body, reply.contentType);
}

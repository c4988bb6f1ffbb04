import { locateMessage } from '../envelope';
import { toMirror } from '../mirror';
import { NS } from '../namespaces';
import { PACS008_SPEC, parsePacs008Json, type ParsedPacs008 } from '../pacs008';
import { parseXml } from '../xml';

/**
 * The message as parsePacs008Xml reads it, minus the XSD check (which runs first in production
 * and refuses most deliberately broken XML with a schema FF01): for tests of the rules, which
 * also guard the JSON form, where no XSD applies.
 */
export function withoutSchema(xml: string): ParsedPacs008 {
  const located = locateMessage(parseXml(xml), PACS008_SPEC);
  return {
    ...parsePacs008Json({ FIToFICstmrCdtTrf: toMirror(located.message, NS.pacs008) }),
    transport: { format: 'xml', envelope: located.envelope },
    ...(located.appHdr ? { appHdr: located.appHdr } : {}),
  };
}

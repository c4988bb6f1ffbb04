import { MalformedRequestError, PayloadTooLargeError } from '../domain/errors';
import { fixture, FEDNOW_SCENARIO1 } from './__fixtures__';
import { toMirror } from './mirror';
import { decodeEntities, parseXml } from './xml';

describe('parseXml: security', () => {
  it('refuses a DOCTYPE', () => {
    expect(() => parseXml('<!DOCTYPE Document><Document/>')).toThrow(/DOCTYPE/);
  });

  it('refuses the billion-laughs entity bomb before expanding anything', () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol9;</lolz>`;
    const started = performance.now();
    expect(() => parseXml(lol)).toThrow(MalformedRequestError);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses an external entity (XXE file:///etc/passwd)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><d>&xxe;</d>`;
    expect(() => parseXml(xxe)).toThrow(/DOCTYPE \/ ENTITY/);
  });

  it('refuses a bare ENTITY declaration and undeclared entity references', () => {
    expect(() => parseXml('<!ENTITY x "y"><a/>')).toThrow(MalformedRequestError);
    expect(() => parseXml('<a>&xxe;</a>')).toThrow(/undeclared entity/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/undeclared entity/);
  });

  it('refuses processing instructions other than the leading XML declaration', () => {
    expect(() => parseXml('<?xml-stylesheet href="x"?><a/>')).toThrow(/processing instructions/);
    expect(() => parseXml('<a><?php echo 1 ?></a>')).toThrow(/processing instructions/);
    expect(() => parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')).toThrow(/UTF-8/);
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?><a/>').name).toBe('a');
    expect(parseXml('<!-- before --><a></a ><!-- after -->\n').name).toBe('a');
  });

  it('refuses a body over the limit (default 64 KiB, or the given one) with PayloadTooLargeError', () => {
    const big = `<a>${'x'.repeat(64 * 1024)}</a>`;
    expect(() => parseXml(big)).toThrow(PayloadTooLargeError);
    expect(() => parseXml(Buffer.from(big))).toThrow(PayloadTooLargeError);
    expect(() => parseXml('<a>0123456789</a>', { maxBytes: 10 })).toThrow(PayloadTooLargeError);
    expect(parseXml('<a>0123456789</a>', { maxBytes: 100 }).text).toBe('0123456789');
  });

  it('refuses deep nesting quickly', () => {
    const depth = 9_000; // 63 KB: under the size limit
    const deep = '<a>'.repeat(depth) + '</a>'.repeat(depth);
    const started = performance.now();
    expect(() => parseXml(deep)).toThrow(/nested|nesting/i);
    expect(performance.now() - started).toBeLessThan(100);
    expect(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 })).toThrow(MalformedRequestError);
    expect(parseXml('<a><b><c/></b></a>', { maxDepth: 3 }).name).toBe('a');
  });

  it('refuses invalid UTF-8 and malformed XML', () => {
    expect(() => parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).toThrow(/UTF-8/);
    for (const bad of [
      '<a><b></a>',
      '<a>',
      '<a/><b/>',
      '<a/>junk',
      '',
      'plain text',
      '<a b="1" b="2"/>',
      '<a>x<b/>y</a>',
      '<a b="x<y"/>',
      '<a></a>x>',
    ]) {
      expect(() => parseXml(bad)).toThrow(MalformedRequestError);
    }
  });
});

describe('parseXml: entities and values', () => {
  it('decodes only the 5 predefined entities and numeric references', () => {
    expect(decodeEntities('a &lt;&gt;&amp;&quot;&apos; &#65;&#x42;')).toBe(`a <>&"' AB`);
    expect(() => decodeEntities('&#0;')).toThrow(/legal XML character/);
    expect(() => decodeEntities('&#xD800;')).toThrow(/legal XML character/);
    expect(() => decodeEntities('a & b')).toThrow(MalformedRequestError);
  });

  it('keeps every value as text (no number parsing) and keeps attributes', () => {
    const root = parseXml('<a><Amt Ccy="USD">0100.10</Amt><N>1e3</N><Z>007</Z></a>');
    expect(toMirror(root, '')).toEqual({ Amt: { Ccy: 'USD', value: '0100.10' }, N: '1e3', Z: '007' });
  });

  it('keeps CDATA verbatim and decodes entities in attributes', () => {
    const root = parseXml('<a x="&lt;&#x41;"><b><![CDATA[&amp; <raw>]]></b></a>');
    expect(root.attributes).toEqual({ x: '<A' });
    expect(root.children[0]?.text).toBe('&amp; <raw>');
  });
});

describe('parseXml: namespaces by URI', () => {
  it('resolves default and prefixed namespaces the same way', () => {
    const plain = parseXml('<Document xmlns="urn:x"><A>1</A></Document>');
    const prefixed = parseXml('<ns2:Document xmlns:ns2="urn:x"><ns2:A>1</ns2:A></ns2:Document>');
    expect(prefixed).toEqual(plain);
    expect(plain.namespace).toBe('urn:x');
    expect(plain.children[0]?.namespace).toBe('urn:x');
  });

  it('scopes declarations to their element and refuses unbound prefixes', () => {
    const root = parseXml('<a xmlns="urn:1"><b xmlns="urn:2"><c/></b><d/></a>');
    expect(root.children.map((c) => c.namespace)).toEqual(['urn:2', 'urn:1']);
    expect(root.children[0]?.children[0]?.namespace).toBe('urn:2');
    expect(() => parseXml('<p:a/>')).toThrow(/unbound namespace prefix/);
    expect(() => parseXml('<a xmlns:p=""/>')).toThrow(/illegal namespace declaration/);
  });

  it('reads a real sample with its xsi attributes dropped', () => {
    const root = parseXml(fixture(FEDNOW_SCENARIO1));
    expect(root.name).toBe('Document');
    expect(root.namespace).toBe('urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08');
    expect(root.attributes).toEqual({});
  });
});

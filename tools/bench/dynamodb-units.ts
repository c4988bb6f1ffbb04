/**
 * DynamoDB on-demand request units of a request, by AWS's published rules, computed from the
 * request as sent on the wire (JSON with AttributeValues):
 *
 *   write: 1 WRU per started KB of the item (an update: the larger of before and after), at least 1;
 *   transactional write: 2x every item (TransactWriteItems);
 *   a write that adds, changes or removes an item's entry in a global secondary index: 1 more WRU
 *   per index entry written or deleted (KEYS_ONLY projections stay under 1 KB), doubled inside a
 *   transaction (an assumption: AWS does not spell it out; it errs on the expensive side).
 *
 * Why not just read ConsumedCapacity: DynamoDB Local reports it (and this benchmark records it
 * side by side), but for TransactWriteItems it reports per table the units of ONE item (2 x its
 * size), not the sum over the items: a 6-item settlement shows 2-6 units where AWS bills 12+.
 * Single-item operations are right, so reads use the reported numbers.
 *
 * Item sizes (AWS "Item sizes and formats"): attribute name bytes + value bytes; String UTF-8
 * bytes; Number ~1 byte per 2 significant digits + 1; Binary bytes; Boolean / Null 1; List / Map
 * 3 + 1 per element + the elements (and, for a Map, their names); sets the sum of the elements.
 *
 * Updates need the item's size before the write: the registry remembers the attribute sizes of
 * every item this process saw written (Put, then Updates applied to it); an item never seen (e.g.
 * an account seeded by another client) counts as 1 KB.
 */

export interface TableSchema {
  readonly keyAttributes: readonly string[];
  /** Key attribute names of each global secondary index. */
  readonly indexKeys: readonly (readonly string[])[];
}

export type TableCatalog = ReadonlyMap<string, TableSchema>;

export interface WriteUnits {
  /** Table write request units (transactions doubled). */
  readonly wru: number;
  /** Index write request units (transactions doubled). */
  readonly indexWru: number;
  /** Items written (transaction items counted one by one). */
  readonly items: number;
  /** Bytes of items created or replaced (DynamoDB storage grows by this, plus 100 B per item). */
  readonly bytesPut: number;
}

const KB = 1024;
const UNKNOWN_ITEM_BYTES = KB;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function numberBytes(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

/** Size in bytes of one wire AttributeValue (`{"S":"..."}`, `{"N":"1"}`, `{"M":{...}}`...). */
export function attributeValueBytes(value: unknown): number {
  if (!isObject(value)) return 0;
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return typeof inner === 'string' ? utf8(inner) : 0;
    case 'N':
      return typeof inner === 'string' ? numberBytes(inner) : 0;
    case 'B':
      return typeof inner === 'string' ? base64Bytes(inner) : 0;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return Array.isArray(inner)
        ? inner.reduce<number>((n, s) => n + (typeof s === 'string' ? utf8(s) : 0), 0)
        : 0;
    case 'NS':
      return Array.isArray(inner)
        ? inner.reduce<number>((n, s) => n + (typeof s === 'string' ? numberBytes(s) : 0), 0)
        : 0;
    case 'BS':
      return Array.isArray(inner)
        ? inner.reduce<number>((n, s) => n + (typeof s === 'string' ? base64Bytes(s) : 0), 0)
        : 0;
    case 'L':
      return Array.isArray(inner) ? 3 + inner.reduce<number>((n, v) => n + 1 + attributeValueBytes(v), 0) : 3;
    case 'M':
      return isObject(inner)
        ? 3 + Object.entries(inner).reduce((n, [name, v]) => n + 1 + utf8(name) + attributeValueBytes(v), 0)
        : 3;
    default:
      return 0;
  }
}

/** Per-attribute sizes (name + value) of a wire item. */
export function attributeSizes(item: Record<string, unknown>): Map<string, number> {
  return new Map(
    Object.entries(item).map(([name, value]) => [name, utf8(name) + attributeValueBytes(value)]),
  );
}

const sum = (sizes: ReadonlyMap<string, number>) => [...sizes.values()].reduce((n, s) => n + s, 0);
const writeUnitsFor = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

/** What an UpdateExpression does to top-level attributes (enough for sizes and index keys). */
export interface UpdateEffect {
  /** Attribute -> size of its new value in bytes, or undefined when computed (e.g. `a + :one`). */
  readonly set: ReadonlyMap<string, number | undefined>;
  readonly remove: ReadonlySet<string>;
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function topLevelName(path: string, names: Record<string, unknown>): string {
  const head = path.trim().split(/[.[]/)[0] ?? '';
  const resolved = head.startsWith('#') ? names[head] : head;
  return typeof resolved === 'string' ? resolved : head;
}

export function parseUpdateExpression(
  expression: string,
  names: Record<string, unknown>,
  values: Record<string, unknown>,
): UpdateEffect {
  const set = new Map<string, number | undefined>();
  const remove = new Set<string>();
  const clauses = expression.split(/\b(SET|REMOVE|ADD|DELETE)\b/i);
  for (let i = 1; i < clauses.length; i += 2) {
    const keyword = (clauses[i] ?? '').toUpperCase();
    const body = clauses[i + 1] ?? '';
    for (const action of splitTopLevel(body, ',')) {
      if (keyword === 'SET') {
        const eq = action.indexOf('=');
        if (eq < 0) continue;
        const name = topLevelName(action.slice(0, eq), names);
        const rhs = action.slice(eq + 1).trim();
        const single = /^:[A-Za-z0-9_]+$/.test(rhs)
          ? rhs
          : /^if_not_exists\s*\([^,]+,\s*(:[A-Za-z0-9_]+)\s*\)$/.exec(rhs)?.[1];
        set.set(name, single === undefined ? undefined : utf8(name) + attributeValueBytes(values[single]));
      } else if (keyword === 'REMOVE') {
        remove.add(topLevelName(action, names));
      } else if (keyword === 'ADD') {
        const [path = ''] = action.split(/\s+/);
        set.set(topLevelName(path, names), undefined);
      }
    }
  }
  return { set, remove };
}

/** Attribute sizes of the items written so far, by table and key. */
export class ItemSizeRegistry {
  private readonly items = new Map<string, Map<string, number>>();

  constructor(private readonly catalog: TableCatalog) {}

  private id(table: string, key: Record<string, unknown>): string {
    const keyAttributes = this.catalog.get(table)?.keyAttributes ?? Object.keys(key).sort();
    return `${table}\u0000${keyAttributes.map((a) => JSON.stringify(key[a] ?? null)).join('\u0000')}`;
  }

  get(table: string, key: Record<string, unknown>): ReadonlyMap<string, number> | undefined {
    return this.items.get(this.id(table, key));
  }

  put(table: string, item: Record<string, unknown>): void {
    this.items.set(this.id(table, item), attributeSizes(item));
  }

  replace(table: string, key: Record<string, unknown>, sizes: Map<string, number>): void {
    this.items.set(this.id(table, key), sizes);
  }

  delete(table: string, key: Record<string, unknown>): void {
    this.items.delete(this.id(table, key));
  }

  get size(): number {
    return this.items.size;
  }
}

function hasAll(
  attributes: ReadonlySet<string> | ReadonlyMap<string, number>,
  keys: readonly string[],
): boolean {
  return keys.every((k) => attributes.has(k));
}

interface ItemWrite {
  readonly wru: number;
  readonly indexWrites: number;
  readonly bytesPut: number;
  /** Apply to the registry once the write succeeded. */
  readonly commit: () => void;
}

function putWrite(
  registry: ItemSizeRegistry,
  catalog: TableCatalog,
  table: string,
  item: Record<string, unknown>,
): ItemWrite {
  const sizes = attributeSizes(item);
  const bytes = sum(sizes);
  const before = registry.get(table, item);
  let indexWrites = 0;
  for (const keys of catalog.get(table)?.indexKeys ?? []) {
    if (before !== undefined && hasAll(before, keys)) indexWrites++;
    if (hasAll(sizes, keys)) indexWrites++;
  }
  return {
    wru: writeUnitsFor(Math.max(bytes, before === undefined ? 0 : sum(before))),
    indexWrites,
    bytesPut: bytes,
    commit: () => registry.put(table, item),
  };
}

function updateWrite(
  registry: ItemSizeRegistry,
  catalog: TableCatalog,
  table: string,
  key: Record<string, unknown>,
  effect: UpdateEffect,
): ItemWrite {
  const before = registry.get(table, key);
  const after = new Map(before ?? attributeSizes(key));
  for (const [name, size] of effect.set) after.set(name, size ?? after.get(name) ?? utf8(name) + 8);
  for (const name of effect.remove) after.delete(name);
  const beforeBytes = before === undefined ? UNKNOWN_ITEM_BYTES : sum(before);
  let indexWrites = 0;
  for (const keys of catalog.get(table)?.indexKeys ?? []) {
    const touched = keys.some((k) => effect.set.has(k) || effect.remove.has(k));
    if (!touched) continue;
    if (before !== undefined && hasAll(before, keys)) indexWrites++;
    if (hasAll(after, keys)) indexWrites++;
  }
  return {
    wru: writeUnitsFor(Math.max(beforeBytes, sum(after))),
    indexWrites,
    bytesPut: 0,
    commit: () => registry.replace(table, key, after),
  };
}

function deleteWrite(
  registry: ItemSizeRegistry,
  catalog: TableCatalog,
  table: string,
  key: Record<string, unknown>,
): ItemWrite {
  const before = registry.get(table, key);
  const indexWrites = (catalog.get(table)?.indexKeys ?? []).filter(
    (keys) => before !== undefined && hasAll(before, keys),
  ).length;
  return {
    wru: writeUnitsFor(before === undefined ? UNKNOWN_ITEM_BYTES : sum(before)),
    indexWrites,
    bytesPut: 0,
    commit: () => registry.delete(table, key),
  };
}

const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function itemWrite(
  registry: ItemSizeRegistry,
  catalog: TableCatalog,
  kind: string,
  spec: Record<string, unknown>,
): ItemWrite | undefined {
  const table = text(spec.TableName);
  switch (kind) {
    case 'Put':
    case 'PutItem':
      return putWrite(registry, catalog, table, record(spec.Item));
    case 'Update':
    case 'UpdateItem':
      return updateWrite(
        registry,
        catalog,
        table,
        record(spec.Key),
        parseUpdateExpression(
          text(spec.UpdateExpression),
          record(spec.ExpressionAttributeNames),
          record(spec.ExpressionAttributeValues),
        ),
      );
    case 'Delete':
    case 'DeleteItem':
      return deleteWrite(registry, catalog, table, record(spec.Key));
    case 'ConditionCheck': {
      const before = registry.get(table, record(spec.Key));
      return {
        wru: writeUnitsFor(before === undefined ? UNKNOWN_ITEM_BYTES : sum(before)),
        indexWrites: 0,
        bytesPut: 0,
        commit: () => undefined,
      };
    }
    default:
      return undefined;
  }
}

export interface WriteAnalysis extends WriteUnits {
  /** Applies the write to the size registry (call only when the request succeeded). */
  readonly commit: () => void;
}

/**
 * Write units of one DynamoDB request (`operation` = `PutItem`, `TransactWriteItems`...; `body` =
 * the parsed wire request). Undefined for operations that write nothing.
 */
export function writeUnits(
  registry: ItemSizeRegistry,
  catalog: TableCatalog,
  operation: string,
  body: Record<string, unknown>,
): WriteAnalysis | undefined {
  const writes: ItemWrite[] = [];
  let factor = 1;
  if (operation === 'TransactWriteItems') {
    factor = 2;
    for (const entry of Array.isArray(body.TransactItems) ? body.TransactItems : []) {
      const [kind, spec] = Object.entries(record(entry))[0] ?? [];
      const write = kind === undefined ? undefined : itemWrite(registry, catalog, kind, record(spec));
      if (write) writes.push(write);
    }
  } else if (operation === 'BatchWriteItem') {
    for (const [table, requests] of Object.entries(record(body.RequestItems))) {
      for (const request of Array.isArray(requests) ? requests : []) {
        const r = record(request);
        if (isObject(r.PutRequest))
          writes.push(putWrite(registry, catalog, table, record(r.PutRequest.Item)));
        if (isObject(r.DeleteRequest))
          writes.push(deleteWrite(registry, catalog, table, record(r.DeleteRequest.Key)));
      }
    }
  } else {
    const write = itemWrite(registry, catalog, operation, body);
    if (write) writes.push(write);
  }
  if (writes.length === 0) return undefined;
  return {
    wru: factor * writes.reduce((n, w) => n + w.wru, 0),
    indexWru: factor * writes.reduce((n, w) => n + w.indexWrites, 0),
    items: writes.length,
    bytesPut: writes.reduce((n, w) => n + w.bytesPut, 0),
    commit: () => writes.forEach((w) => w.commit()),
  };
}

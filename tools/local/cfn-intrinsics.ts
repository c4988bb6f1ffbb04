/**
 * The subset of CloudFormation intrinsic functions the local stand-ins need to read serverless.yml's
 * `resources:` and event definitions: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, and the
 * pseudo parameters (AWS::Region, AWS::AccountId, AWS::Partition, AWS::URLSuffix, AWS::StackName,
 * AWS::NoValue). Anything else (`Fn::If`, `Fn::ImportValue`, conditions...) fails with a clear error
 * instead of being guessed.
 *
 * What `Ref` / `Fn::GetAtt` return for the two resource types we create is what CloudFormation documents:
 *  - AWS::DynamoDB::Table: Ref = table name; GetAtt Arn, StreamArn
 *  - AWS::SQS::Queue: Ref = queue URL; GetAtt Arn, QueueName, QueueUrl
 */
import type { CfnValue } from './serverless-config';

export interface ProvisionedTable {
  readonly name: string;
  readonly arn: string;
  readonly streamArn?: string;
}

export interface ProvisionedQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface ProvisionedResources {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** By CloudFormation logical id. */
  readonly tables: Readonly<Record<string, ProvisionedTable>>;
  readonly queues: Readonly<Record<string, ProvisionedQueue>>;
}

export class CfnResolutionError extends Error {
  override readonly name = 'CfnResolutionError';
}

/** What `{ Ref: AWS::NoValue }` resolves to: the property is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export type ResolvedValue =
  string | number | boolean | null | ResolvedValue[] | { [key: string]: ResolvedValue };

const INTRINSICS = new Set(['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::Select']);

/** True for `{ Ref: ... }`, `{ 'Fn::...': ... }` and `{ Condition: ... }` objects. */
export function isIntrinsic(value: CfnValue): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 && (keys[0] === 'Ref' || (keys[0] ?? '').startsWith('Fn::') || keys[0] === 'Condition')
  );
}

/**
 * Resolve a CloudFormation value against what has been provisioned. Throws CfnResolutionError when the
 * value refers to something that was not (or cannot be) created locally.
 */
export function resolveCfnValue(expr: CfnValue, provisioned: ProvisionedResources): ResolvedValue {
  const resolved = resolveInner(expr, provisioned, '$');
  if (resolved === NO_VALUE) throw new CfnResolutionError('The whole value resolved to AWS::NoValue');
  return resolved;
}

/** Resolve to a string (a name, an ARN, a URL...). */
export function resolveCfnString(expr: CfnValue, provisioned: ProvisionedResources): string {
  const resolved = resolveCfnValue(expr, provisioned);
  if (typeof resolved === 'string') return resolved;
  if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
  throw new CfnResolutionError(`Expected a string, got ${JSON.stringify(resolved)}`);
}

function resolveInner(
  expr: CfnValue,
  provisioned: ProvisionedResources,
  where: string,
): ResolvedValue | typeof NO_VALUE {
  if (expr === null || typeof expr !== 'object') return expr;
  if (Array.isArray(expr)) {
    const items: ResolvedValue[] = [];
    expr.forEach((item, index) => {
      const value = resolveInner(item, provisioned, `${where}[${index}]`);
      if (value !== NO_VALUE) items.push(value);
    });
    return items;
  }
  const map: { [key: string]: CfnValue } = expr;
  if (isIntrinsic(map)) return resolveIntrinsic(map, provisioned, where);
  const result: { [key: string]: ResolvedValue } = {};
  for (const [key, value] of Object.entries(map)) {
    const resolved = resolveInner(value, provisioned, `${where}.${key}`);
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
}

function resolveIntrinsic(
  expr: { [key: string]: CfnValue },
  provisioned: ProvisionedResources,
  where: string,
): ResolvedValue | typeof NO_VALUE {
  const [name] = Object.keys(expr);
  const argument = name === undefined ? undefined : expr[name];
  if (name === undefined || argument === undefined || !INTRINSICS.has(name)) {
    throw new CfnResolutionError(
      `${where}: ${name ?? 'this intrinsic'} is not supported by the local stand-ins`,
    );
  }
  switch (name) {
    case 'Ref':
      return resolveRef(expectString(argument, `${where}.Ref`), provisioned, where);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = parseGetAtt(argument, where);
      return resolveGetAtt(logicalId, attribute, provisioned, where);
    }
    case 'Fn::Sub':
      return resolveSub(argument, provisioned, where);
    case 'Fn::Join': {
      const [delimiter, list] = expectPair(argument, `${where}.Fn::Join`);
      const values = resolveInner(list, provisioned, `${where}.Fn::Join[1]`);
      if (!Array.isArray(values)) throw new CfnResolutionError(`${where}: Fn::Join needs a list`);
      return values
        .map((value) => scalarToString(value, `${where}.Fn::Join`))
        .join(expectString(delimiter, where));
    }
    case 'Fn::Select': {
      const [index, list] = expectPair(argument, `${where}.Fn::Select`);
      const values = resolveInner(list, provisioned, `${where}.Fn::Select[1]`);
      const position = Number(resolveInner(index, provisioned, `${where}.Fn::Select[0]`));
      if (!Array.isArray(values) || !Number.isInteger(position) || values[position] === undefined) {
        throw new CfnResolutionError(`${where}: Fn::Select index out of range`);
      }
      return values[position];
    }
    default:
      throw new CfnResolutionError(`${where}: ${name} is not supported by the local stand-ins`);
  }
}

function resolveRef(
  target: string,
  provisioned: ProvisionedResources,
  where: string,
): ResolvedValue | typeof NO_VALUE {
  switch (target) {
    case 'AWS::Region':
      return provisioned.region;
    case 'AWS::AccountId':
      return provisioned.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return provisioned.stackName;
    case 'AWS::NoValue':
      return NO_VALUE;
  }
  const table = provisioned.tables[target];
  if (table !== undefined) return table.name;
  const queue = provisioned.queues[target];
  if (queue !== undefined) return queue.url;
  throw new CfnResolutionError(`${where}: Ref ${target} is not a table or queue provisioned locally`);
}

function resolveGetAtt(
  logicalId: string,
  attribute: string,
  provisioned: ProvisionedResources,
  where: string,
): string {
  const table = provisioned.tables[logicalId];
  if (table !== undefined) {
    if (attribute === 'Arn') return table.arn;
    if (attribute === 'StreamArn' && table.streamArn !== undefined) return table.streamArn;
  }
  const queue = provisioned.queues[logicalId];
  if (queue !== undefined) {
    if (attribute === 'Arn') return queue.arn;
    if (attribute === 'QueueName') return queue.name;
    if (attribute === 'QueueUrl') return queue.url;
  }
  throw new CfnResolutionError(
    `${where}: Fn::GetAtt ${logicalId}.${attribute} does not name an attribute of a table or queue provisioned locally`,
  );
}

function parseGetAtt(argument: CfnValue, where: string): [string, string] {
  if (typeof argument === 'string') {
    const dot = argument.indexOf('.');
    if (dot > 0) return [argument.slice(0, dot), argument.slice(dot + 1)];
  } else {
    const [logicalId, attribute] = expectPair(argument, `${where}.Fn::GetAtt`);
    return [expectString(logicalId, where), expectString(attribute, where)];
  }
  throw new CfnResolutionError(`${where}: Fn::GetAtt needs [LogicalId, Attribute] or "LogicalId.Attribute"`);
}

function resolveSub(argument: CfnValue, provisioned: ProvisionedResources, where: string): string {
  let template: string;
  const variables: Record<string, string> = {};
  if (typeof argument === 'string') {
    template = argument;
  } else {
    const [text, map] = expectPair(argument, `${where}.Fn::Sub`);
    template = expectString(text, where);
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new CfnResolutionError(`${where}: Fn::Sub variables must be a map`);
    }
    for (const [key, value] of Object.entries(map)) {
      variables[key] = scalarToString(resolveInner(value, provisioned, `${where}.Fn::Sub.${key}`), where);
    }
  }
  return template.replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, reference: string) => {
    if (literal === '!') return `\${${reference}}`;
    const variable = variables[reference];
    if (variable !== undefined) return variable;
    const dot = reference.indexOf('.');
    if (dot > 0) return resolveGetAtt(reference.slice(0, dot), reference.slice(dot + 1), provisioned, where);
    return scalarToString(resolveRef(reference, provisioned, where), where);
  });
}

function scalarToString(value: ResolvedValue | typeof NO_VALUE, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new CfnResolutionError(`${where}: expected a scalar, got ${JSON.stringify(value ?? null)}`);
}

function expectString(value: CfnValue, where: string): string {
  if (typeof value !== 'string') throw new CfnResolutionError(`${where}: expected a string`);
  return value;
}

function expectPair(value: CfnValue, where: string): [CfnValue, CfnValue] {
  if (!Array.isArray(value) || value.length !== 2)
    throw new CfnResolutionError(`${where}: expected a list of 2`);
  const [first = null, second = null] = value;
  return [first, second];
}

/**
 * Logical ids an expression refers to (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in `Fn::Sub`),
 * pseudo parameters excluded. Used to order resource creation.
 */
export function referencedLogicalIds(expr: CfnValue | undefined): Set<string> {
  const found = new Set<string>();
  const visit = (value: CfnValue | undefined): void => {
    if (value === null || value === undefined || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') {
        const target =
          typeof inner === 'string' ? inner.split('.')[0] : Array.isArray(inner) ? inner[0] : undefined;
        if (typeof target === 'string') found.add(target);
      } else if (key === 'Fn::Sub') {
        const text = typeof inner === 'string' ? inner : Array.isArray(inner) ? inner[0] : undefined;
        const variables = Array.isArray(inner) ? inner[1] : undefined;
        const local =
          typeof variables === 'object' && variables !== null && !Array.isArray(variables) ? variables : {};
        if (typeof text === 'string') {
          for (const match of text.matchAll(/\$\{([^!}][^}.]*)/g)) {
            if (match[1] !== undefined && !(match[1] in local)) found.add(match[1]);
          }
        }
        visit(variables);
      } else visit(inner);
    }
  };
  visit(expr);
  for (const id of found) if (id.startsWith('AWS::')) found.delete(id);
  return found;
}

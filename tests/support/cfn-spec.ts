import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase } from '@aws-cdk/service-spec-types';

/**
 * Checks a CloudFormation template against the official resource specification, as the AWS CDK
 * ships it (@aws-cdk/aws-service-spec: the CloudFormation registry schemas and the resource
 * specification merged into one database, db.json.gz, read with @cdklabs/tskb).
 *
 * For every resource: the type exists; every property is one the type has, and so on down into
 * the property types (structures, lists, maps, unions); required properties are present; literal
 * values have the type the spec gives (string, integer, boolean, ...) and, where the spec lists
 * them, one of the allowed values. Everywhere in the template (properties, Outputs, Conditions):
 * every `Ref` names a resource, a parameter or a pseudo parameter; every `Fn::GetAtt` names a
 * resource and an attribute its type has; every `${...}` of `Fn::Sub` the same; `DependsOn`
 * names resources; `Condition` and `Fn::If` name conditions; and no resources depend on each other
 * in a circle (CloudFormation refuses such a template).
 *
 * What it cannot check is left to CloudFormation: the value an intrinsic function resolves to,
 * cross-property rules ("either A or B"), and patterns / lengths of strings.
 */

export interface SpecProblem {
  /** Where: `Resources.<id>.Properties.<path>` (or Outputs / Conditions). */
  path: string;
  message: string;
}

type Template = {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> } & Record<string, unknown>>;
  Outputs?: Record<string, unknown>;
};

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Resource-level keys CloudFormation accepts besides Type and Properties. */
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'Metadata',
]);

const INTRINSICS = new Set([
  'Ref',
  'Condition',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::If',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Length',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  'Fn::ToJsonString',
  'Fn::Transform',
  'Fn::And',
  'Fn::Equals',
  'Fn::Not',
  'Fn::Or',
]);

const DELETION_POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnDelete', 'Snapshot']);

/** UpdatePolicy attributes (CloudFormation User Guide, "UpdatePolicy attribute"). */
const UPDATE_POLICIES: Record<string, { allowed: string[]; required: string[] }> = {
  CodeDeployLambdaAliasUpdate: {
    allowed: ['ApplicationName', 'DeploymentGroupName', 'BeforeAllowTrafficHook', 'AfterAllowTrafficHook'],
    required: ['ApplicationName', 'DeploymentGroupName'],
  },
  AutoScalingReplacingUpdate: { allowed: ['WillReplace'], required: [] },
  AutoScalingRollingUpdate: {
    allowed: [
      'MaxBatchSize',
      'MinActiveInstancesPercent',
      'MinInstancesInService',
      'MinSuccessfulInstancesPercent',
      'PauseTime',
      'SuspendProcesses',
      'WaitOnResourceSignals',
    ],
    required: [],
  },
  AutoScalingScheduledAction: { allowed: ['IgnoreUnmodifiedGroupSizeProperties'], required: [] },
  EnableVersionUpgrade: { allowed: [], required: [] },
  UseOnlineResharding: { allowed: [], required: [] },
};

let cached: SpecDatabase | undefined;

/** The spec database (loaded once per process: ~0.5 s). */
export function specDatabase(): SpecDatabase {
  cached ??= loadAwsServiceSpecSync();
  return cached;
}

/** The spec's definition of a resource type, or undefined when the spec does not know it. */
export function specResource(type: string, db: SpecDatabase = specDatabase()): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSICS.has(keys[0] ?? '');
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function validateTemplate(template: Template, db: SpecDatabase = specDatabase()): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });
  const resources = template.Resources ?? {};
  const parameters = template.Parameters ?? {};
  const conditions = template.Conditions ?? {};
  const specOf = new Map<string, Resource | undefined>();
  /** Resource -> resources it depends on (Ref, Fn::GetAtt, Fn::Sub, DependsOn), for the cycle check. */
  const dependsOn = new Map<string, Set<string>>();
  let owner: string | undefined;
  const dependOn = (target: string) => {
    if (owner !== undefined && target in resources) dependsOn.get(owner)?.add(target);
  };
  for (const [id, resource] of Object.entries(resources)) specOf.set(id, specResource(resource.Type, db));

  /** Ref / GetAtt / Sub / If references anywhere in a value. */
  const checkReferences = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => checkReferences(v, `${path}[${i}]`));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const entries = Object.entries(value as Record<string, unknown>);
    if (isIntrinsic(value)) {
      const [name, arg] = entries[0] as [string, unknown];
      switch (name) {
        case 'Ref':
          checkRef(arg, path);
          return;
        case 'Fn::GetAtt':
          checkGetAtt(arg, path);
          return;
        case 'Fn::Sub':
          checkSub(arg, path);
          return;
        case 'Condition':
          if (typeof arg !== 'string' || !(arg in conditions))
            report(path, `Condition ${describe(arg)} names no condition of the template`);
          return;
        case 'Fn::If':
          if (!Array.isArray(arg) || arg.length !== 3) report(path, 'Fn::If takes [condition, then, else]');
          else {
            if (typeof arg[0] !== 'string' || !(arg[0] in conditions))
              report(path, `Fn::If condition ${describe(arg[0])} names no condition of the template`);
            checkReferences(arg[1], `${path}.Fn::If[1]`);
            checkReferences(arg[2], `${path}.Fn::If[2]`);
          }
          return;
        default:
          checkReferences(arg, `${path}.${name}`);
          return;
      }
    }
    for (const [key, v] of entries) checkReferences(v, `${path}.${key}`);
  };

  const checkRef = (target: unknown, path: string) => {
    if (typeof target !== 'string') {
      report(path, `Ref takes a logical id, not ${describe(target)}`);
      return;
    }
    if (!(target in resources) && !(target in parameters) && !PSEUDO_PARAMETERS.has(target))
      report(path, `Ref ${target} names no resource, parameter or pseudo parameter`);
    dependOn(target);
  };

  const checkAttribute = (resourceId: string, attribute: string, path: string, form: string) => {
    const resource = resources[resourceId];
    if (!resource) {
      report(path, `${form} names resource ${resourceId}, which the template does not have`);
      return;
    }
    dependOn(resourceId);
    if (isCustomResource(resource.Type)) return; // a custom resource returns what its handler puts in Data
    const spec = specOf.get(resourceId);
    if (!spec) return; // the unknown type is reported once, on the resource
    if (!(attribute in spec.attributes))
      report(
        path,
        `${form} ${resourceId}.${attribute}: ${resource.Type} has no attribute ${attribute} (it has: ${Object.keys(spec.attributes).sort().join(', ') || 'none'})`,
      );
  };

  const checkGetAtt = (arg: unknown, path: string) => {
    let resourceId: unknown;
    let attribute: unknown;
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      [resourceId, attribute] = dot < 0 ? [arg, ''] : [arg.slice(0, dot), arg.slice(dot + 1)];
    } else if (Array.isArray(arg) && arg.length === 2) {
      [resourceId, attribute] = arg as unknown[];
    }
    if (typeof resourceId !== 'string' || typeof attribute !== 'string' || attribute === '') {
      if (typeof resourceId === 'string' && isIntrinsic(attribute)) {
        checkReferences(attribute, `${path}.Fn::GetAtt[1]`);
        return;
      }
      report(path, `Fn::GetAtt takes [logicalId, attribute], not ${describe(arg)}`);
      return;
    }
    checkAttribute(resourceId, attribute, path, 'Fn::GetAtt');
  };

  const checkSub = (arg: unknown, path: string) => {
    let text: unknown = arg;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      if (arg.length !== 2 || typeof arg[1] !== 'object' || arg[1] === null) {
        report(path, 'Fn::Sub takes a string or [string, { variables }]');
        return;
      }
      text = arg[0];
      variables = arg[1] as Record<string, unknown>;
      for (const [name, v] of Object.entries(variables)) checkReferences(v, `${path}.Fn::Sub[1].${name}`);
    }
    if (typeof text !== 'string') {
      report(path, `Fn::Sub's template is ${describe(text)}, not a string`);
      return;
    }
    for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
      const name = (match[1] ?? '').trim();
      if (name.startsWith('!') || name in variables) continue; // ${!Literal}, or a variable of the map
      const dot = name.indexOf('.');
      if (dot < 0) checkRef(name, `${path} \${${name}}`);
      else checkAttribute(name.slice(0, dot), name.slice(dot + 1), `${path} \${${name}}`, 'Fn::Sub');
    }
  };

  /** Literal value against a spec type; intrinsics pass (their result is only known at deploy). */
  const checkValue = (value: unknown, types: PropertyType[], path: string): void => {
    if (isIntrinsic(value)) return;
    // Several acceptable types (a union, or the spec's previous types of a property): the value
    // is fine if any of them takes it without complaint; otherwise report the first's problems.
    if (types.length > 1) {
      const attempts = types.map((t) => collect(() => checkValue(value, [t], path)));
      if (attempts.some((a) => a.length === 0)) return;
      problems.push(...(attempts[0] ?? []));
      return;
    }
    const type = types[0];
    if (!type) return;
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
          report(path, `expected a string, got ${describe(value)}`);
        else if (type.type === 'string' && type.allowedValues?.length && typeof value === 'string') {
          if (!type.allowedValues.includes(value))
            report(path, `${describe(value)} is not one of ${type.allowedValues.join(', ')}`);
        }
        return;
      case 'integer':
      case 'number': {
        const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof n !== 'number' || !Number.isFinite(n))
          report(path, `expected a number, got ${describe(value)}`);
        else if (type.type === 'integer' && !Number.isInteger(n))
          report(path, `expected an integer, got ${describe(value)}`);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false')
          report(path, `expected a boolean, got ${describe(value)}`);
        return;
      case 'json':
        return; // any JSON (policy documents, dashboards' bodies as objects, ...)
      case 'null':
        if (value !== null) report(path, `expected null, got ${describe(value)}`);
        return;
      case 'tag':
        if (!isPlainObject(value)) report(path, `expected a tag { Key, Value }, got ${describe(value)}`);
        else {
          for (const key of Object.keys(value))
            if (key !== 'Key' && key !== 'Value') report(`${path}.${key}`, `a tag has only Key and Value`);
          if (!('Key' in value)) report(path, 'a tag needs a Key');
        }
        return;
      case 'array':
        if (!Array.isArray(value)) report(path, `expected a list, got ${describe(value)}`);
        else value.forEach((v, i) => checkValue(v, [type.element], `${path}[${i}]`));
        return;
      case 'map':
        if (!isPlainObject(value)) report(path, `expected a map, got ${describe(value)}`);
        else for (const [k, v] of Object.entries(value)) checkValue(v, [type.element], `${path}.${k}`);
        return;
      case 'union':
        checkValue(value, type.types, path);
        return;
      case 'ref': {
        const definition = db.get('typeDefinition', type.reference);
        if (!isPlainObject(value)) {
          report(path, `expected a ${definition.name} structure, got ${describe(value)}`);
          return;
        }
        checkProperties(value, definition.properties, path, definition.name);
        return;
      }
    }
  };

  const collect = (fn: () => void): SpecProblem[] => {
    const start = problems.length;
    fn();
    return problems.splice(start);
  };

  const checkProperties = (
    value: Record<string, unknown>,
    spec: Record<string, Property>,
    path: string,
    owner: string,
  ) => {
    for (const [name, v] of Object.entries(value)) {
      const property = spec[name];
      if (!property) {
        report(`${path}.${name}`, `${owner} has no property ${name}`);
        continue;
      }
      // { Ref: AWS::NoValue } removes the property: nothing to type-check.
      checkValue(v, [property.type, ...(property.previousTypes ?? [])], `${path}.${name}`);
    }
    for (const [name, property] of Object.entries(spec))
      if (property.required && !(name in value)) report(path, `${owner} requires ${name}`);
  };

  const checkUpdatePolicy = (policy: unknown, path: string) => {
    checkReferences(policy, path);
    if (!isPlainObject(policy)) {
      report(path, 'UpdatePolicy is not an object');
      return;
    }
    for (const [name, value] of Object.entries(policy)) {
      const keys = UPDATE_POLICIES[name];
      if (!keys) {
        report(`${path}.${name}`, `no update policy ${name}`);
        continue;
      }
      if (!isPlainObject(value)) continue;
      for (const key of Object.keys(value))
        if (!keys.allowed.includes(key)) report(`${path}.${name}.${key}`, `${name} has no property ${key}`);
      for (const key of keys.required)
        if (!(key in value)) report(`${path}.${name}`, `${name} requires ${key}`);
    }
  };

  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.has(key)) report(`${path}.${key}`, `a resource has no attribute ${key}`);
    owner = id;
    dependsOn.set(id, new Set());
    const explicit = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const dep of explicit)
      if (typeof dep !== 'string' || !(dep in resources))
        report(`${path}.DependsOn`, `DependsOn ${describe(dep)} names no resource of the template`);
      else dependOn(dep);
    if (resource.Condition !== undefined && !(String(resource.Condition) in conditions))
      report(`${path}.Condition`, `Condition ${describe(resource.Condition)} names no condition`);
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy'] as const)
      if (resource[key] !== undefined && !DELETION_POLICIES.has(String(resource[key])))
        report(
          `${path}.${key}`,
          `${describe(resource[key])} is not one of ${[...DELETION_POLICIES].join(', ')}`,
        );
    if (resource.UpdatePolicy !== undefined) checkUpdatePolicy(resource.UpdatePolicy, `${path}.UpdatePolicy`);
    checkReferences(resource.Properties ?? {}, `${path}.Properties`);
    if (isCustomResource(resource.Type)) {
      if (!resource.Properties || !('ServiceToken' in resource.Properties))
        report(path, `${resource.Type} requires ServiceToken`);
      continue;
    }
    const spec = specOf.get(id);
    if (!spec) {
      report(path, `unknown resource type ${resource.Type}`);
      continue;
    }
    const properties = resource.Properties ?? {};
    if (!isPlainObject(properties)) {
      report(`${path}.Properties`, 'Properties is not an object');
      continue;
    }
    checkProperties(properties, spec.properties, `${path}.Properties`, resource.Type);
    if (resource.Type === 'AWS::CloudWatch::Alarm')
      problems.push(...alarmRules(properties, `${path}.Properties`));
  }
  owner = undefined;
  for (const cycle of dependencyCycles(dependsOn))
    report(`Resources.${cycle[0]}`, `circular dependency among ${cycle.join(', ')}`);
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    if (!isPlainObject(output) || !('Value' in output)) report(`Outputs.${id}`, 'an output requires Value');
    else
      for (const key of Object.keys(output))
        if (!['Value', 'Description', 'Export', 'Condition'].includes(key))
          report(`Outputs.${id}.${key}`, `an output has no attribute ${key}`);
  }
  checkReferences(template.Outputs ?? {}, 'Outputs');
  checkReferences(template.Conditions ?? {}, 'Conditions');
  return problems;
}

/**
 * PutMetricAlarm's rules the resource schema does not express (CloudWatch API reference,
 * PutMetricAlarm and MetricDataQuery): a metric alarm XOR a metric math alarm; for metric math, at
 * most 10 metrics and 10 expressions, unique ids starting with a lower-case letter, exactly one
 * query returning data (ReturnData defaults to true), and expressions that name only known ids.
 */
function alarmRules(properties: Record<string, unknown>, path: string): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const single = [
    'MetricName',
    'Namespace',
    'Dimensions',
    'Period',
    'Statistic',
    'ExtendedStatistic',
    'Unit',
  ];
  const metrics = properties.Metrics;
  if (metrics === undefined) {
    if (!('MetricName' in properties))
      problems.push({ path, message: 'an alarm needs MetricName or Metrics' });
    return problems;
  }
  for (const name of single)
    if (name in properties)
      problems.push({ path: `${path}.${name}`, message: `${name} cannot be used with Metrics` });
  if (!Array.isArray(metrics)) return problems;
  const queries = metrics.filter(isPlainObject);
  const ids = queries.map((q) => String(q.Id));
  const stats = queries.filter((q) => 'MetricStat' in q).length;
  const expressions = queries.filter((q) => 'Expression' in q);
  if (stats > 10) problems.push({ path: `${path}.Metrics`, message: `${stats} metrics: at most 10` });
  if (expressions.length > 10)
    problems.push({ path: `${path}.Metrics`, message: `${expressions.length} expressions: at most 10` });
  queries.forEach((q, i) => {
    if ('MetricStat' in q === 'Expression' in q)
      problems.push({
        path: `${path}.Metrics[${i}]`,
        message: 'a query has either MetricStat or Expression',
      });
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(String(q.Id)))
      problems.push({
        path: `${path}.Metrics[${i}].Id`,
        message: `${String(q.Id)}: ids start with a lower-case letter`,
      });
  });
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i)))
    problems.push({ path: `${path}.Metrics`, message: `id ${id} is used twice` });
  const returning = queries.filter((q) => q.ReturnData !== false && q.ReturnData !== 'false');
  if (returning.length !== 1)
    problems.push({
      path: `${path}.Metrics`,
      message: `exactly one query must return data (ReturnData defaults to true), not ${returning.map((q) => String(q.Id)).join(', ') || 'none'}`,
    });
  const functions = /^[A-Z_]+$/;
  expressions.forEach((q) => {
    if (typeof q.Expression !== 'string') return;
    const text = q.Expression.replace(/"[^"]*"|'[^']*'/g, '');
    for (const [word] of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g))
      if (!functions.test(word) && !ids.includes(word))
        problems.push({
          path: `${path}.Metrics[${queries.indexOf(q)}].Expression`,
          message: `${word} is no query id of the alarm`,
        });
  });
  return problems;
}

/** The dependency cycles of a graph (one per strongly connected component with a cycle; Tarjan). */
export function dependencyCycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.unshift(member);
      if (member === node) break;
    }
    if (component.length > 1 || graph.get(node)?.has(node)) cycles.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One line per problem, for a test failure message or the CLI. */
export function formatProblems(problems: SpecProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

/**
 * Rollback alarms that tell a bad version from ordinary noise (docs/release.md, "Rollback alarms").
 *
 * For every function with `deploymentSettings`, two CloudWatch alarms that CodeDeploy watches
 * while it shifts the function's `Live` alias (`<Fn>ReleaseErrorsAlarm`, `<Fn>ReleaseThrottlesAlarm`):
 *
 *   value = rate of the NEW version - rate of the OLD version, in percentage points, per minute
 *           (errors: Errors / Invocations; throttles: Throttles / (Invocations + Throttles)),
 *           0 while the new version has served fewer than `minRequests` requests that minute.
 *   ALARM when value > the stage's threshold in `datapointsToAlarm` of `evaluationPeriods` minutes.
 *
 * The new version's metrics are the alias metrics with the `ExecutedVersion` dimension, whose value
 * is the version CloudFormation publishes in this very deploy: the alias' `FunctionVersion`
 * (`Fn::GetAtt [<Fn>LambdaVersion<hash>, Version]`), which only exists in the compiled template -
 * hence a plugin, run after serverless-plugin-canary-deployments has built the aliases. The old
 * version's are the alias total minus the new version's. Contention (throttles under reserved
 * concurrency, transaction conflicts, a slow table) hits both versions alike and cancels out; a
 * version that fails more than the one it replaces does not. With all traffic on the new version
 * (AllAtOnce, or the end of a canary) the old rate is 0 and the value is the new version's rate.
 *
 * The alias is made to depend on its alarms, so CloudFormation points them at the new version
 * before it hands the alias to CodeDeploy. Settings: `custom.releaseRollback` (stage params).
 */
class ReleaseRollbackAlarms {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.addAlarms(),
    };
  }

  addAlarms() {
    const service = this.serverless.service;
    const settings = readSettings(service.custom && service.custom.releaseRollback);
    const naming = this.serverless.getProvider('aws').naming;
    const resources = service.provider.compiledCloudFormationTemplate.Resources;
    const aliasName =
      (service.custom.deploymentSettings && service.custom.deploymentSettings.alias) || 'Live';
    for (const key of service.getAllFunctions()) {
      const fn = service.getFunction(key);
      if (!fn.deploymentSettings) continue;
      const functionId = naming.getLambdaLogicalId(key);
      const prefix = functionId.replace(/LambdaFunction$/, '');
      const aliasEntry = Object.entries(resources).find(
        ([, r]) =>
          r.Type === 'AWS::Lambda::Alias' &&
          r.Properties.FunctionName &&
          r.Properties.FunctionName.Ref === functionId &&
          r.Properties.Name === aliasName,
      );
      // Stages without blue/green (local) have no alias: the alarms are never consulted there.
      const newVersion = aliasEntry ? aliasEntry[1].Properties.FunctionVersion : '$LATEST';
      const target = {
        key,
        functionName: fn.name,
        resource: `${fn.name}:${aliasName}`,
        newVersion,
        alarmPrefix: `${service.service}-${this.serverless.getProvider('aws').getStage()}-release-${key}`,
      };
      const ids = [`${prefix}ReleaseErrorsAlarm`, `${prefix}ReleaseThrottlesAlarm`];
      resources[ids[0]] = errorsAlarm(target, settings);
      resources[ids[1]] = throttlesAlarm(target, settings);
      if (aliasEntry) {
        const alias = aliasEntry[1];
        const dependsOn = alias.DependsOn === undefined ? [] : [alias.DependsOn].flat();
        alias.DependsOn = [...new Set([...dependsOn, ...ids])];
      }
    }
  }
}

const SETTINGS = [
  'errorRatePoints',
  'throttleRatePoints',
  'minRequests',
  'evaluationPeriods',
  'datapointsToAlarm',
];

function readSettings(raw) {
  if (!raw) throw new Error('custom.releaseRollback is missing (infra/plugins/release-rollback-alarms.js)');
  const settings = {};
  for (const name of SETTINGS) {
    const value = Number(raw[name]);
    if (!Number.isFinite(value) || value < 0)
      throw new Error(
        `custom.releaseRollback.${name} must be a number >= 0, got ${JSON.stringify(raw[name])}`,
      );
    settings[name] = value;
  }
  if (settings.datapointsToAlarm < 1 || settings.datapointsToAlarm > settings.evaluationPeriods)
    throw new Error('custom.releaseRollback.datapointsToAlarm must be between 1 and evaluationPeriods');
  return settings;
}

function lambdaMetric(id, metricName, dimensions) {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: {
      Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: dimensions },
      Period: 60,
      Stat: 'Sum',
    },
  };
}

function expression(id, text, label) {
  return { Id: id, Expression: text, ReturnData: false, ...(label ? { Label: label } : {}) };
}

/** The four metrics of one kind: new version (ExecutedVersion) and the alias as a whole. */
function metricsOf(target, counted) {
  const alias = [
    { Name: 'FunctionName', Value: target.functionName },
    { Name: 'Resource', Value: target.resource },
  ];
  const newVersion = [...alias, { Name: 'ExecutedVersion', Value: target.newVersion }];
  return [
    lambdaMetric('newInvocations', 'Invocations', newVersion),
    lambdaMetric(`new${counted}`, counted, newVersion),
    lambdaMetric('aliasInvocations', 'Invocations', alias),
    lambdaMetric(`alias${counted}`, counted, alias),
  ];
}

function alarm(target, settings, { suffix, description, metrics, threshold }) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${target.alarmPrefix}-${suffix}`,
      AlarmDescription: description,
      Metrics: metrics,
      EvaluationPeriods: settings.evaluationPeriods,
      DatapointsToAlarm: settings.datapointsToAlarm,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  };
}

function errorsAlarm(target, settings) {
  const min = settings.minRequests;
  return alarm(target, settings, {
    suffix: 'errors',
    description: `Error rate of the new ${target.key} version above the old one's by more than ${settings.errorRatePoints} points (>= ${min} requests a minute) during a release: rolls the deployment back (docs/runbook.md, ReleaseErrorsAlarm)`,
    threshold: settings.errorRatePoints,
    metrics: [
      ...metricsOf(target, 'Errors'),
      expression('n', 'FILL(newInvocations, 0)'),
      expression('e', 'FILL(newErrors, 0)'),
      expression('o', 'FILL(aliasInvocations, 0) - n'),
      expression('oe', 'FILL(aliasErrors, 0) - e'),
      {
        ...expression(
          'excess',
          `IF(n >= ${min}, 100 * e / IF(n > 0, n, 1) - 100 * oe / IF(o > 0, o, 1), 0)`,
          'error rate, new minus old version (points)',
        ),
        ReturnData: true,
      },
    ],
  });
}

function throttlesAlarm(target, settings) {
  const min = settings.minRequests;
  return alarm(target, settings, {
    suffix: 'throttles',
    description: `Throttle rate of the new ${target.key} version above the old one's by more than ${settings.throttleRatePoints} points (>= ${min} requests a minute) during a release: rolls the deployment back (docs/runbook.md, ReleaseThrottlesAlarm)`,
    threshold: settings.throttleRatePoints,
    metrics: [
      ...metricsOf(target, 'Throttles'),
      expression('n', 'FILL(newInvocations, 0) + FILL(newThrottles, 0)'),
      expression('t', 'FILL(newThrottles, 0)'),
      expression('ot', 'FILL(aliasThrottles, 0) - t'),
      expression('o', 'FILL(aliasInvocations, 0) + FILL(aliasThrottles, 0) - n'),
      {
        ...expression(
          'excess',
          `IF(n >= ${min}, 100 * t / IF(n > 0, n, 1) - 100 * ot / IF(o > 0, o, 1), 0)`,
          'throttle rate, new minus old version (points)',
        ),
        ReturnData: true,
      },
    ],
  });
}

module.exports = ReleaseRollbackAlarms;
module.exports.readSettings = readSettings;

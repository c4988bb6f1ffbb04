/** CloudWatch EMF documents as Powertools Metrics prints them, for tests. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

export function isEmf(value: unknown): value is EmfDocument {
  return typeof value === 'object' && value !== null && '_aws' in value;
}

/** One emitted metric value: name, unit, dimensions (name -> value), values (EMF may batch an array). */
export interface EmittedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

/** Flattens EMF documents into one entry per (metric, dimension set). */
export function emittedMetrics(documents: readonly EmfDocument[]): EmittedMetric[] {
  const out: EmittedMetric[] = [];
  for (const doc of documents) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        const dimensions = Object.fromEntries(set.map((name) => [name, String(doc[name])]));
        for (const metric of directive.Metrics) {
          const raw = doc[metric.Name];
          const values = (Array.isArray(raw) ? raw : [raw]).map(Number);
          out.push({
            namespace: directive.Namespace,
            name: metric.Name,
            unit: metric.Unit,
            dimensions,
            values,
          });
        }
      }
    }
  }
  return out;
}

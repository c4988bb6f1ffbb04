/**
 * Measures what the functions would send to CloudWatch Logs, and keeps it off the terminal.
 *
 * On Lambda every line a function writes to stdout / stderr is ingested (billed per GB). The local
 * stack runs the functions in this process, so their Powertools JSON lines (structured logs and
 * EMF metric lines) arrive on this process's stdout / stderr: while capturing, every line that is
 * a JSON object is counted (by the function named in it, or as `metrics (EMF)`) and swallowed;
 * anything else is passed through untouched. The benchmark's own output uses `write` (the original
 * stdout), never the captured stream.
 */

export interface LogTotals {
  readonly lines: number;
  readonly bytes: number;
  readonly byFunction: Readonly<Record<string, { readonly lines: number; readonly bytes: number }>>;
  /** Distinct EMF metric names seen (each is a CloudWatch custom metric with its dimensions). */
  readonly metricNames: readonly string[];
}

type WriteFn = typeof process.stdout.write;

export class LogCapture {
  private lines = 0;
  private bytes = 0;
  private byFunction = new Map<string, { lines: number; bytes: number }>();
  private readonly metricNames = new Set<string>();
  private readonly originals: { stdout: WriteFn; stderr: WriteFn };
  private partial = { stdout: '', stderr: '' };
  private active = false;

  constructor() {
    this.originals = {
      stdout: process.stdout.write.bind(process.stdout),
      stderr: process.stderr.write.bind(process.stderr),
    };
  }

  /** Writes to the real stdout, whether capturing or not. */
  readonly write = (text: string): void => {
    this.originals.stdout(text);
  };

  readonly writeError = (text: string): void => {
    this.originals.stderr(text);
  };

  start(): void {
    if (this.active) return;
    this.active = true;
    process.stdout.write = this.interceptor('stdout');
    process.stderr.write = this.interceptor('stderr');
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    process.stdout.write = this.originals.stdout;
    process.stderr.write = this.originals.stderr;
  }

  reset(): void {
    this.lines = 0;
    this.bytes = 0;
    this.byFunction = new Map();
  }

  totals(): LogTotals {
    return {
      lines: this.lines,
      bytes: this.bytes,
      byFunction: Object.fromEntries(this.byFunction),
      metricNames: [...this.metricNames].sort(),
    };
  }

  private interceptor(stream: 'stdout' | 'stderr'): WriteFn {
    const original = this.originals[stream];
    const intercept = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      const text =
        typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
      const passed = this.consume(stream, text);
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (passed !== '') return original(passed, typeof done === 'function' ? () => done() : undefined);
      if (typeof done === 'function') queueMicrotask(() => done());
      return true;
    };
    return intercept as WriteFn;
  }

  /** Counts and drops complete JSON lines; returns what should still be written. */
  private consume(stream: 'stdout' | 'stderr', text: string): string {
    const buffered = this.partial[stream] + text;
    const lines = buffered.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    let passed = '';
    for (const line of lines) {
      if (line.startsWith('{') && this.count(line)) continue;
      passed += `${line}\n`;
    }
    if (this.partial[stream] !== '' && !this.partial[stream].startsWith('{')) {
      passed += this.partial[stream];
      this.partial[stream] = '';
    }
    return passed;
  }

  private count(line: string): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return false;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
    const entry: Record<string, unknown> = { ...parsed };
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    let source = 'other';
    if (typeof entry._aws === 'object' && entry._aws !== null) {
      source = 'metrics (EMF)';
      this.collectMetricNames(entry._aws);
    } else if (typeof entry.function_name === 'string') source = entry.function_name;
    else if (typeof entry.level === 'string') source = 'outside an invocation';
    const current = this.byFunction.get(source) ?? { lines: 0, bytes: 0 };
    current.lines++;
    current.bytes += bytes;
    this.byFunction.set(source, current);
    this.lines++;
    this.bytes += bytes;
    return true;
  }

  private collectMetricNames(aws: object): void {
    const directives: unknown = 'CloudWatchMetrics' in aws ? aws.CloudWatchMetrics : undefined;
    for (const directive of Array.isArray(directives) ? directives : []) {
      const metrics: unknown =
        typeof directive === 'object' && directive !== null && 'Metrics' in directive
          ? directive.Metrics
          : undefined;
      for (const metric of Array.isArray(metrics) ? metrics : []) {
        if (
          typeof metric === 'object' &&
          metric !== null &&
          'Name' in metric &&
          typeof metric.Name === 'string'
        )
          this.metricNames.add(metric.Name);
      }
    }
  }
}

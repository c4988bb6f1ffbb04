/**
 * CPU use over a window, to see what bounds the run: this process (the pipeline: HTTP API, every
 * function, the SQS poller and fauxqs all share its one event loop), DynamoDB Local's JVM, the
 * load generator, and the whole machine (shared and noisy: other tenants show here too). Linux
 * /proc; elsewhere only this process is reported. Plus this process's event-loop delay.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface CpuReport {
  readonly seconds: number;
  readonly cores: number;
  /** Average CPU use in % of one core (200 % = two cores busy), by process label. */
  readonly processes: Readonly<Record<string, number>>;
  /** Average busy % of all cores together (0-100), every process on the machine. */
  readonly machineBusyPercent?: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

interface Snapshot {
  readonly at: number;
  readonly self: NodeJS.CpuUsage;
  /** CPU seconds used so far, by process label. */
  readonly others: Readonly<Record<string, number | undefined>>;
  readonly machine?: { readonly busy: number; readonly total: number };
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process, in seconds; undefined when unreadable (not Linux, gone). */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): utime is field 14, stime 15.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((n, v) => n + v, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export class CpuMonitor {
  private start: Snapshot | undefined;
  private histogram: IntervalHistogram | undefined;
  private pids: Readonly<Record<string, number>> = {};

  /** Starts the window; `pids` are the other processes to watch, by label. */
  begin(pids: Readonly<Record<string, number>>): void {
    this.pids = pids;
    this.start = this.snapshot();
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
  }

  end(): CpuReport | undefined {
    const start = this.start;
    const histogram = this.histogram;
    if (start === undefined || histogram === undefined) return undefined;
    histogram.disable();
    const end = this.snapshot();
    const seconds = (end.at - start.at) / 1000;
    const processes: Record<string, number> = {
      'benchmark process (pipeline + fauxqs)':
        ((end.self.user + end.self.system - start.self.user - start.self.system) / 1e6 / seconds) * 100,
    };
    for (const [label, before] of Object.entries(start.others)) {
      const after = end.others[label];
      if (before !== undefined && after !== undefined) processes[label] = ((after - before) / seconds) * 100;
    }
    const ms = (ns: number) => ns / 1e6;
    return {
      seconds,
      cores: os.cpus().length,
      processes,
      ...(start.machine && end.machine
        ? {
            machineBusyPercent:
              ((end.machine.busy - start.machine.busy) /
                Math.max(1, end.machine.total - start.machine.total)) *
              100,
          }
        : {}),
      eventLoopDelayMs: {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      },
    };
  }

  private snapshot(): Snapshot {
    const machine = machineTicks();
    const others = Object.fromEntries(
      Object.entries(this.pids).map(([label, pid]) => [label, processCpuSeconds(pid)]),
    );
    return { at: Date.now(), self: process.cpuUsage(), others, ...(machine ? { machine } : {}) };
  }
}

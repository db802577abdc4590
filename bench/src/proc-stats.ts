import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (100 on every Linux we know; asked once). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** process.hrtime in ms. */
  at: number;
  /** user + system CPU seconds since the process started. */
  cpuS: number;
  rssMiB: number;
}

/** A process's command name and its user and system CPU seconds, from /proc/<pid>/stat; undefined once it has exited. */
export function readCpu(pid: number | string): { comm: string; userS: number; sysS: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), userS: Number(fields[11]) / CLK_TCK, sysS: Number(fields[12]) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/** One reading of a process's CPU time and resident memory from /proc; undefined once it has exited. */
export function readProc(pid: number): ProcSample | undefined {
  const cpu = readCpu(pid);
  if (!cpu) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { at: nowMs(), cpuS: cpu.userS + cpu.sysS, rssMiB: rssKiB / 1024 };
  } catch {
    return undefined;
  }
}

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export interface UsageWindow {
  /** Average CPU over the window, in % of one core (200 = both cores of a 2-core box). */
  cpuPct: number;
  rssMiB: number;
  peakRssMiB: number;
}

/**
 * Samples a set of processes every `everyMs` so a scenario can ask for CPU and RSS over any window
 * (mark → usage). Bounded: it stops by itself after `maxMs`.
 */
export class ProcSampler {
  private timer: NodeJS.Timeout;
  private peak = new Map<number, number>();
  private marks = new Map<number, ProcSample>();

  constructor(
    private pids: () => number[],
    everyMs = 500,
    maxMs = 30 * 60_000,
  ) {
    const stopAt = nowMs() + maxMs;
    this.timer = setInterval(() => {
      if (nowMs() > stopAt) return this.stop();
      for (const pid of this.pids()) {
        const s = readProc(pid);
        if (s) this.peak.set(pid, Math.max(this.peak.get(pid) ?? 0, s.rssMiB));
      }
    }, everyMs);
    this.timer.unref();
  }

  /** Start a measurement window now (resets peaks). */
  mark() {
    this.marks.clear();
    this.peak.clear();
    for (const pid of this.pids()) {
      const s = readProc(pid);
      if (s) {
        this.marks.set(pid, s);
        this.peak.set(pid, s.rssMiB);
      }
    }
  }

  /** CPU and memory per process since the last mark. */
  usageByPid(): Map<number, UsageWindow> {
    const out = new Map<number, UsageWindow>();
    for (const pid of this.pids()) {
      const start = this.marks.get(pid);
      const s = readProc(pid);
      if (!s) continue;
      const cpuPct = start && s.at > start.at ? ((s.cpuS - start.cpuS) / ((s.at - start.at) / 1000)) * 100 : 0;
      out.set(pid, { cpuPct: round(cpuPct), rssMiB: round(s.rssMiB), peakRssMiB: round(Math.max(this.peak.get(pid) ?? 0, s.rssMiB)) });
    }
    return out;
  }

  /** CPU seconds (user + system) used by `pids` (default: every sampled process) since the last mark. */
  cpuSeconds(pids = this.pids()): number {
    let total = 0;
    for (const pid of pids) {
      const start = this.marks.get(pid);
      const s = readProc(pid);
      if (start && s) total += s.cpuS - start.cpuS;
    }
    return total;
  }

  /** CPU and memory summed over the sampled processes since the last mark. */
  usage(): UsageWindow {
    let cpuPct = 0;
    let rssMiB = 0;
    let peakRssMiB = 0;
    for (const pid of this.pids()) {
      const start = this.marks.get(pid);
      const s = readProc(pid);
      if (!s) continue;
      if (start && s.at > start.at) cpuPct += ((s.cpuS - start.cpuS) / ((s.at - start.at) / 1000)) * 100;
      rssMiB += s.rssMiB;
      peakRssMiB += Math.max(this.peak.get(pid) ?? 0, s.rssMiB);
    }
    return { cpuPct: round(cpuPct), rssMiB: round(rssMiB), peakRssMiB: round(peakRssMiB) };
  }

  stop() {
    clearInterval(this.timer);
  }
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

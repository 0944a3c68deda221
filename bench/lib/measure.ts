// Timing helpers: operations per second with this process's CPU time per operation, and the CPU
// time of other processes read from /proc (a serve process, a browser's process tree).
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface Rate {
  /** Operations per second (wall clock). */
  perSecond: number;
  /** This process's CPU time (user + system) per operation, µs. */
  cpuUsPerOp: number;
  /** Operations done, and the wall time they took (ms). */
  n: number;
  ms: number;
}

/**
 * Runs `fn` for about `ms` after a short warm-up (JIT, key caches), at least `minOps` times.
 * One long round rather than a median of short ones: CPU time needs a window of some length.
 */
export async function rate(fn: () => unknown, ms = 600, minOps = 3): Promise<Rate> {
  const warmEnd = performance.now() + Math.min(500, ms / 4);
  let w = 0;
  while (w < 2 || (performance.now() < warmEnd && w < 5000)) {
    await fn();
    w++;
  }
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  while (n < minOps || performance.now() - start < ms) {
    await fn();
    n++;
  }
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: n / (elapsed / 1000), cpuUsPerOp: (cpu.user + cpu.system) / n, n, ms: elapsed };
}

/** Wall time of one call, ms. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const CLOCK_TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux x86-64

/** Whether this kernel keeps per-thread run time in nanoseconds (/proc/<pid>/task/<tid>/schedstat). */
const SCHEDSTAT = existsSync('/proc/self/schedstat');

/**
 * CPU time of one process, µs; undefined when it is gone. The sum of its threads' run time from
 * schedstat (nanoseconds), where the kernel has it: stat's utime + stime count in 10 ms ticks,
 * too coarse for a run of 40 operations of a millisecond. A thread that ends between two readings
 * takes its time with it; a process's threads here (V8's, libuv's pool) live as long as it does.
 */
export function procCpuUs(pid: number): number | undefined {
  try {
    if (SCHEDSTAT) {
      let ns = 0;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        } catch {
          // the thread ended while we read
        }
      }
      return ns / 1000;
    }
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields count from the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * CLOCK_TICK_US; // fields 14 and 15 of stat(5)
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** CPU time (µs) of every live descendant of `root` (not root itself): a browser's process tree. */
export function descendantsCpuUs(root: number): number {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = parentOf(Number(name));
    if (ppid !== undefined) parents.set(Number(name), ppid);
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const pid of parents.keys()) if (isDescendant(pid)) total += procCpuUs(pid) ?? 0;
  return total;
}

/** Resident set size of a live process (kB), and its peak. */
export function procRssKb(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

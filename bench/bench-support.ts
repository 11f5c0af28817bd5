/**
 * What the benchmarks share: the servers' settings, the machine line, timings, CPU seconds from
 * /proc, peak RSS through GNU time, medians. Each bench keeps only what it measures.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { LocalServer } from '../dev/local-server.js';

// Same servers for everyone; a buffer pool that holds the table so that no contender is limited by disk.
export const SERVER_ARGS = ['--innodb-buffer-pool-size=1G', '--innodb-log-file-size=512M', '--max-allowed-packet=64M'];

/** The machine the numbers come from: CPUs and load average at the start. */
export function machineLine(): string {
  return `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** --name N on the command line: a positive integer, or fallback when absent. */
export function positiveOption(argv: readonly string[], name: string, fallback: number): number {
  const index = argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const parsed = Number(argv[index + 1]);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new Error(`--${name} needs a positive integer`);
  return parsed;
}

export function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Wall seconds since a performance.now() reading. */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

const CLOCK_TICKS = 100;

/** utime + stime of a process, or of its waited-for children (cutime + cstime), in seconds; NaN without /proc. */
export function cpuSeconds(pid: number | 'self', children = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const [user, system] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
    return (Number(user) + Number(system)) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** command and args run under GNU time, which writes the peak RSS to stderr for peakRssMb(). */
export function underTime(command: string, args: readonly string[]): [string, string[]] {
  return ['/usr/bin/time', ['-f', 'maxrss_kb=%M', command, ...args]];
}

/** The peak RSS that underTime() reported in stderr, in MB; null when it is not there. */
export function peakRssMb(stderr: string): number | null {
  const rss = /maxrss_kb=(\d+)/.exec(stderr);
  return rss ? Math.round(Number(rss[1]) / 1024) : null;
}

/**
 * Makes InnoDB write back what the last run dirtied (bounded: 120 s). With a large buffer pool
 * the page cleaner would otherwise keep dirty pages for minutes and flush them during the next
 * contender's run.
 */
export async function quiet(servers: readonly LocalServer[]): Promise<void> {
  for (const server of servers) {
    await server.sql('SET GLOBAL innodb_max_dirty_pages_pct = 0');
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const rows = (await server.sql("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")) as { Value: string }[];
      if (Number(rows[0]?.Value ?? 0) < 100) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await server.sql('SET GLOBAL innodb_max_dirty_pages_pct = 90');
  }
}

/** NaN values (a measure that could not be read, such as CPU seconds without /proc) are left out. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

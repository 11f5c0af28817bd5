import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-info.js';

const DEMO = join(packageRoot, 'dist', 'scripts', 'demo.js');

interface DemoRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built demo; `onOutput` may send it a signal once some text has appeared. */
function runDemo(onOutput?: (stdout: string, child: ReturnType<typeof spawn>) => void): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], {
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onOutput?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A hang must not outlive the test run; not a speed requirement.
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The servers the demo announced: "  production  127.0.0.1:PORT  (DIR)". */
function announcedServers(stdout: string): { port: number; dir: string }[] {
  return [...stdout.matchAll(/^ {2}(?:production|sandbox) +127\.0\.0\.1:(\d+) +\((.+)\)$/gm)].map((m) => ({
    port: Number(m[1]),
    dir: m[2]!,
  }));
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Processes whose command line mentions `text` (a server's data dir), read from /proc. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function expectNothingLeft(run: DemoRun): Promise<void> {
  const servers = announcedServers(run.stdout);
  expect(servers, run.stdout).toHaveLength(2);
  const workDir = /^\[3\/6\] Writing the config: (.+)\/replicoop\.yaml$/m.exec(run.stdout)?.[1];
  for (const dir of [...servers.map((s) => s.dir), ...(workDir ? [workDir] : [])]) {
    expect(existsSync(dir), dir).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
  }
  for (const server of servers) expect(await refusesConnections(server.port), `port ${server.port}`).toBe(true);
}

describe('npm run demo', () => {
  it('plans, applies and validates the embedded shop, then stops both servers and removes its temp dirs', async () => {
    const run = await runDemo();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // Each step's heading, then the plan's diff (a missing column, a changed type, the dropped table).
    for (const heading of [
      '[1/6] Starting two throwaway MariaDB servers',
      '[4/6] replicoop plan',
      '$ replicoop plan',
      '[5/6] replicoop apply plan.json',
      '$ replicoop apply plan.json',
      '[6/6] replicoop validate',
      '$ replicoop validate',
    ]) {
      expect(run.stdout).toContain(heading);
    }
    expect(run.stdout).toContain('+++ production/customers');
    expect(run.stdout).toContain('+  `phone` varchar(20) DEFAULT NULL,');
    expect(run.stdout).toContain('-  `price` decimal(8,2) NOT NULL,');
    expect(run.stdout).toContain('! 0005-drop-table-legacy-coupons');
    expect(run.stdout).toContain('## replicoop apply succeeded');
    expect(run.stdout).toContain('customers.email (email), customers.name (name), customers.phone (phone)');
    expect(run.stdout).not.toMatch(/^ {3}-> \S+@mail\.example/m);
    expect(run.stdout).toContain('Demo finished: plan, apply and validate all succeeded.');
    await expectNothingLeft(run);
  });

  it('cleans up on Ctrl-C (SIGINT) in the middle of the run and exits non-zero', async () => {
    let sent = false;
    const run = await runDemo((stdout, child) => {
      if (!sent && stdout.includes('$ replicoop apply')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent, run.stdout).toBe(true);
    expect(run.code, run.stdout + run.stderr).toBe(130);
    expect(run.stdout).toContain('Cleaning up');
    await expectNothingLeft(run);
  });
});

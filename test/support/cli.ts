import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { packageRoot } from '../../src/package-info.js';

export const CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the built binary (npm test builds first) with stdin closed, as CI would. */
export function runCli(
  args: readonly string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
    /** Called with all of stderr so far each time more arrives (to act at a point of the run). */
    onStderr?: (soFar: string) => void;
  } = { cwd: process.cwd() },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: 'true', ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function tempDir(prefix = 'replicoop-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface ConfigSides {
  readonly productionPort: number;
  readonly sandboxPort: number;
  readonly productionDb: string;
  readonly sandboxDb: string;
}

/** Writes replicoop.yaml in `dir` for the private servers; `extra` adds or overrides keys. */
export function writeConfig(dir: string, sides: ConfigSides, extra: Record<string, unknown> = {}): string {
  const config = {
    production: { host: '127.0.0.1', port: sides.productionPort, user: 'root', password: '', database: sides.productionDb },
    sandbox: { host: '127.0.0.1', port: sides.sandboxPort, user: 'root', password: '', database: sides.sandboxDb },
    ...extra,
  };
  const file = join(dir, 'replicoop.yaml');
  writeFileSync(file, dump(config));
  return file;
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePlanFile } from '../../src/plan/plan-file.js';
import { everyStepKindPlan } from '../unit/report/every-step-kind.js';
import { CLI, runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

/** Removes colours and cursor movement so the screen text can be searched. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/**
 * The CLI on a real pseudo-terminal (util-linux `script`), so stdin and stdout are TTYs exactly
 * as for a person; keystrokes go in through script's stdin, the screen comes back on its stdout.
 */
class Terminal {
  readonly #child: ChildProcessWithoutNullStreams;
  #screen = '';
  #waiters: (() => void)[] = [];
  #closed = false;
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
    const command = ['stty cols 120 rows 50;', 'exec', shellQuote(process.execPath), shellQuote(CLI), ...args.map(shellQuote)].join(' ');
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
    // The spinner is part of what a person sees; CI=true (set by .ci/run) would switch it off.
    delete childEnv.CI;
    delete childEnv.EDITOR;
    delete childEnv.VISUAL;
    // The pager tests decide what LESS holds.
    if (!('LESS' in env)) delete childEnv.LESS;
    this.#child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout.on('data', (d: Buffer) => this.#grow(d));
    this.#child.stderr.on('data', (d: Buffer) => this.#grow(d));
    // A hang must fail the test, not the whole run; not a speed requirement.
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 60_000);
    this.exited = new Promise((resolve) =>
      this.#child.on('close', (code) => {
        clearTimeout(killer);
        this.#closed = true;
        for (const wake of this.#waiters.splice(0)) wake();
        resolve(code);
      }),
    );
  }

  #grow(data: Buffer): void {
    this.#screen += data.toString();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  get text(): string {
    return plain(this.#screen);
  }

  /** Waits until `text` appears at or after `from`; returns the offset just past it. */
  async waitFor(text: string | RegExp, from = 0): Promise<number> {
    for (;;) {
      const rest = this.text.slice(from);
      const match =
        typeof text === 'string'
          ? rest.includes(text)
            ? { index: rest.indexOf(text), length: text.length }
            : null
          : (() => {
              const m = text.exec(rest);
              return m ? { index: m.index, length: m[0].length } : null;
            })();
      if (match) return from + match.index + match.length;
      if (this.#closed) throw new Error(`the CLI exited before showing ${String(text)}:\n${this.text}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /**
   * Moves the menu cursor with a number key, waits until the latest drawing of the menu shows it
   * there (a key that changes nothing draws nothing), then presses Enter.
   */
  async choose(number: number, label: string, from: number): Promise<number> {
    this.#child.stdin.write(String(number));
    for (;;) {
      const text = this.text;
      const open = text.lastIndexOf('? What next?');
      // The open menu is the one drawn after the last answered one.
      if (open > text.lastIndexOf('✔ What next?') && text.slice(open).includes(`❯ ${number}. ${label}`)) break;
      if (this.#closed) throw new Error(`the CLI exited before ${label} was highlighted:\n${this.text}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#child.stdin.write('\r');
    return this.waitFor(`✔ What next? ${label}`, from);
  }

  type(keys: string): void {
    this.#child.stdin.write(keys);
  }

  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function withTerminal<T>(terminal: Terminal, body: (t: Terminal) => Promise<T>): Promise<T> {
  try {
    return await body(terminal);
  } finally {
    terminal.kill();
  }
}

describe('replicoop without a command', () => {
  it('prints the help on stderr and exits 1 when there is no terminal', async () => {
    const dir = tempDir();
    const result = await runCli([], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: replicoop <command> [options]');
    expect(result.stderr).toContain('replicoop status');
    expect(result.stderr).toContain('error: no command given (and no terminal for the interactive menu)');
  });

  it('opens the menu on a terminal: Status runs the status command, Quit exits 0', async () => {
    const { production, sandbox } = testServers();
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, 'menu_prod', 'menu_sandbox'));
    const code = await withTerminal(new Terminal(['-c', 'replicoop.yaml'], dir), async (t) => {
      let at = await t.waitFor(
        `config ok replicoop.yaml: production 127.0.0.1:${production.port}/menu_prod -> sandbox 127.0.0.1:${sandbox.port}/menu_sandbox`,
      );
      at = await t.waitFor('8. Quit', at);
      at = await t.choose(6, 'Status', at);
      at = await t.waitFor('$ replicoop status', at);
      at = await t.waitFor(`No runs yet (state: ${join(dir, '.replicoop', 'state.db')}). Start with: replicoop plan`, at);
      at = await t.waitFor('✔ status finished', at);
      at = await t.waitFor('8. Quit', at);
      await t.choose(8, 'Quit', at);
      return t.exited;
    });
    expect(code).toBe(0);
  });

  it('shows a broken config in the menu, disables the commands, and still lets the user quit', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'broken.yaml'),
      'production:\n  host: 127.0.0.1\n  user: root\n  database: shop\nsandbox:\n  host: 127.0.0.1\n  user: root\n  database: shop_sb\nbackups: ./b\n',
    );
    const code = await withTerminal(new Terminal(['--config', 'broken.yaml'], dir), async (t) => {
      let at = await t.waitFor('error: broken.yaml: /: unknown key "backups"');
      at = await t.waitFor('- 6. Status (fix the config first)', at);
      at = await t.waitFor('❯ 7. Edit / check config', at);
      // Edit / check config without $EDITOR: the path is printed and the file checked again.
      at = await t.choose(7, 'Edit / check config', at);
      at = await t.waitFor(`Config file: ${join(dir, 'broken.yaml')}`, at);
      at = await t.waitFor('error: broken.yaml: /: unknown key "backups"', at);
      at = await t.waitFor('8. Quit', at);
      await t.choose(8, 'Quit', at);
      return t.exited;
    });
    expect(code).toBe(0);
  });

  it('Show last plan pages a plan longer than the terminal: through $PAGER, else the built-in pager', async () => {
    const dir = tempDir();
    writePlanFile(join(dir, 'plan.json'), everyStepKindPlan());
    // $PAGER gets the whole text on its stdin (here it keeps it in a file).
    await withTerminal(new Terminal([], dir, { PAGER: 'cat > paged.txt' }), async (t) => {
      let at = await t.waitFor('8. Quit');
      at = await t.choose(2, 'Show last plan', at);
      at = await t.waitFor('8. Quit', at);
      await t.choose(8, 'Quit', at);
      return t.exited;
    });
    const paged = readFileSync(join(dir, 'paged.txt'), 'utf8');
    expect(paged).toContain('Steps in execution order (21 steps');
    expect(paged).toContain('0021  post       create event      nightly_cleanup');
    // No $PAGER: one screen (49 of the 50 rows), a prompt, and q stops before the end.
    const code = await withTerminal(new Terminal([], dir, { PAGER: '' }), async (t) => {
      let at = await t.waitFor('8. Quit');
      const shown = await t.choose(2, 'Show last plan', at);
      at = await t.waitFor(/-- \d+% \(Space\/Enter: more, q: quit\) --/, shown);
      const firstScreen = t.text.slice(shown, at);
      expect(firstScreen).toContain('Steps in execution order (21 steps');
      expect(firstScreen).not.toContain('Data refresh (maintain tables):');
      const prompt = at;
      t.type('q');
      at = await t.waitFor('8. Quit', at);
      // q stopped it: the rest of the plan never came.
      expect(t.text.slice(prompt, at)).not.toContain('Data refresh (maintain tables):');
      await t.choose(8, 'Quit', at);
      return t.exited;
    });
    expect(code).toBe(0);
  });

  it('Show last plan keeps colours for less (LESS=FRX when unset, as git does) and strips them for another pager', async () => {
    const dir = tempDir();
    writePlanFile(join(dir, 'plan.json'), everyStepKindPlan());
    // A stand-in for less, found first on PATH: it keeps its LESS and its input in files.
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'less'), '#!/bin/sh\nprintf %s "${LESS-unset}" > less-env.txt\ncat > less-input.txt\n', { mode: 0o755 });
    const colours = { NO_COLOR: '', PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
    for (const pager of ['less', 'cat > other-input.txt']) {
      const code = await withTerminal(new Terminal([], dir, { ...colours, PAGER: pager }), async (t) => {
        let at = await t.waitFor('8. Quit');
        at = await t.choose(2, 'Show last plan', at);
        at = await t.waitFor('8. Quit', at);
        await t.choose(8, 'Quit', at);
        return t.exited;
      });
      expect(code).toBe(0);
    }
    expect(readFileSync(join(dir, 'less-env.txt'), 'utf8')).toBe('FRX');
    const toLess = readFileSync(join(dir, 'less-input.txt'), 'utf8');
    const toOther = readFileSync(join(dir, 'other-input.txt'), 'utf8');
    expect(toLess).toContain('\x1b[');
    expect(toOther).not.toContain('\x1b[');
    expect(toOther).toBe(plain(toLess));
  });

  it('Edit / check config with no config file offers to create one from the example', async () => {
    const dir = tempDir();
    const code = await withTerminal(new Terminal([], dir), async (t) => {
      let at = await t.waitFor('error: replicoop.yaml: file not found');
      at = await t.choose(7, 'Edit / check config', at);
      at = await t.waitFor('replicoop.yaml does not exist. Create it from replicoop.yaml.example? (y/N)', at);
      t.type('y\r');
      at = await t.waitFor(`Created ${join(dir, 'replicoop.yaml')} from replicoop.yaml.example`, at);
      at = await t.waitFor('8. Quit', at);
      await t.choose(8, 'Quit', at);
      return t.exited;
    });
    expect(code).toBe(0);
    expect(readFileSync(join(dir, 'replicoop.yaml'), 'utf8')).toBe(readFileSync(join(process.cwd(), 'replicoop.yaml.example'), 'utf8'));
  });

  it('runs plan, then apply after a yes at its confirmation, against real servers', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('mshop');
    const sandboxDb = uniqueName('mshopsb');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql(SHOP_PRODUCTION, productionDb);
    await sandbox.sql(SHOP_SANDBOX, sandboxDb);
    const dir = tempDir();
    writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
      maintain: SHOP_MAINTAIN,
      masking: { secret: '${MASK_SECRET}' },
    });
    const code = await withTerminal(new Terminal([], dir, { MASK_SECRET: 'mask-secret-for-menu-tests' }), async (t) => {
      let at = await t.waitFor('8. Quit');
      at = await t.choose(1, 'Plan', at);
      at = await t.waitFor('Plan written to plan.json', at);
      at = await t.waitFor('✔ plan finished', at);
      // After a plan the menu offers Apply, which asks before touching the sandbox.
      at = await t.waitFor('❯ 3. Apply', at);
      t.type('\r');
      at = await t.waitFor(/plan\.json: \d+ steps(, \d+ destructive)?, made /, at);
      at = await t.waitFor('apply plan.json now? (y/N)', at);
      t.type('y\r');
      at = await t.waitFor('## replicoop apply succeeded', at);
      at = await t.waitFor('✔ apply finished', at);
      at = await t.waitFor('8. Quit', at);
      await t.choose(8, 'Quit', at);
      return t.exited;
    });
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'plan.json'))).toBe(true);
    const rows = await sandbox.sql<{ n: number }[]>('SELECT COUNT(*) AS n FROM customers', sandboxDb);
    expect(Number(rows[0]!.n)).toBe(1800);
  });
});

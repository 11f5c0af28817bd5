import { spawnSync } from 'node:child_process';
import { maskSecrets } from '../errors.js';
import type { Output } from './output.js';

/**
 * Text longer than the terminal, one screen at a time: through $PAGER when it is set (as git
 * does, through the shell: "less -R" carries arguments), else a built-in pager (Space or Enter:
 * next screen, q: stop). Off a terminal, or when it fits, the text is simply printed.
 */
export async function page(text: string, out: Output): Promise<void> {
  const rows = process.stdout.rows ?? 0;
  const lines = text.replace(/\n$/, '').split('\n');
  if (!process.stdout.isTTY || !process.stdin.isTTY || rows < 3 || lines.length < rows) {
    out.result(text);
    return;
  }
  const pager = process.env.PAGER;
  if (pager && pager.trim() !== '' && pager.trim() !== 'cat') {
    const result = spawnSync('sh', ['-c', pager], { input: maskSecrets(text), stdio: ['pipe', 'inherit', 'inherit'] });
    if (!result.error && result.status === 0) return;
    out.warn(
      `the pager "${pager}" ${result.error ? `could not start: ${result.error.message}` : `exited with code ${result.status ?? result.signal}`}; using the built-in one`,
    );
  }
  await builtInPager(lines, rows - 1, out);
}

async function builtInPager(lines: readonly string[], screen: number, out: Output): Promise<void> {
  let at = 0;
  while (at < lines.length) {
    out.result(lines.slice(at, at + screen).join('\n'));
    at += screen;
    if (at >= lines.length) return;
    const prompt = `-- ${Math.min(100, Math.round((at / lines.length) * 100))}% (Space/Enter: more, q: quit) --`;
    process.stdout.write(out.paint.dim(prompt));
    const key = await readKey();
    process.stdout.write(`\r${' '.repeat(prompt.length)}\r`);
    if (key === 'q' || key === 'Q' || key === '\u0003' || key === '\u001b' || key === null) return;
  }
}

/** One keypress from a terminal in raw mode; null when stdin closes. */
function readKey(): Promise<string | null> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    const done = (key: string | null): void => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      resolve(key);
    };
    const onData = (data: Buffer): void => done(data.toString('utf8'));
    const onEnd = (): void => done(null);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
  });
}

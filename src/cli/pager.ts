import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
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
    const how = pagerColours(pager, process.env);
    const input = maskSecrets(how.colour ? text : stripVTControlCharacters(text));
    const result = spawnSync('sh', ['-c', pager], { input, stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, ...how.env } });
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

/**
 * Whether $PAGER shows colours, and what to add to its environment. `less` shows escape codes as
 * text unless told -R, so, as git does, LESS=FRX is set when LESS is unset (R: colours; F: quit
 * when it fits; X: leave the text on screen). A less whose LESS or arguments leave -R off, or any
 * other pager, gets the text without colours.
 */
export function pagerColours(
  pager: string,
  env: NodeJS.ProcessEnv,
): { readonly colour: boolean; readonly env: Readonly<Record<string, string>> } {
  const [command = '', ...args] = pager.trim().split(/\s+/);
  if (basename(command) !== 'less') return { colour: false, env: {} };
  const added: Record<string, string> = env.LESS === undefined ? { LESS: 'FRX' } : {};
  // less reads LESS first, then its arguments: the last word on raw control characters wins.
  let raw = false;
  for (const option of [...(added.LESS ?? env.LESS ?? '').trim().split(/\s+/), ...args]) raw = rawControlChars(option) ?? raw;
  return { colour: raw, env: added };
}

/** less options that take a value: letters after one of these in a bundle are that value. */
const TAKES_VALUE = new Set('bhjkoOpPtTxyz#D');

/**
 * What a less option says about passing colour codes through: -R or -r, alone or bundled (FRX),
 * or their long name turn it on; -+R or -+r turn it off; undefined: nothing.
 */
function rawControlChars(option: string): boolean | undefined {
  if (option.startsWith('--')) return option.toLowerCase() === '--raw-control-chars' ? true : undefined;
  if (option.startsWith('-+')) return /^-\+[Rr]/.test(option) ? false : undefined;
  for (const letter of option.replace(/^-/, '')) {
    if (letter === 'R' || letter === 'r') return true;
    if (TAKES_VALUE.has(letter)) return undefined;
  }
  return undefined;
}

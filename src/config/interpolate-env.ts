/**
 * ${VAR} and ${VAR:-default} in string values, $$ for a literal $. Works on parsed values, not
 * on the file text, so a value can never inject YAML and every error can name its key.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationProblem {
  readonly path: string;
  readonly variable: string;
  /** Set when the text is not a well-formed reference at all (an unclosed `${`): never passed on as a value. */
  readonly malformed?: string;
}

const TOKEN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-((?:[^}\\]|\\.)*))?\}/g;

export interface Interpolation {
  readonly value: unknown;
  readonly problems: readonly InterpolationProblem[];
  /** JSON pointers of values that were exactly one ${VAR}: they may take a number or boolean type. */
  readonly wholeTokenPaths: ReadonlySet<string>;
}

export function interpolateEnv(value: unknown, env: Env): Interpolation {
  const problems: InterpolationProblem[] = [];
  const wholeTokenPaths = new Set<string>();
  const walk = (item: unknown, path: string): unknown => {
    if (typeof item === 'string') return interpolateString(item, env, path, problems, wholeTokenPaths);
    if (Array.isArray(item)) return item.map((child, index) => walk(child, `${path}/${index}`));
    if (item !== null && typeof item === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(item)) out[key] = walk(child, `${path}/${escapePointer(key)}`);
      return out;
    }
    return item;
  };
  return { value: walk(value, ''), problems, wholeTokenPaths };
}

function interpolateString(text: string, env: Env, path: string, problems: InterpolationProblem[], whole: Set<string>): string {
  if (!text.includes('$')) return text;
  const malformed = malformedReference(text);
  if (malformed) {
    problems.push({ path, variable: '', malformed });
    return '';
  }
  if (/^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-(?:[^}\\]|\\.)*)?\}$/.test(text)) whole.add(path);
  const result = text.replace(TOKEN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const current = env[name!];
    if (fallback !== undefined) return current === undefined || current === '' ? fallback.replace(/\\(.)/g, '$1') : current;
    if (current === undefined) {
      problems.push({ path, variable: name! });
      return '';
    }
    return current;
  });
  return result;
}

/**
 * A `${` that does not start a well-formed `${NAME}` / `${NAME:-default}` would otherwise be
 * passed on literally (a password "${DB_PASS" reaching the server). Returns why, or null.
 */
function malformedReference(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    if (text[i + 1] === '$') {
      i++;
      continue;
    }
    if (text[i + 1] !== '{') continue;
    TOKEN.lastIndex = i;
    const match = TOKEN.exec(text);
    TOKEN.lastIndex = 0;
    if (!match || match.index !== i) {
      const close = text.indexOf('}', i);
      // The text itself is not quoted back: it may be (part of) a password.
      return close < 0
        ? `has an unclosed "\${" at character ${i + 1} (write \${NAME}, or $$ for a literal $)`
        : `has a "\${...}" at character ${i + 1} that is not \${NAME} or \${NAME:-default} (NAME: letters, digits, _; $$ for a literal $)`;
    }
    i = match.index + match[0].length - 1;
  }
  return null;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

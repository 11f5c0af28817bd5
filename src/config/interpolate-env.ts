/**
 * ${VAR} and ${VAR:-default} in string values, $$ for a literal $. Works on parsed values, not
 * on the file text, so a value can never inject YAML and every error can name its key.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationProblem {
  readonly path: string;
  readonly variable: string;
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

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

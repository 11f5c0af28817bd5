import type { ErrorObject } from 'ajv';
import { editDistance } from '../compare-text.js';

/** ajv errors -> "/pointer: message" lines, one per problem, anyOf noise folded into one line. */
export function formatSchemaErrors(errors: readonly ErrorObject[]): string[] {
  // anyOf failures produce one error per branch; keep the most specific: an anyOf summary unless
  // a deeper error explains it, and no branch noise at the anyOf's own path.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const kept = errors.filter((e) => {
    if (e.keyword === 'anyOf')
      return !errors.some(
        (o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`) && !(o.keyword !== 'anyOf' && anyOfPaths.has(o.instancePath)),
      );
    return !anyOfPaths.has(e.instancePath);
  });
  const lines: string[] = [];
  for (const error of kept) {
    const path = error.instancePath || '/';
    let message: string;
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String((error.params as { additionalProperty: string }).additionalProperty);
        const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        const guess = closest(key, known);
        message = `unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
        break;
      }
      case 'required':
        message = `missing required key "${String((error.params as { missingProperty: string }).missingProperty)}"`;
        break;
      case 'enum':
        message = `must be one of: ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String).join(', ')}`;
        break;
      case 'anyOf': {
        const description = (error.parentSchema as { description?: string } | undefined)?.description;
        message = `must be ${description ? description.replace(/\.$/, '') : 'a valid value'}`;
        break;
      }
      default:
        message = error.message ?? 'is invalid';
    }
    const line = `${path}: ${message}`;
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

/** The known key a typo most likely meant: at most two edits away (one for short keys). */
function closest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Math.min(2, Math.floor(key.length / 3));
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance - 1;
    }
  }
  return best;
}

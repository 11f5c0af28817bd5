import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskSecrets } from '../errors.js';

/** Writes <dir>/<name>.json and <dir>/<name>.md; secrets are scrubbed on the way out. */
export function writeReport(dir: string, name: string, json: unknown, markdown: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const jsonFile = join(dir, `${name}.json`);
  const markdownFile = join(dir, `${name}.md`);
  writeFileSync(jsonFile, maskSecrets(`${JSON.stringify(json, null, 2)}\n`));
  writeFileSync(markdownFile, maskSecrets(markdown));
  return { json: jsonFile, markdown: markdownFile };
}

/** UTC time to the millisecond: two reports written in the same second do not overwrite each other. */
export function reportStamp(date: Date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '_').replace('.', '_').replace('Z', '');
}

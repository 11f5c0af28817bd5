import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskSecrets } from '../errors.js';

/**
 * Writes <dir>/<name>.json and <dir>/<name>.md; secrets are scrubbed on the way out. A report
 * never replaces another: when the name is taken (two validations finishing in the same
 * millisecond), the new one becomes <name>_2, <name>_3, ... The JSON file is created
 * exclusively, so two processes cannot pick the same name.
 */
export function writeReport(dir: string, name: string, json: unknown, markdown: string): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const base = attempt === 1 ? name : `${name}_${attempt}`;
    const jsonFile = join(dir, `${base}.json`);
    const markdownFile = join(dir, `${base}.md`);
    if (existsSync(markdownFile)) continue;
    try {
      writeFileSync(jsonFile, maskSecrets(`${JSON.stringify(json, null, 2)}\n`), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    writeFileSync(markdownFile, maskSecrets(markdown));
    return { json: jsonFile, markdown: markdownFile };
  }
}

/** UTC time to the millisecond: two reports written in the same second do not overwrite each other. */
export function reportStamp(date: Date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '_').replace('.', '_').replace('Z', '');
}

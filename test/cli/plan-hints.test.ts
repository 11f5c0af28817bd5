import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { sides } from '../support/shop.js';

describe('replicoop plan: rename hints', () => {
  it('prints the exact renames entry as a hint line, and that entry pasted into the config makes it a rename', async () => {
    const { production, sandbox } = testServers();
    const productionDb = uniqueName('phint');
    const sandboxDb = uniqueName('phintsb');
    await production.createDatabase(productionDb);
    await sandbox.createDatabase(sandboxDb);
    await production.sql('CREATE TABLE users (id INT NOT NULL PRIMARY KEY, email VARCHAR(50))', productionDb);
    await sandbox.sql("CREATE TABLE users (id INT NOT NULL PRIMARY KEY, mail VARCHAR(50)); INSERT INTO users VALUES (1, 'a@b')", sandboxDb);
    const dir = tempDir();
    const config = writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb));

    const text = await runCli(['plan'], { cwd: dir });
    expect(text.code, text.stderr).toBe(0);
    const entry = 'renames: { users: { mail: email } }';
    const hints = text.stdout.split('\n').filter((line) => line.startsWith('hint: '));
    expect(hints).toEqual([
      `hint: users: column mail is dropped and email added, with the same type at the same position; if it is a rename, add to the config: ${entry}`,
    ]);
    expect(text.stdout).toContain('~ table users (change) DESTRUCTIVE');

    const markdown = await runCli(['plan', '--format', 'markdown'], { cwd: dir });
    expect(markdown.code, markdown.stderr).toBe(0);
    expect(markdown.stdout).toMatch(/Hints \(not acted on\)[\s\S]*add to the config: renames: \{ users: \{ mail: email \} \}/);

    // The hint's entry is valid config as printed.
    appendFileSync(config, `${entry}\n`);
    const renamed = await runCli(['plan'], { cwd: dir });
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).not.toMatch(/^hint: /m);
    expect(renamed.stdout).not.toContain('DESTRUCTIVE');
    expect(renamed.stdout).toContain('CHANGE COLUMN `mail` `email` varchar(50)');
    expect(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')).settings.renames).toEqual({
      tables: {},
      columns: { users: { mail: 'email' } },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { objectChanges } from '../../../src/report/object-changes.js';
import { renderPlanMarkdown, renderPlanText } from '../../../src/report/render-plan.js';
import { column, planOf, primaryKey, snapshot, table } from '../diff/builders.js';

describe('a table renamed through the config (renames)', () => {
  const id = column('id', { nullable: false, default: null });
  const sandbox = snapshot({ tables: [table('people', { columns: [id, column('nick')], indexes: [primaryKey('id')] })] });
  const production = snapshot({
    tables: [table('users', { columns: [id, column('handle'), column('age')], indexes: [primaryKey('id')] })],
  });
  const renamedOnly = planOf(
    sandbox,
    snapshot({ tables: [table('users', { columns: [id, column('nick')], indexes: [primaryKey('id')] })] }),
    {
      renames: { tables: { people: 'users' }, columns: {} },
    },
  );
  const plan = planOf(sandbox, production, { renames: { tables: { people: 'users' }, columns: { users: { nick: 'handle' } } } });
  const summary = 'renamed from people (its rows are kept), 1 column renamed (nick -> handle), +1 column';

  it('is compared with its old self: a rename, with the old definition before', () => {
    const [change] = objectChanges(plan);
    expect(change).toMatchObject({ name: 'users', renamedFrom: 'people', action: 'rename' });
    expect(change!.before).toContain('CREATE TABLE `people`');
  });

  it('says so, and what else changes, in the text plan', () => {
    const text = renderPlanText(plan);
    expect(text).toContain(`\n~ table users (rename): ${summary}\n`);
    expect(text).toContain('    --- sandbox/people\n    +++ production/users\n');
    expect(text).not.toContain('new table');
  });

  it('says so in the Markdown summary line, and the diff has a before', () => {
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain(`<summary><code>users</code> — table, rename: ${summary.replace('->', '-&gt;')}</summary>`);
    expect(markdown).toContain(
      '```diff\n--- sandbox/people\n+++ production/users\n@@ -1,5 +1,6 @@\n-CREATE TABLE `people` (\n+CREATE TABLE `users` (\n',
    );
    expect(markdown).not.toContain('new table');
  });

  it('a rename with nothing else is only a rename', () => {
    expect(renderPlanText(renamedOnly)).toContain('\n~ table users (rename): renamed from people (its rows are kept)\n');
  });
});

/**
 * An object's CREATE statement as plan and validate show it, rendered from a snapshot, and the
 * order object types are listed in. Pure; report/ renders these texts, validate/ compares them.
 */
import { compareText } from '../compare-text.js';
import type { Index, Snapshot } from '../snapshot/model.js';
import { renderCreateTable } from '../snapshot/render-create-table.js';
import type { ObjectType } from './plan-types.js';
import { createTriggerSql, createViewSql, type DdlContext } from './render-ddl.js';

/** The order objects are listed in (plan and validation alike). */
export const OBJECT_TYPE_ORDER: Record<ObjectType, number> = {
  database: -1,
  table: 0,
  view: 1,
  trigger: 2,
  routine: 3,
  event: 4,
  sequence: 5,
};

/** The object's CREATE statement as the plan shows it (DEFINER left out: it is rewritten anyway). */
export function definition(snapshot: Snapshot, objectType: ObjectType, name: string, context: DdlContext): string | null {
  switch (objectType) {
    // Names differ between the two sides; what is compared is the defaults.
    case 'database':
      return `DEFAULT CHARACTER SET ${snapshot.charset} COLLATE ${snapshot.collation}`;
    case 'table': {
      const unsupported = snapshot.unsupported.find((u) => u.kind === 'table' && u.name === name);
      if (unsupported?.createStatement) return unsupported.createStatement;
      const table = snapshot.tables.find((t) => t.name === name);
      // Keys by name: the two sides' creation orders differ without the plan changing them, and a
      // review diff shows only what changes.
      const byName = (a: Index, b: Index): number => (a.kind === 'primary' ? -1 : b.kind === 'primary' ? 1 : compareText(a.name, b.name));
      return table ? renderCreateTable({ ...table, indexes: [...table.indexes].sort(byName) }, context.rules) : null;
    }
    case 'view': {
      const view = snapshot.views.find((v) => v.name === name);
      return view
        ? createViewSql(view, context)
            .at(-1)!
            .replace('CREATE OR REPLACE', 'CREATE')
            .replace(/ DEFINER=\S+/, '')
        : null;
    }
    case 'trigger': {
      const trigger = snapshot.triggers.find((t) => t.name === name);
      return trigger
        ? createTriggerSql(trigger, context)
            .at(-1)!
            .replace(/ DEFINER=\S+/, '')
        : null;
    }
    case 'routine':
      return snapshot.routines.find((r) => r.name === name)?.definition ?? null;
    case 'event':
      return snapshot.events.find((e) => e.name === name)?.definition ?? null;
    case 'sequence':
      return snapshot.sequences.find((s) => s.name === name)?.definition ?? null;
  }
}

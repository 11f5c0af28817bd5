import { describe, expect, it } from 'vitest';
import { renderColumn } from '../../../src/snapshot/render-create-table.js';
import { renderRules } from '../../../src/snapshot/dialect.js';
import { NO_LITERAL_DEFAULT_TYPES } from '../../../src/sql/column-types.js';
import { column } from '../diff/builders.js';

const mysql = renderRules('mysql', 8, 0, 36);
const mariadb = renderRules('mariadb', 10, 11, 19);
const typed = (dataType: string, overrides = {}) => column('g', { dataType, type: dataType, ...overrides });

describe('renderColumn: DEFAULT NULL on types that take no literal default', () => {
  // MySQL's SHOW CREATE TABLE leaves DEFAULT NULL out for every BLOB, TEXT, JSON and spatial
  // column (they cannot have a literal default); the whole geometry family is one Field_geom.
  it.each([...NO_LITERAL_DEFAULT_TYPES])('MySQL omits it for a nullable %s column', (dataType) => {
    expect(renderColumn(typed(dataType), 'utf8mb4_0900_ai_ci', mysql)).toBe(`\`g\` ${dataType}`);
  });

  it('MySQL omits it for GEOMETRYCOLLECTION under both of its names', () => {
    expect(renderColumn(typed('geomcollection'), 'utf8mb4_0900_ai_ci', mysql)).toBe('`g` geomcollection');
    expect(renderColumn(typed('geometrycollection'), 'utf8mb4_0900_ai_ci', mysql)).toBe('`g` geometrycollection');
  });

  it('MySQL keeps an expression default, and prints DEFAULT NULL on other types', () => {
    const expression = "(st_geomfromtext(_utf8mb4'GEOMETRYCOLLECTION EMPTY'))";
    expect(renderColumn(typed('geomcollection', { default: expression }), 'utf8mb4_0900_ai_ci', mysql)).toBe(
      `\`g\` geomcollection DEFAULT ${expression}`,
    );
    expect(renderColumn(typed('int'), 'utf8mb4_0900_ai_ci', mysql)).toBe('`g` int DEFAULT NULL');
  });

  it('MariaDB prints DEFAULT NULL on every nullable column, GEOMETRYCOLLECTION too', () => {
    expect(renderColumn(typed('geometrycollection'), 'utf8mb4_general_ci', mariadb)).toBe('`g` geometrycollection DEFAULT NULL');
    expect(renderColumn(typed('geometrycollection', { nullable: false, default: null }), 'utf8mb4_general_ci', mariadb)).toBe(
      '`g` geometrycollection NOT NULL',
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  formatKey,
  formatValue,
  renderValidationMarkdown,
  renderValidationText,
  validationJson,
  validationSummary,
} from '../../src/report/render-validation.js';
import type { TableDataResult, ValidationResult } from '../../src/validate/validation-result.js';

const side = { host: '127.0.0.1', port: 3306, database: 'app', flavor: 'mariadb' as const, version: '10.11.19-MariaDB' };

function tableResult(overrides: Partial<TableDataResult> = {}): TableDataResult {
  return {
    table: 'orders',
    status: 'match',
    reason: null,
    method: 'key_ranges',
    key: ['id'],
    where: null,
    columns: ['id', 'note'],
    excludedColumns: [],
    productionRows: 1200,
    sandboxRows: 1200,
    chunks: 3,
    differingChunks: 0,
    missing: { count: 0, samples: [] },
    extra: { count: 0, samples: [] },
    different: { count: 0, samples: [] },
    rowSamples: { missing: [], extra: [] },
    drillComplete: true,
    masked: [],
    notes: [],
    seconds: 0.25,
    ...overrides,
  };
}

function result(overrides: Partial<ValidationResult> = {}): ValidationResult {
  return {
    passed: true,
    strict: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    seconds: 1,
    production: side,
    sandbox: { ...side, port: 3307 },
    structure: { differences: [], uncomparable: [] },
    data: { tables: [tableResult()], seconds: 0.5, concurrency: 2, chunkRows: 50_000 },
    orphans: { foreignKeysChecked: 2, skipped: [], findings: [] },
    plan: null,
    failures: [],
    warnings: [],
    ...overrides,
  };
}

describe('validation rendering', () => {
  it('keeps NULL, an empty string, numbers and quotes apart in keys and values', () => {
    expect(formatValue(null)).toBe('NULL');
    expect(formatValue('')).toBe("''");
    expect(formatValue('42')).toBe('42');
    expect(formatValue("it's\n")).toBe("'it\\'s\\n'");
    expect(formatValue('0xdeadbeef')).toBe('0xdeadbeef');
    expect(formatKey({ id: '7' })).toBe('id=7');
    expect(formatKey({ code: 'a b', lang: null })).toBe("(code='a b', lang=NULL)");
  });

  it('a passing result: every check says ok and the verdict is PASSED', () => {
    const text = renderValidationText(result());
    expect(text).toContain('ok    the sandbox schema matches production');
    expect(text).toContain('ok    orders  key id  1,200 rows  3 chunks  0.25 s');
    expect(text).toContain('ok    2 foreign keys checked, no orphan rows');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Result: PASSED (structure matches, 1 table matches (1,200 rows), no orphan rows)');
    expect(validationSummary(result())).toBe('structure matches, 1 table matches (1,200 rows), no orphan rows');
  });

  it('a failing result lists located rows, column differences and the failures', () => {
    const failing = result({
      passed: false,
      data: {
        tables: [
          tableResult({
            status: 'differ',
            sandboxRows: 1199,
            differingChunks: 1,
            missing: { count: 1, samples: [{ id: '9' }] },
            different: { count: 1, samples: [{ key: { id: '3' }, columns: [{ column: 'note', production: null, sandbox: '' }] }] },
          }),
        ],
        seconds: 1,
        concurrency: 2,
        chunkRows: 50_000,
      },
      failures: ['data: orders differs (1,200 rows in production, 1,199 in the sandbox, 1 missing, 1 different)'],
    });
    const text = renderValidationText(failing);
    expect(text).toContain('FAIL  orders  key id  1,200 rows in production, 1,199 in the sandbox  3 chunks (1 differ)');
    expect(text).toContain('missing in the sandbox (1): id=9');
    expect(text).toContain("id=3: note NULL in production, '' in the sandbox");
    expect(text).toContain('Result: FAILED');
    const markdown = renderValidationMarkdown(failing);
    expect(markdown).toContain('## replicoop validate: ❌ failed');
    expect(markdown).toContain('> [!CAUTION]\n> - data: orders differs');
    expect(markdown).toContain('| `orders` | **differs** | key `id` |');
    expect(validationJson(failing)).toMatchObject({
      passed: false,
      summary: 'structure matches, 1 of 1 table differs (orders), no orphan rows',
    });
  });

  it('--strict: warnings alone fail, and the text says why', () => {
    const strict = result({
      passed: false,
      strict: true,
      warnings: ['integrity: 2 rows of books point at no authors row (foreign key fk)'],
    });
    const text = renderValidationText(strict);
    expect(text).toContain('Result: FAILED (structure matches, 1 table matches (1,200 rows), no orphan rows; 1 warning)');
    expect(text).toContain('--strict: warnings fail the validation');
  });
});

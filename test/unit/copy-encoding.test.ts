import { describe, expect, it } from 'vitest';
import { planColumns } from '../../src/copy/column-plan.js';
import type { CopyColumn, CopyTask } from '../../src/copy/copy-task.js';
import { keyAfter } from '../../src/sql/key-sql.js';
import { InsertEncoder } from '../../src/copy/insert-encoder.js';
import { TsvEncoder } from '../../src/copy/tsv-encoder.js';

function col(name: string, type: string, extra: Partial<CopyColumn> = {}): CopyColumn {
  const dataType = /^\w+/.exec(type)![0];
  const text = /char|text/.test(dataType);
  return {
    name,
    dataType,
    type,
    nullable: false,
    generated: false,
    charset: text ? 'utf8mb4' : null,
    collation: text ? 'utf8mb4_general_ci' : null,
    ...extra,
  };
}

describe('TsvEncoder', () => {
  it('escapes exactly the bytes LOAD DATA gives a meaning, keeps NULL and empty apart', () => {
    const encoder = new TsvEncoder(1024);
    encoder.writeRow([Buffer.from('a\tb\nc\\d\re\0f'), null, Buffer.alloc(0), Buffer.from([0xff, 0x80]), Buffer.from('\\N')], 5);
    const out = Buffer.concat(encoder.take());
    expect(
      out.equals(Buffer.concat([Buffer.from('a\\tb\\nc\\\\d\\re\\0f\t\\N\t\t'), Buffer.from([0xff, 0x80]), Buffer.from('\t\\\\N\n')])),
    ).toBe(true);
  });

  it('writes only the first `width` values and splits output into pieces of at most pieceBytes', () => {
    const encoder = new TsvEncoder(1024);
    const long = Buffer.alloc(3000, 0x61);
    encoder.writeRow([long, Buffer.from('extra key value')], 1);
    const pieces = encoder.take();
    expect(pieces.map((p) => p.length)).toEqual([1024, 1024, 953]);
    expect(Buffer.concat(pieces).equals(Buffer.concat([long, Buffer.from('\n')]))).toBe(true);
  });
});

describe('InsertEncoder', () => {
  const encode = (kind: 'number' | 'bit' | 'text' | 'bytes', value: Buffer | null): string => {
    const encoder = new InsertEncoder(8);
    encoder.writeValue(kind, value);
    return encoder.take();
  };

  it('writes numbers bare, ASCII as escaped binary literals, anything else as hex', () => {
    expect(encode('number', Buffer.from('-1.5e10'))).toBe('-1.5e10');
    expect(encode('bit', Buffer.from('1023'))).toBe('1023');
    expect(encode('bytes', Buffer.from("it's\\\n\0"))).toBe("_binary'it\\'s\\\\\\n\\0'");
    expect(encode('bytes', Buffer.from('😀'))).toBe("X'f09f9880'");
    expect(encode('bytes', Buffer.alloc(0))).toBe("_binary''");
    expect(encode('bytes', null)).toBe('NULL');
    expect(encode('text', Buffer.from('::1'))).toBe("CONVERT(_binary'::1' USING utf8mb4)");
    // A "number" that is not one (a masked fixed value, say) is still written safely.
    expect(encode('number', Buffer.from("1; DROP TABLE x'"))).toBe("_binary'1; DROP TABLE x\\''");
  });

  it('writes tuples of the first `width` values', () => {
    const encoder = new InsertEncoder();
    encoder.writeTuple(['number', 'bytes'], [Buffer.from('1'), null, Buffer.from('key extra')], 2);
    expect(encoder.take()).toBe('(1,NULL)');
  });

  it('refuses a BIT value that is not a number instead of writing it as characters', () => {
    expect(() => encode('bit', Buffer.from('abc'))).toThrow(/BIT value/);
  });
});

describe('keyset SQL', () => {
  it('expands "after (a, b, c)" into OR terms the optimizer turns into ranges', () => {
    const key = [
      col('a', 'int(11)'),
      col('b', 'varchar(20)', { charset: 'latin1', collation: 'latin1_german1_ci' }),
      col('c', 'varbinary(8)'),
    ];
    const fragment = keyAfter(key, [Buffer.from('5'), Buffer.from('s'), Buffer.from([0])]);
    expect(fragment.sql).toBe(
      '(`a` > CAST(? AS SIGNED) OR (`a` = CAST(? AS SIGNED) AND `b` > CONVERT(? USING latin1) COLLATE latin1_german1_ci) OR ' +
        '(`a` = CAST(? AS SIGNED) AND `b` = CONVERT(? USING latin1) COLLATE latin1_german1_ci AND `c` > ?))',
    );
    expect(fragment.params).toHaveLength(6);
  });

  it('plans a select list that adds key values only when the data columns lack them', () => {
    const task: CopyTask = {
      table: 't',
      columns: [col('id', 'int(11)'), col('e', "enum('x','y')"), col('f', 'float'), col('g', 'int(11)', { generated: true })],
      key: ['e', 'f', 'id'],
      where: null,
      mask: {},
    };
    const plan = planColumns(task, 'mariadb');
    expect(plan.selectList).toBe('`id`, `e`, CAST(`f` AS DOUBLE), `e` + 0');
    expect(plan.keyIndexes).toEqual([3, 2, 0]);
    expect(plan.written.map((p) => p.column.name)).toEqual(['id', 'e', 'f']);
  });
});

import { createTestDatabase, query, TestDatabase } from '@agenthub/testing';
import type { ColumnType } from './sql-writer';
import { TARGET_TABLES } from './target-tables';

/** The information_schema data types a staged column of each type may be written into. */
const WRITABLE_AS: Record<ColumnType, string[]> = {
  uuid: ['uuid'],
  text: ['text', 'character varying'],
  jsonb: ['jsonb'],
  timestamptz: ['timestamp with time zone'],
  boolean: ['boolean'],
  numeric: ['numeric'],
};

describe('the tables an import writes, against the migrated schema', () => {
  let db: TestDatabase;
  let schema: Map<string, string>;
  let uniqueKeys: Set<string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    const columns = await query<{ name: string; type: string }>(
      db.url,
      `SELECT table_name || '.' || column_name AS name, data_type AS type
         FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    schema = new Map(columns.map((c) => [c.name, c.type]));
    const keys = await query<{ key: string }>(
      db.url,
      `SELECT i.indrelid::regclass::text || '(' ||
              string_agg(a.attname, ',' ORDER BY a.attname) || ')' AS key
         FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indisunique AND i.indpred IS NULL
        GROUP BY i.indexrelid, i.indrelid`,
    );
    uniqueKeys = new Set(keys.map((k) => k.key));
  });
  afterAll(() => db.drop());

  it('every column an importer stages, copies, inserts or updates exists, with a type it can be written into', () => {
    const wrong = TARGET_TABLES.flatMap((table) =>
      table.columns.flatMap((column) => {
        const name = `${table.name}.${column.name}`;
        const type = schema.get(name);
        if (type === undefined) return [`${name}: no such column`];
        if (!WRITABLE_AS[column.type].includes(type))
          return [`${name}: staged as ${column.type}, but the column is ${type}`];
        return [];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it("every table's ON CONFLICT key is a unique key of the table", () => {
    const missing = TARGET_TABLES.map(
      (table) => `${table.name}(${[...(table.conflict ?? ['id'])].sort().join(',')})`,
    ).filter((key) => !uniqueKeys.has(key));
    expect(missing).toEqual([]);
  });
});

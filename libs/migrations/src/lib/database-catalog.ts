import type { ClientBase } from 'pg';
import { BOOKKEEPING_TABLES } from './migration-history';

export interface DataTable {
  oid: number;
  schema: string;
  name: string;
  /** Columns COPY reads and writes: every stored column in order, generated ones left out. */
  columns: string[];
}

export interface DataSequence {
  schema: string;
  name: string;
}

// Schemas that belong to PostgreSQL itself.
const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** `"schema"."name"`, safely quoted. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `public.x` reads as `x`: how tables are named in reports and JSON. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

/**
 * Every table holding application data: ordinary tables of the user schemas, without the
 * migration bookkeeping and without tables that belong to extensions.
 */
export async function listDataTables(client: ClientBase): Promise<DataTable[]> {
  const { rows } = await client.query<{
    oid: number;
    schema: string;
    name: string;
    columns: string[];
  }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name,
            array(SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                   ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND ${USER_SCHEMAS}
        AND NOT (n.nspname = 'public' AND c.relname = ANY($1))
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY n.nspname, c.relname`,
    [BOOKKEEPING_TABLES],
  );
  return rows;
}

/** Sequences of the user schemas, except those owned by the migration bookkeeping tables. */
export async function listDataSequences(client: ClientBase): Promise<DataSequence[]> {
  const { rows } = await client.query<DataSequence>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'S' AND ${USER_SCHEMAS}
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          JOIN pg_class t ON t.oid = d.refobjid
                          JOIN pg_namespace tn ON tn.oid = t.relnamespace
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                           AND tn.nspname = 'public' AND t.relname = ANY($1))
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY n.nspname, c.relname`,
    [BOOKKEEPING_TABLES],
  );
  return rows;
}

/** Exact row count of every data table, keyed by display name. */
export async function countRows(
  client: ClientBase,
  tables: DataTable[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${qualified(table.schema, table.name)}`,
    );
    counts[displayName(table.schema, table.name)] = Number(rows[0].n);
  }
  return counts;
}

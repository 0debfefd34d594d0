import { Client, type ClientBase } from 'pg';
import { countRows, listDataTables, quoteIdent } from './database-catalog';
import { REFERENCE_CHECKS, ReferenceCheck } from './reference-checks';

export interface ReferenceResult {
  /** "chat_participants.agent_id → agents.id" (plus the condition, if any). */
  reference: string;
  status: 'ok' | 'dangling' | 'skipped';
  dangling: number;
  /** Up to five distinct dangling values, to start looking. */
  samples: string[];
  /** Why a check was skipped. */
  reason?: string;
}

export interface IntegrityReport {
  ok: boolean;
  references: ReferenceResult[];
  tables: Record<string, number>;
}

function describe(check: ReferenceCheck): string {
  const base = `${check.table}.${check.column} → ${check.references.table}.${check.references.column}`;
  return check.where ? `${base} (where ${check.where})` : base;
}

/**
 * The referential-integrity report (the broker's migration guide's "verify data integrity" step,
 * for every reference): per reference the number of rows that point nowhere, and the row count
 * of every data table. Read-only. `ok` is false when anything dangles.
 */
export async function verifyIntegrity(
  client: ClientBase,
  checks: readonly ReferenceCheck[] = REFERENCE_CHECKS,
): Promise<IntegrityReport> {
  const { rows: columnRows } = await client.query<{ table: string; column: string; type: string }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const types = new Map(columnRows.map((r) => [`${r.table}.${r.column}`, r.type]));
  const tables = new Set(columnRows.map((r) => r.table));

  const references: ReferenceResult[] = [];
  for (const check of checks) {
    const reference = describe(check);
    const needed = [
      [check.table, check.column],
      [check.references.table, check.references.column],
      ...(check.whereColumns ?? []).map((c) => [check.table, c]),
    ];
    const absent = needed.find(([table, column]) => !types.has(`${table}.${column}`));
    if (absent) {
      const [table, column] = absent;
      references.push({
        reference,
        status: 'skipped',
        dangling: 0,
        samples: [],
        reason: tables.has(table) ? `no column ${table}.${column}` : `no table ${table}`,
      });
      continue;
    }
    const child = `c.${quoteIdent(check.column)}`;
    const parent = `p.${quoteIdent(check.references.column)}`;
    // Same types compare directly (and use the parent's index); legacy mixes (text vs uuid) as text.
    const sameType =
      types.get(`${check.table}.${check.column}`) ===
      types.get(`${check.references.table}.${check.references.column}`);
    const match = sameType ? `${parent} = ${child}` : `${parent}::text = ${child}::text`;
    const { rows } = await client.query<{ dangling: string; samples: string[] | null }>(
      `SELECT count(*) AS dangling, (array_agg(DISTINCT ${child}::text))[1:5] AS samples
         FROM ${quoteIdent(check.table)} c
        WHERE ${child} IS NOT NULL ${check.where ? `AND (${check.where})` : ''}
          AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(check.references.table)} p WHERE ${match})`,
    );
    const dangling = Number(rows[0].dangling);
    references.push({
      reference,
      status: dangling > 0 ? 'dangling' : 'ok',
      dangling,
      samples: rows[0].samples ?? [],
    });
  }

  const counts = await countRows(client, await listDataTables(client));
  return { ok: references.every((r) => r.status !== 'dangling'), references, tables: counts };
}

/** Connects to `url`, reports, disconnects. */
export async function verifyDatabaseIntegrity(
  url: string,
  checks: readonly ReferenceCheck[] = REFERENCE_CHECKS,
): Promise<IntegrityReport> {
  const client = new Client({
    connectionString: url,
    application_name: 'agenthub-migrator/verify',
  });
  await client.connect();
  try {
    return await verifyIntegrity(client, checks);
  } finally {
    await client.end();
  }
}

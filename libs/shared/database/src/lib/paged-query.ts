import type { EntityManager } from '@mikro-orm/postgresql';

/** A list query, in the parts {@link pagedQuery} builds its statements from. */
export interface PagedQuery {
  /** The select list, without `SELECT`. */
  select: string;
  /** Values of the `?`s in `select`. */
  selectParams?: readonly unknown[];
  /** `FROM …` with its joins and `WHERE`: what both the page and the count read. */
  from: string;
  /** Values of the `?`s in `from`. */
  fromParams?: readonly unknown[];
  /** Should end in a unique column, so that pages neither overlap nor skip rows. */
  orderBy: string;
  limit: number;
  offset: number;
  /**
   * Computes `select` for the page's rows only. Without it, PostgreSQL computes the select list
   * for every row the count reads, the rows before the offset included (the window runs
   * below the LIMIT); with it, the page is chosen reading only `key`, and the rows of the page
   * are read again from `table` by that key for the select list. Measured on 1 000 agents, a
   * page of 500 (its timestamps formatted for the wire): 2.5 ms instead of 4.1. `table` is the
   * table and alias `select` reads (`agents a`), `key` its primary key (`a.id`); `orderBy` may
   * then read only that table's columns, since it orders the page again.
   */
  byKey?: { table: string; key: string };
}

/**
 * One page of rows and how many rows match in all. The total rides along with the page
 * (`count(*) OVER ()`), so a list costs one statement; only a page past the end (no rows at
 * an offset) has no row to carry it and asks for a count of its own.
 */
export async function pagedQuery<Row extends object>(
  em: EntityManager,
  query: PagedQuery,
): Promise<{ rows: Row[]; total: number }> {
  const fromParams = query.fromParams ?? [];
  // One statement either way, so the page and its total come from one snapshot.
  const sql = query.byKey
    ? `SELECT ${query.select}, page.total_count
       FROM (SELECT ${query.byKey.key} AS page_key, count(*) OVER () AS total_count ${query.from}
             ORDER BY ${query.orderBy} LIMIT ? OFFSET ?) page
       JOIN ${query.byKey.table} ON ${query.byKey.key} = page.page_key
       ORDER BY ${query.orderBy}`
    : `SELECT ${query.select}, count(*) OVER () AS total_count ${query.from}
       ORDER BY ${query.orderBy} LIMIT ? OFFSET ?`;
  const rows = await em.execute<(Row & { total_count: string })[]>(sql, [
    ...(query.selectParams ?? []),
    ...fromParams,
    query.limit,
    query.offset,
  ]);
  let total: number;
  if (rows.length > 0) {
    total = Number(rows[0].total_count);
  } else if (query.offset === 0) {
    total = 0;
  } else {
    const [{ count }] = await em.execute<{ count: string }[]>(
      `SELECT count(*) AS count ${query.from}`,
      [...fromParams],
    );
    total = Number(count);
  }
  return { rows: rows.map(({ total_count: _total, ...row }) => row as Row), total };
}

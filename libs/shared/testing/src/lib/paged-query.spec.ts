import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions, pagedQuery } from '@agenthub/database';
import { createTestDatabase, TestDatabase } from './test-database';
import { query } from './query';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Parent Relationship'?: string;
  'Actual Rows': number;
  Plans?: PlanNode[];
}

/** The nodes that read `relation` for the rows of the answer (not for a subquery of it). */
function pageScans(node: PlanNode, relation: string): PlanNode[] {
  if (node['Parent Relationship'] === 'InitPlan' || node['Parent Relationship'] === 'SubPlan')
    return [];
  const own = node['Relation Name'] === relation ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => pageScans(child, relation))];
}

/**
 * The one list statement every repository pages with, on a real PostgreSQL: 1 000 matching
 * rows of 2 000, an index in the list's order.
 */
describe('pagedQuery (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  const page = (limit: number, offset: number, grp = 0, em: EntityManager = orm.em.fork()) =>
    pagedQuery<{ id: number; grp: number }>(em, {
      select: `r.id, r.grp`,
      from: `FROM paged_rows r WHERE r.grp = ?`,
      fromParams: [grp],
      orderBy: 'r.created DESC, r.id DESC',
      limit,
      offset,
    });

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    await query(
      db.url,
      `CREATE TABLE paged_rows (id int PRIMARY KEY, grp int NOT NULL, created int NOT NULL)`,
    );
    await query(db.url, `CREATE INDEX paged_rows_grp_created ON paged_rows (grp, created, id)`);
    await query(
      db.url,
      `INSERT INTO paged_rows SELECT i, i % 2, i / 10 FROM generate_series(1, 2000) AS i`,
    );
    await query(db.url, `VACUUM ANALYZE paged_rows`);
    orm = await MikroORM.init({
      ...createOrmOptions({ url: db.url, entities: [], poolMax: 1 }),
      discovery: { warnWhenNoEntities: false, requireEntitiesArray: false },
    });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('answers a page in the order given, with the total of every matching row', async () => {
    const first = await page(3, 0);
    const second = await page(3, 3);

    expect(first.total).toBe(1000);
    expect(second.total).toBe(1000);
    expect(first.rows.map((r) => r.id)).toEqual([2000, 1998, 1996]);
    expect(second.rows.map((r) => r.id)).toEqual([1994, 1992, 1990]);
    expect(first.rows[0]).not.toHaveProperty('total_count');
  });

  it('hands each row of the page to the mapper, in order, and answers what it made', async () => {
    const seen: object[] = [];
    const mapped = await pagedQuery<{ id: number; grp: number }, string>(
      orm.em.fork(),
      {
        select: `r.id, r.grp`,
        from: `FROM paged_rows r WHERE r.grp = ?`,
        fromParams: [1],
        orderBy: 'r.created DESC, r.id DESC',
        limit: 3,
        offset: 1,
      },
      (row) => {
        seen.push(row);
        return `agent-${row.id}`;
      },
    );

    expect(mapped).toEqual({ rows: ['agent-1997', 'agent-1995', 'agent-1993'], total: 1000 });
    expect(seen).toHaveLength(3);
  });

  it.each([
    [10, 0],
    [10, 490],
  ])(
    'reads the rows up to the end of the page (limit %i, offset %i), not every row that matches',
    async (limit, offset) => {
      const em = orm.em.fork();
      const execute = jest.spyOn(em, 'execute');
      await page(limit, offset, 0, em);
      const [sql, params] = execute.mock.calls[0] as [string, unknown[]];
      execute.mockRestore();

      const [{ 'QUERY PLAN': plans }] = await em.execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
        params,
      );
      const scans = pageScans(plans[0].Plan, 'paged_rows');
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) expect(scan['Actual Rows']).toBeLessThanOrEqual(offset + limit);
    },
  );

  it('still counts the matches for a page past the end, and none for an empty filter', async () => {
    expect(await page(10, 5000)).toEqual({ rows: [], total: 1000 });
    expect(await page(10, 0, 7)).toEqual({ rows: [], total: 0 });
  });
});

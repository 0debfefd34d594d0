import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { IsolationLevel, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  createOrmOptions,
  PooledTransaction,
  PreparedStatements,
  TransactionCompletedError,
} from '@agenthub/database';
import { createTestDatabase, TestDatabase } from './test-database';
import { query } from './query';

/**
 * MikroORM's transactions on PooledTransaction (the product's driver, createOrmOptions), on a
 * real PostgreSQL: what commits, what rolls back, savepoints, the connection going back to the
 * pool, and what is refused. A pool of two connections, so a transaction left holding one
 * would starve the next tests.
 */
describe('pooled transactions (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  const statements = new PreparedStatements({ preparedStatements: true });

  const insert = (em: EntityManager, note: string) =>
    statements.affected(em, `INSERT INTO trx_notes (note) VALUES (?)`, [note]);
  const notes = async () =>
    (await query<{ note: string }>(db.url, `SELECT note FROM trx_notes ORDER BY id`)).map(
      (row) => row.note,
    );

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    await query(db.url, `CREATE TABLE trx_notes (id serial PRIMARY KEY, note text UNIQUE)`);
    orm = await MikroORM.init({
      ...createOrmOptions({ url: db.url, entities: [], poolMax: 2 }),
      discovery: { warnWhenNoEntities: false, requireEntitiesArray: false },
    });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  beforeEach(() => query(db.url, `TRUNCATE trx_notes`));

  it('runs em.transactional() on a PooledTransaction and commits what it wrote', async () => {
    const context = await orm.em.fork().transactional(async (em) => {
      await insert(em, 'one');
      await em.execute(`INSERT INTO trx_notes (note) VALUES ('two')`);
      return em.getTransactionContext();
    });

    expect(context).toBeInstanceOf(PooledTransaction);
    expect(await notes()).toEqual(['one', 'two']);
  });

  it('rolls everything back when the callback throws, and rethrows its error', async () => {
    const failed = orm.em.fork().transactional(async (em) => {
      await insert(em, 'gone');
      throw new Error('the handler failed');
    });

    await expect(failed).rejects.toThrow('the handler failed');
    expect(await notes()).toEqual([]);
  });

  it('is not visible to another connection before its commit', async () => {
    let seenOutside: string[] = ['not read'];
    await orm.em.fork().transactional(async (em) => {
      await insert(em, 'pending');
      seenOutside = await notes();
    });

    expect(seenOutside).toEqual([]);
    expect(await notes()).toEqual(['pending']);
  });

  it('nests as a savepoint: the inner one rolls back alone, the outer commits', async () => {
    await orm.em.fork().transactional(async (em) => {
      await insert(em, 'outer');
      const inner = em.transactional(async (nested) => {
        expect((nested.getTransactionContext() as PooledTransaction).savepointName).toBe('trx1');
        await insert(nested, 'inner');
        throw new Error('inner failed');
      });
      await expect(inner).rejects.toThrow('inner failed');
      // The transaction goes on after the savepoint's rollback.
      await insert(em, 'after');
    });

    expect(await notes()).toEqual(['outer', 'after']);
  });

  it('commits a savepoint with its transaction', async () => {
    await orm.em.fork().transactional(async (em) => {
      await em.transactional((nested) => insert(nested, 'nested'));
      await insert(em, 'outer');
    });

    expect(await notes()).toEqual(['nested', 'outer']);
  });

  it('refuses a statement on a transaction that has ended instead of running it elsewhere', async () => {
    let leaked: EntityManager | undefined;
    await orm.em.fork().transactional(async (em) => {
      leaked = em;
    });

    await expect(insert(leaked as EntityManager, 'late')).rejects.toBeInstanceOf(
      TransactionCompletedError,
    );
    expect(await notes()).toEqual([]);
  });

  it('fails a commit that PostgreSQL answers with ROLLBACK (a caught failed statement), committing nothing', async () => {
    await query(db.url, `INSERT INTO trx_notes (note) VALUES ('taken')`);

    const committed = orm.em.fork().transactional(async (em) => {
      await insert(em, 'written first');
      await insert(em, 'taken').catch((error: unknown) => {
        expect(error).toBeInstanceOf(UniqueConstraintViolationException);
      });
    });

    await expect(committed).rejects.toThrow('rolled back, not committed');
    expect(await notes()).toEqual(['taken']);
  });

  it('takes the isolation level and READ ONLY it is asked for', async () => {
    const seen = await orm.em.fork().transactional(
      (em) =>
        statements.all<{ isolation: string; read_only: string }>(
          em,
          `SELECT current_setting('transaction_isolation') AS isolation,
                  current_setting('transaction_read_only') AS read_only`,
          [],
        ),
      { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
    );
    const readOnly = orm.em.fork().transactional((em) => insert(em, 'refused'), { readOnly: true });

    expect(seen).toEqual([{ isolation: 'repeatable read', read_only: 'on' }]);
    await expect(readOnly).rejects.toThrow(/read-only transaction/);
  });

  it('gives every connection back to the pool: many transactions, some failing, on two connections', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        orm.em.fork().transactional(async (em) => {
          await insert(em, `note ${i}`);
          if (i % 4 === 0) throw new Error(`transaction ${i} failed`);
        }),
      ),
    );

    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(10);
    expect(await notes()).toHaveLength(30);
    const [pool] = await query<{ idle: string }>(
      db.url,
      `SELECT count(*) FILTER (WHERE state = 'idle in transaction') AS idle
         FROM pg_stat_activity WHERE datname = current_database()`,
    );
    expect(pool.idle).toBe('0');
  });
});

import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { createOrmOptions, PreparedStatements } from '@agenthub/database';
import { createTestDatabase, TestDatabase } from './test-database';
import { query } from './query';

/**
 * The pipeline on a real PostgreSQL, through MikroORM as the services use it, on a pool of
 * one connection (so every transaction reuses the connection the one before left behind).
 * Round trips are counted as the server's ReadyForQuery messages: one per Sync.
 */
describe('statement pipeline (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let roundTrips = 0;
  const statements = new PreparedStatements({ preparedStatements: true });

  const append = (em: EntityManager, note: string) =>
    statements.defer(em, `INSERT INTO pipeline_notes (note) VALUES (?)`, [note]);
  const notes = async () =>
    (await query<{ note: string }>(db.url, `SELECT note FROM pipeline_notes ORDER BY id`)).map(
      (row) => row.note,
    );

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    await query(db.url, `CREATE TABLE pipeline_notes (id serial PRIMARY KEY, note text UNIQUE)`);
    orm = await MikroORM.init({
      ...createOrmOptions({ url: db.url, entities: [], poolMax: 1 }),
      discovery: { warnWhenNoEntities: false, requireEntitiesArray: false },
    });
    const connection = await orm.em.getKnex().client.acquireConnection();
    connection.connection.on('readyForQuery', () => roundTrips++);
    await orm.em.getKnex().client.releaseConnection(connection);
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    await orm.em.fork().execute(`TRUNCATE pipeline_notes`);
    roundTrips = 0;
  });

  it('sends BEGIN with the first statement and the deferred appends with the COMMIT: two round trips', async () => {
    const seen = await orm.em.fork().transactional(async (em) => {
      const [row] = await statements.all<{ n: number }>(em, `SELECT ?::int + 1 AS n`, [41]);
      await append(em, 'first');
      await append(em, 'second');
      return row.n;
    });

    expect(seen).toBe(42);
    expect(roundTrips).toBe(2);
    expect(await notes()).toEqual(['first', 'second']);
  });

  it('keeps the order: a statement after a deferred append sees it', async () => {
    const counted = await orm.em.fork().transactional(async (em) => {
      await append(em, 'before');
      return statements.all<{ n: string }>(em, `SELECT count(*) AS n FROM pipeline_notes`, []);
    });

    expect(counted).toEqual([{ n: '1' }]);
    expect(await notes()).toEqual(['before']);
  });

  it('fails the COMMIT with the deferred append’s own error, commits nothing, and leaves the connection clean', async () => {
    await orm.em.fork().execute(`INSERT INTO pipeline_notes (note) VALUES ('taken')`);

    const failed = orm.em.fork().transactional(async (em) => {
      await em.execute(`INSERT INTO pipeline_notes (note) VALUES ('kept only if committed')`);
      await append(em, 'taken');
    });

    await expect(failed).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await notes()).toEqual(['taken']);
    // The one pooled connection was rolled back: the next transaction works on it.
    await orm.em.fork().transactional((em) => append(em, 'after'));
    expect(await notes()).toEqual(['taken', 'after']);
  });

  it('fails the next statement with the deferred append’s error', async () => {
    await orm.em.fork().execute(`INSERT INTO pipeline_notes (note) VALUES ('taken')`);
    let reached = false;

    const failed = orm.em.fork().transactional(async (em) => {
      await append(em, 'taken');
      await statements.all(em, `SELECT 1`, []);
      reached = true;
    });

    await expect(failed).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(reached).toBe(false);
    expect(await notes()).toEqual(['taken']);
  });

  it('runs a deferrable append at once inside a savepoint, so a nested transaction can catch its failure', async () => {
    await orm.em.fork().execute(`INSERT INTO pipeline_notes (note) VALUES ('taken')`);

    await orm.em.fork().transactional(async (em) => {
      await append(em, 'outer');
      const nested = em.transactional((inner) => append(inner, 'taken'));
      await expect(nested).rejects.toBeInstanceOf(UniqueConstraintViolationException);
      await append(em, 'after the savepoint');
    });

    expect(await notes()).toEqual(['taken', 'outer', 'after the savepoint']);
  });

  it('costs nothing for a transaction that sent nothing, committed or rolled back', async () => {
    await orm.em.fork().transactional(async () => undefined);
    await expect(
      orm.em.fork().transactional(async () => {
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');

    expect(roundTrips).toBe(0);
  });

  it('drops the held appends when the transaction rolls back', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await statements.all(em, `SELECT 1`, []);
        await append(em, 'never');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');

    expect(await notes()).toEqual([]);
    // SELECT with its BEGIN, then the ROLLBACK: the append was never sent.
    expect(roundTrips).toBe(2);
  });

  it('runs a deferrable append outside a transaction at once', async () => {
    await append(orm.em.fork(), 'alone');
    expect(await notes()).toEqual(['alone']);
  });

  it('keeps track of which named statements the server holds, across failed batches', async () => {
    const probe = `SELECT count(*) AS n FROM pipeline_notes WHERE note = ?`;
    // A batch that fails on its main statement: the appends before it were parsed (and are
    // prepared on the connection), the main one was not.
    await expect(
      orm.em.fork().transactional(async (em) => {
        await append(em, 'a');
        await statements.all(em, `SELECT no_such_column FROM pipeline_notes WHERE note = ?`, ['a']);
      }),
    ).rejects.toThrow(/no_such_column/);
    // A batch whose first statement fails: the named probe behind it was never parsed.
    await orm.em.fork().execute(`INSERT INTO pipeline_notes (note) VALUES ('taken')`);
    await expect(
      orm.em.fork().transactional(async (em) => {
        await append(em, 'taken');
        await statements.all(em, probe, ['taken']);
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);

    // Both statements again, in one batch (the same append twice): neither "already exists"
    // nor "does not exist".
    const counted = await orm.em.fork().transactional(async (em) => {
      await append(em, 'b');
      await append(em, 'c');
      return statements.all<{ n: string }>(em, probe, ['b']);
    });
    expect(counted).toEqual([{ n: '1' }]);
    expect(await notes()).toEqual(['taken', 'b', 'c']);
  });

  it('sends a statement list that cannot travel in a batch after the held BEGIN', async () => {
    await orm.em.fork().transactional(async (em) => {
      await em.execute(
        `INSERT INTO pipeline_notes (note) VALUES ('one'); INSERT INTO pipeline_notes (note) VALUES ('two')`,
      );
      await append(em, 'three');
    });

    expect(await notes()).toEqual(['one', 'two', 'three']);
  });
});

import { randomUUID } from 'node:crypto';
import { CheckConstraintViolationException } from '@mikro-orm/core';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions, PreparedStatements } from '@agenthub/database';
import { createTestDatabase, query, TestDatabase } from '@agenthub/testing';
import { AUTH_ENTITIES } from '../entities';
import { AuditRepository } from './audit.repository';
import type { AuditRecord } from './audit.service';

/**
 * The audit row goes through PreparedStatements: on the connection of the caller's
 * transaction (so it commits or rolls back with the change), as a named prepared statement or,
 * behind a transaction pooler, unnamed; a violated constraint comes back as MikroORM's.
 */
describe('AuditRepository.append, a prepared statement (on PostgreSQL)', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(
      createOrmOptions({ url: db.url, entities: AUTH_ENTITIES, poolMax: 2 }),
    );
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  const entry = (action: string): AuditRecord => ({
    actorType: 'system',
    actorId: null,
    action,
    resourceType: 'task',
    resourceId: randomUUID(),
    projectId: randomUUID(),
    requestId: null,
  });
  const rowsOf = async (action: string) =>
    query(db.url, `SELECT project_id FROM audit_log WHERE action = $1`, [action]);
  const preparedOnConnection = (em: EntityManager) =>
    em.execute<{ name: string }[]>(
      `SELECT name FROM pg_prepared_statements WHERE name LIKE 'ah_%'`,
    );

  it.each([true, false])(
    'writes in the caller’s transaction and rolls back with it (named: %s)',
    async (named) => {
      // Connections of their own, which no earlier statement was prepared on.
      const fresh = await MikroORM.init(
        createOrmOptions({ url: db.url, entities: AUTH_ENTITIES, poolMax: 1 }),
      );
      const audit = new AuditRepository(
        fresh.em.fork(),
        new PreparedStatements({ preparedStatements: named }),
      );
      const kept = `kept.${named}`;
      const undone = `undone.${named}`;
      let prepared: { name: string }[] = [];
      try {
        await fresh.em.fork().transactional(async (em) => {
          await audit.append(entry(kept), em);
          prepared = await preparedOnConnection(em);
        });
        await expect(
          fresh.em.fork().transactional(async (em) => {
            await audit.append(entry(undone), em);
            throw new Error('the change failed');
          }),
        ).rejects.toThrow('the change failed');
      } finally {
        await fresh.close(true);
      }

      // A project that does not exist leaves project_id NULL.
      expect(await rowsOf(kept)).toEqual([{ project_id: null }]);
      expect(await rowsOf(undone)).toEqual([]);
      expect(prepared.length).toBe(named ? 1 : 0);
    },
  );

  it('runs outside a transaction on a connection of the pool', async () => {
    const audit = new AuditRepository(
      orm.em.fork(),
      new PreparedStatements({ preparedStatements: true }),
    );
    await audit.append(entry('alone'));
    expect(await rowsOf('alone')).toHaveLength(1);
  });

  it('answers a violated constraint as MikroORM does, and writes nothing', async () => {
    const audit = new AuditRepository(
      orm.em.fork(),
      new PreparedStatements({ preparedStatements: true }),
    );
    await expect(audit.append({ ...entry('bad actor'), actorType: 'user' })).rejects.toBeInstanceOf(
      CheckConstraintViolationException,
    );
    expect(await rowsOf('bad actor')).toEqual([]);
  });

  it('refuses a statement whose values do not match its placeholders', async () => {
    const statements = new PreparedStatements({ preparedStatements: true });
    await expect(statements.all(orm.em.fork(), 'SELECT ?::int AS n', [])).rejects.toThrow(
      /1 placeholders, got 0 values/,
    );
  });
});

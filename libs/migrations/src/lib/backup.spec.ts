import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Migration } from '@mikro-orm/migrations';
import { createTestDatabase, TestDatabase } from '@agenthub/testing';
import { MIGRATIONS } from '../migrations';
import { createBackup } from './backup';
import { cleanupBackups, listBackups } from './backup-directory';
import { BackupIntegrityError, MigrationUsageError } from './migration-errors';
import { MigrationRunner } from './migration-runner';
import { restoreBackup } from './restore';
import { CATALOG } from './test-migrations.fixture';

class DropAmount extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table t_item drop column amount');
  }
  override async down(): Promise<void> {
    this.addSql('alter table t_item add column amount numeric(12, 2)');
  }
}
const DROP_AMOUNT = { name: 'Migration20990101000005_test_drop_amount', class: DropAmount };
const TABLES = ['t_audit', 't_counter', 't_item', 't_owner'];

describe('backup and restore', () => {
  let db: TestDatabase;
  let dir: string;
  let client: Client;

  /** Row-level checksum of every test table: md5 over its rows as text, in a stable order. */
  async function tableChecksums(): Promise<Record<string, string>> {
    const result: Record<string, string> = {};
    for (const table of TABLES) {
      const { rows } = await client.query(
        `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum FROM ${table} t`,
      );
      result[table] = `${rows[0].n}:${rows[0].sum}`;
    }
    return result;
  }
  async function sequences(): Promise<string[]> {
    const out: string[] = [];
    for (const seq of ['t_item_id_seq', 't_audit_id_seq', 't_counter_id_seq']) {
      const { rows } = await client.query(`SELECT last_value, is_called FROM ${seq}`);
      out.push(`${seq}=${rows[0].last_value}/${rows[0].is_called}`);
    }
    return out;
  }
  async function foreignKeys(): Promise<string[]> {
    const { rows } = await client.query(
      `SELECT conname || ' ' || pg_get_constraintdef(oid) AS fk FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND conrelid::regclass::text = ANY($1) ORDER BY 1`,
      [TABLES],
    );
    return rows.map((r) => r.fk);
  }
  async function wipe(): Promise<void> {
    // The append-only audit trigger lets only its retention command through.
    await client.query(`SET agenthub.audit_retention = 'on'`);
    await client.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`);
    await client.query(`RESET agenthub.audit_retention`);
  }
  async function migrate(list = [...MIGRATIONS, CATALOG]): Promise<void> {
    const runner = await MigrationRunner.open(db.url, { migrations: list });
    try {
      await runner.up();
    } finally {
      await runner.close();
    }
  }

  beforeEach(async () => {
    db = await createTestDatabase({ migrated: false });
    dir = await mkdtemp(join(tmpdir(), 'agenthub-backups-'));
    await migrate();
    client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `INSERT INTO t_owner (id, email) VALUES ('00000000-0000-4000-8000-000000000001', 'a@example.com'), ('00000000-0000-4000-8000-000000000002', 'b@example.com')`,
    );
    await client.query(
      `INSERT INTO t_item (owner_id, title, body, tags, meta, blob, amount, happened_at) VALUES
        ('00000000-0000-4000-8000-000000000001', 'first', E'tab\\there\\nnew line, back\\\\slash, unicode ✓ 日本', '{a,"b c"}', '{"k": [1, null, "x"]}', '\\x00ff10', 12.5, '2026-01-02T03:04:05.678Z'),
        ('00000000-0000-4000-8000-000000000001', 'second', NULL, '{}', NULL, NULL, NULL, NULL),
        ('00000000-0000-4000-8000-000000000002', 'third', '', '{x}', '"str"', '\\x', -1, now())`,
    );
    // A reference cycle inside one table: no row order loads it with the foreign key checked row by row.
    await client.query(`UPDATE t_item SET parent_id = 2 WHERE id = 1`);
    await client.query(`UPDATE t_item SET parent_id = 1 WHERE id = 2`);
    await client.query(`INSERT INTO t_counter (label) VALUES ('one'), ('two'), ('three')`);
    await client.query(`DELETE FROM t_counter WHERE label = 'two'`);
  });
  afterEach(async () => {
    await client.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('restores exactly the rows and sequence positions it backed up, with triggers and foreign keys back in place', async () => {
    const before = await tableChecksums();
    const sequencesBefore = await sequences();
    const fksBefore = await foreignKeys();
    expect(fksBefore).toHaveLength(3);
    const backup = await createBackup({ url: db.url, dir, reason: 'test', appVersion: '1.2.3' });
    expect(backup.schema_version).toBe(CATALOG.name);
    expect(
      Object.fromEntries(
        backup.tables.filter((t) => TABLES.includes(t.name)).map((t) => [t.name, t.rows]),
      ),
    ).toEqual({ t_audit: 3, t_counter: 2, t_item: 3, t_owner: 2 });
    expect(backup.tables.find((t) => t.name === 't_item')?.columns).not.toContain('search'); // generated: recomputed on load
    expect(await readdir(backup.path)).toEqual(['data', 'manifest.json']);

    await wipe();
    await client.query(
      `INSERT INTO t_owner (id, email) VALUES ('00000000-0000-4000-8000-000000000009', 'later@example.com')`,
    );
    expect(await tableChecksums()).not.toEqual(before);

    const restored = await restoreBackup({ url: db.url, dir, id: backup.id });
    expect(restored.tables).toMatchObject({ t_audit: 3, t_counter: 2, t_item: 3, t_owner: 2 });
    expect(await tableChecksums()).toEqual(before);
    expect(await sequences()).toEqual(sequencesBefore);

    expect(await foreignKeys()).toEqual(fksBefore);
    const { rows: triggers } = await client.query(
      `SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname`,
    );
    expect(triggers.every((t) => t.tgenabled === 'O')).toBe(true);
    await expect(client.query(`UPDATE t_audit SET action = 'x'`)).rejects.toThrow('append-only');
    const { rows: next } = await client.query(
      `INSERT INTO t_item (owner_id, title) VALUES ('00000000-0000-4000-8000-000000000002', 'after') RETURNING id, body`,
    );
    expect(next[0]).toEqual({ id: '4', body: ' (touched)' });
    await expect(
      client.query(
        `INSERT INTO t_item (owner_id, title) VALUES ('00000000-0000-4000-8000-0000000000ff', 'orphan')`,
      ),
    ).rejects.toThrow('foreign key');
  });

  it('refuses a backup whose data file was altered, before touching anything', async () => {
    const backup = await createBackup({ url: db.url, dir });
    const before = await tableChecksums();
    const item = backup.tables.find((t) => t.name === 't_item')!;
    const file = join(backup.path, item.file);
    const bytes = await readFile(file);
    bytes[bytes.length - 5] ^= 0xff;
    await writeFile(file, bytes);
    const error = await restoreBackup({ url: db.url, dir, id: backup.id }).catch((e) => e);
    expect(error).toBeInstanceOf(BackupIntegrityError);
    expect(error.message).toContain(item.file);
    expect(await tableChecksums()).toEqual(before);

    await writeFile(
      join(backup.path, 'manifest.json'),
      '{"format": "agenthub-backup/1", "tables": [',
    );
    await expect(restoreBackup({ url: db.url, dir, id: backup.id })).rejects.toThrow(
      BackupIntegrityError,
    );
    await expect(restoreBackup({ url: db.url, dir, id: 'backup_missing' })).rejects.toThrow(
      MigrationUsageError,
    );
    await expect(restoreBackup({ url: db.url, dir, id: '../etc' })).rejects.toThrow(
      MigrationUsageError,
    );
  });

  it('refuses a backup of another schema version, and a forced restore that fails changes nothing', async () => {
    const backup = await createBackup({ url: db.url, dir });
    await migrate([...MIGRATIONS, CATALOG, DROP_AMOUNT]);
    await client.query(
      `INSERT INTO t_owner (id, email) VALUES ('00000000-0000-4000-8000-000000000003', 'c@example.com')`,
    );
    const before = await tableChecksums();
    const fksBefore = await foreignKeys();

    const refused = await restoreBackup({ url: db.url, dir, id: backup.id }).catch((e) => e);
    expect(refused).toBeInstanceOf(MigrationUsageError);
    expect(refused.message).toContain(
      `backup ${backup.id} is at schema version ${CATALOG.name}, the database at ${DROP_AMOUNT.name}`,
    );

    // Forced, the COPY of t_item fails on the dropped column: the whole restore rolls back.
    await expect(restoreBackup({ url: db.url, dir, id: backup.id, force: true })).rejects.toThrow(
      /amount/,
    );
    expect(await tableChecksums()).toEqual(before);
    expect(await foreignKeys()).toEqual(fksBefore);
    const { rows: disabled } = await client.query(
      `SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'`,
    );
    expect(disabled[0].n).toBe(0);
    const { rows: locks } = await client.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(locks[0].n).toBe(0);
  });

  it('lists backups oldest first and keeps only the newest N', async () => {
    const first = await createBackup({ url: db.url, dir });
    const second = await createBackup({ url: db.url, dir, reason: 'before up X' });
    const third = await createBackup({ url: db.url, dir });
    const listed = await listBackups(dir);
    expect(listed.map((b) => b.id)).toEqual([first.id, second.id, third.id]);
    expect(listed[1]).toMatchObject({
      reason: 'before up X',
      schema_version: CATALOG.name,
      tables: { t_audit: 3, t_counter: 2, t_item: 3, t_owner: 2 },
    });
    expect(await cleanupBackups(dir, 1)).toEqual({
      removed: [first.id, second.id],
      kept: [third.id],
    });
    expect((await listBackups(dir)).map((b) => b.id)).toEqual([third.id]);
  });
});

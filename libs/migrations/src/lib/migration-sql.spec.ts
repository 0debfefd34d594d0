import { Migration } from '@mikro-orm/migrations';
import { MIGRATIONS } from '../migrations';
import { captureMigrationSql, checksumOfSql, migrationChecksum } from './migration-sql';

class CreateWidgets extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table widgets (id int primary key)');
    this.addSql(
      this.getKnex().raw('alter table ?? add column ?? varchar(255)', ['widgets', 'label']),
    );
  }
  override async down(): Promise<void> {
    this.addSql('drop table widgets');
  }
}

class CreateWidgetsEdited extends Migration {
  override async up(): Promise<void> {
    this.addSql('create table widgets (id bigint primary key)');
    this.addSql(
      this.getKnex().raw('alter table ?? add column ?? varchar(255)', ['widgets', 'label']),
    );
  }
  override async down(): Promise<void> {
    this.addSql('drop table widgets');
  }
}

class DownEdited extends CreateWidgets {
  override async down(): Promise<void> {
    this.addSql('drop table if exists widgets');
  }
}

class Backfill extends Migration {
  override async up(): Promise<void> {
    const rows = await this.execute('select id from widgets where label is null limit ?', [100]);
    for (const row of rows) this.addSql(`update widgets set label = 'x' where id = ${row['id']}`);
    this.addSql('alter table widgets alter column label set not null');
  }
}

class Concurrent extends Migration {
  override isTransactional(): boolean {
    return false;
  }
  override async up(): Promise<void> {
    this.addSql('create index concurrently widgets_label on widgets (label)');
  }
  override async down(): Promise<void> {
    this.addSql('drop index concurrently widgets_label');
  }
}

const named = (name: string, cls: unknown) => ({ name, class: cls as never });

// What databases recorded when they applied each migration of this build: `up` refuses a build
// whose applied migrations changed, so their SQL stays as it is (comments outside the SQL
// strings may change). A new migration adds its line.
const RECORDED_CHECKSUMS: Record<string, string> = {
  Migration20261122000000_baseline:
    '8a92756d87d6c7cc50284068f06667d632cb2cda6edce7a82661a63a5e760b65',
  Migration20261122010000_identity:
    'dae7b192c238b2abb97bf11f49af477e2fa19498068480cf209dd7a0102aee99',
  Migration20261122020000_agents:
    '7944e1ce543596e6013913f1870ce0f34e7aaacb9c8710e493833c8edf4cbedb',
  Migration20261122030000_tasks: 'aa634fa057966c7663df17bc84e9d450f216efa57c80910bfa2d15ec84146c8d',
  Migration20261122040000_messaging:
    'aacdfe620daae69d6ef57c575127149390131aab31fa832770626eea0a1b383b',
  Migration20261122050000_legacy_columns:
    'cfefa1d58cbe8534389b0d19cca48d7d86035ec8ee18c2f30a90dddc90af17bb',
  Migration20261201000000_message_delivery_events:
    '174fcaf823a0e8eb6e6027d06fad2b432c58bdfb9663af686193fe134a96e51d',
  Migration20261202000000_workflows:
    '9a7fbd121668246afb26012b9b9d8804dc00844e134eca5fae02d6c1717005d7',
  Migration20261203000000_agent_performance:
    'fea3d6ace6cdbb38d807531391057140ceb1fff5ab68e8af65f0d6de4edc2bf8',
  Migration20261204000000_mcp_sessions:
    'af2c3db9bacfc90458e413adfcf335b44524ebeaf949d582b8f41fdfc692c4f8',
  Migration20261204010000_task_parts:
    '808c9c65c5ba0faf52dffde653c30a36ed4798a9f20b12ecc3d2cd934c5c53e5',
  Migration20261205000000_access_notify:
    '9fbfb4d02d4cc44abd07232038000afabc72d5e661559d5ffbbfbcbd22138666',
};

describe('migration SQL capture and checksum', () => {
  it('captures addSql strings and knex queries in order, for up and down, without a database', async () => {
    const sql = await captureMigrationSql(named('m', CreateWidgets));
    expect(sql).toEqual({
      transactional: true,
      up: [
        'create table widgets (id int primary key)',
        'alter table "widgets" add column "label" varchar(255)',
      ],
      down: ['drop table widgets'],
    });
  });

  it('captures this.execute() calls with their parameters, and marks irreversible migrations', async () => {
    const sql = await captureMigrationSql(named('m', Backfill));
    expect(sql.up).toEqual([
      'select id from widgets where label is null limit ? -- params: [100]',
      'alter table widgets alter column label set not null',
    ]);
    expect(sql.down).toBeNull();
  });

  it('records whether a migration runs outside a transaction', async () => {
    expect((await captureMigrationSql(named('m', Concurrent))).transactional).toBe(false);
  });

  it('is a stable sha256 that changes with any change to what up or down execute', async () => {
    const original = await migrationChecksum(named('m', CreateWidgets));
    expect(original).toMatch(/^[0-9a-f]{64}$/);
    expect(await migrationChecksum(named('other name, same SQL', CreateWidgets))).toBe(original);
    expect(await migrationChecksum(named('m', CreateWidgetsEdited))).not.toBe(original);
    expect(await migrationChecksum(named('m', DownEdited))).not.toBe(original);
    const sql = await captureMigrationSql(named('m', CreateWidgets));
    expect(checksumOfSql({ ...sql, transactional: false })).not.toBe(original);
  });

  it('keeps the SQL of every migration of this build, as databases recorded it', async () => {
    const checksums: Record<string, string> = {};
    for (const migration of MIGRATIONS)
      checksums[migration.name] = await migrationChecksum(migration);
    expect(checksums).toEqual(RECORDED_CHECKSUMS);
  });

  it('captures every migration of this build', async () => {
    for (const migration of MIGRATIONS) {
      const sql = await captureMigrationSql(migration);
      expect(sql.up.length).toBeGreaterThan(0);
    }
  });
});

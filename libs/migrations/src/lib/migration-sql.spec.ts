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

  it('captures every migration of this build', async () => {
    for (const migration of MIGRATIONS) {
      const sql = await captureMigrationSql(migration);
      expect(sql.up.length).toBeGreaterThan(0);
    }
  });
});

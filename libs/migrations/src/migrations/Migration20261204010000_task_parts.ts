import { Migration } from '@mikro-orm/migrations';

/**
 * Tasks keep the content they were asked with: `parts`, a JSON array of message parts (the
 * A2A gateway stores the parts of the message that created the task). NULL when a task was
 * created without any.
 */
export class Migration20261204010000_task_parts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE tasks
        ADD COLUMN parts jsonb,
        ADD CONSTRAINT ck_tasks_parts_array CHECK (parts IS NULL OR jsonb_typeof(parts) = 'array')`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `ALTER TABLE tasks DROP CONSTRAINT IF EXISTS ck_tasks_parts_array, DROP COLUMN IF EXISTS parts`,
    );
  }
}

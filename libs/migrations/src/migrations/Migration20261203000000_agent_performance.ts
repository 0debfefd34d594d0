import { Migration } from '@mikro-orm/migrations';

/**
 * Agent performance (the phase-2 PostgreSQL design's `agent_performance`): points an agent
 * or the platform records, with the design's columns plus the agent's project, and the
 * capability confidence that learns from task outcomes. Needs the agents migration.
 */
export class Migration20261203000000_agent_performance extends Migration {
  override async up(): Promise<void> {
    // metric_value is double precision rather than the design's DECIMAL(10,4): a finite
    // number of any size (a duration in seconds, a byte count) must fit, and the summaries
    // aggregate floats anyway. project_id is repeated so that a project's summary reads one
    // index, and the composite key keeps the point in its agent's project.
    this.addSql(`
      CREATE TABLE agent_performance (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL,
        agent_id uuid NOT NULL,
        metric_name varchar(100) NOT NULL,
        metric_value double precision NOT NULL,
        metric_unit varchar(50),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        context jsonb,
        CONSTRAINT fk_agent_performance_agent FOREIGN KEY (project_id, agent_id)
          REFERENCES agents (project_id, id) ON DELETE CASCADE,
        CONSTRAINT ck_agent_performance_name CHECK (metric_name ~ '^[a-z][a-z0-9_.]{0,99}$'),
        CONSTRAINT ck_agent_performance_value_finite CHECK (metric_value NOT IN ('NaN', 'Infinity', '-Infinity')),
        CONSTRAINT ck_agent_performance_context_object CHECK (context IS NULL OR jsonb_typeof(context) = 'object')
      )`);
    // Time ranges of one agent's metric (raw points newest first, bucketed summaries).
    this.addSql(
      `CREATE INDEX idx_agent_performance_agent_metric_time ON agent_performance (agent_id, metric_name, recorded_at DESC)`,
    );
    // A project's fleet, one metric, a time range.
    this.addSql(
      `CREATE INDEX idx_agent_performance_project_metric_time ON agent_performance (project_id, metric_name, recorded_at)`,
    );
    // Retention deletes the oldest points: rows arrive roughly in time order, so a BRIN
    // index finds them at a fraction of a b-tree's size.
    this.addSql(
      `CREATE INDEX idx_agent_performance_recorded_brin ON agent_performance USING brin (recorded_at)`,
    );

    // Confidence moves by a learning rate (0.2 by default) toward 0 or 1: two decimals would
    // round small steps away and stall it short of either end.
    this.addSql(`ALTER TABLE agent_capabilities ALTER COLUMN confidence_score TYPE numeric(5, 4)`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS agent_performance`);
    this.addSql(`ALTER TABLE agent_capabilities ALTER COLUMN confidence_score TYPE numeric(3, 2)`);
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Tasks (the broker's columns plus workflow_id / step_order of the phase-1 SQLite platform's
 * phase-2 PostgreSQL design), their dependency graph as an edge table, and what claiming with
 * leases needs. Needs the identity (projects, users) and agents migrations.
 */
export class Migration20261122030000_tasks extends Migration {
  override async up(): Promise<void> {
    // The assignee is one of two real foreign keys rather than the broker's untyped
    // `assigned_to uuid` + `assigned_to_type`: a polymorphic column cannot carry a foreign
    // key, and we want deleting an agent (or user) to unassign its tasks (SET NULL) instead
    // of leaving ids that point nowhere. The API still speaks `assigned_to` +
    // `assigned_to_type`; at most one of the two columns is set.
    //
    // created_by is the same: the creating user or agent, and the task survives either's
    // deletion.
    //
    // room_id and workflow_id get no foreign key here, as their tables come later: the
    // messaging migration adds room_id's (after nulling values that point nowhere); workflows
    // do not exist yet, and the migration that creates them is to do the same for workflow_id.
    //
    // No CHECK ties started_at/completed_at to the status: legacy imports (the phase-1 SQLite
    // platform's tasks have no such columns) must be able to bring completed tasks in without
    // inventing times. The API keeps them consistent.
    this.addSql(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        room_id uuid,
        workflow_id uuid,
        step_order integer,
        title varchar(500) NOT NULL,
        description text,
        status varchar(20) NOT NULL DEFAULT 'pending',
        priority varchar(10) NOT NULL DEFAULT 'medium',
        assigned_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
        assigned_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        created_by_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
        required_capabilities jsonb NOT NULL DEFAULT '[]'::jsonb,
        result jsonb,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 3,
        lease_expires_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        due_date timestamptz,
        started_at timestamptz,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Sorting and claiming order by this; a generated column keeps the ranking in one place.
        priority_rank smallint GENERATED ALWAYS AS (
          CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END
        ) STORED,
        -- Full-text search over title (weighted higher) and description.
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
          setweight(to_tsvector('english', coalesce(description, '')), 'B')
        ) STORED,
        -- (project_id, id) is what task_dependencies refers to, so both ends of an edge are
        -- in the same project by construction.
        CONSTRAINT uq_tasks_project_id UNIQUE (project_id, id),
        CONSTRAINT ck_tasks_status CHECK (status IN ('pending', 'in_progress', 'completed', 'failed', 'cancelled')),
        CONSTRAINT ck_tasks_priority CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
        CONSTRAINT ck_tasks_title_not_blank CHECK (btrim(title) <> ''),
        CONSTRAINT ck_tasks_one_assignee CHECK (num_nonnulls(assigned_agent_id, assigned_user_id) <= 1),
        CONSTRAINT ck_tasks_one_creator CHECK (num_nonnulls(created_by_user_id, created_by_agent_id) <= 1),
        CONSTRAINT ck_tasks_required_capabilities_array CHECK (jsonb_typeof(required_capabilities) = 'array'),
        CONSTRAINT ck_tasks_result_object CHECK (result IS NULL OR jsonb_typeof(result) = 'object'),
        CONSTRAINT ck_tasks_attempts CHECK (attempts >= 0),
        CONSTRAINT ck_tasks_max_attempts CHECK (max_attempts >= 1),
        CONSTRAINT ck_tasks_step_order CHECK (step_order IS NULL OR step_order >= 0),
        CONSTRAINT ck_tasks_lease_only_in_progress CHECK (lease_expires_at IS NULL OR status = 'in_progress')
      )`);
    // The per-project list, newest first (uq_tasks_project_id serves "WHERE project_id = ?").
    this.addSql(
      `CREATE INDEX idx_tasks_project_created ON tasks (project_id, created_at DESC, id DESC)`,
    );
    this.addSql(`CREATE INDEX idx_tasks_created ON tasks (created_at DESC, id DESC)`);
    this.addSql(`CREATE INDEX idx_tasks_project_status ON tasks (project_id, status)`);
    // The claim query walks this in order and stops at the first claimable row.
    this.addSql(`
      CREATE INDEX idx_tasks_claim ON tasks (project_id, priority_rank DESC, created_at, id)
        WHERE status = 'pending'`);
    // The lease sweeper looks only at leased rows.
    this.addSql(
      `CREATE INDEX idx_tasks_lease_expires ON tasks (lease_expires_at) WHERE lease_expires_at IS NOT NULL`,
    );
    this.addSql(`CREATE INDEX idx_tasks_search ON tasks USING gin (search_vector)`);
    // Filters, and the ON DELETE SET NULL of agents and users (a full scan without them).
    this.addSql(
      `CREATE INDEX idx_tasks_assigned_agent ON tasks (assigned_agent_id) WHERE assigned_agent_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_tasks_assigned_user ON tasks (assigned_user_id) WHERE assigned_user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_tasks_created_by_user ON tasks (created_by_user_id) WHERE created_by_user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_tasks_created_by_agent ON tasks (created_by_agent_id) WHERE created_by_agent_id IS NOT NULL`,
    );
    this.addSql(`CREATE INDEX idx_tasks_room ON tasks (room_id) WHERE room_id IS NOT NULL`);
    this.addSql(
      `CREATE INDEX idx_tasks_workflow ON tasks (workflow_id, step_order) WHERE workflow_id IS NOT NULL`,
    );

    // "task_id depends on depends_on_id". project_id is repeated so that both foreign keys
    // can name it: an edge across projects is impossible, and the cycle check reads one
    // project's edges.
    this.addSql(`
      CREATE TABLE task_dependencies (
        project_id uuid NOT NULL,
        task_id uuid NOT NULL,
        depends_on_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (task_id, depends_on_id),
        CONSTRAINT fk_task_dependencies_task FOREIGN KEY (project_id, task_id)
          REFERENCES tasks (project_id, id) ON DELETE CASCADE,
        CONSTRAINT fk_task_dependencies_depends_on FOREIGN KEY (project_id, depends_on_id)
          REFERENCES tasks (project_id, id) ON DELETE CASCADE,
        CONSTRAINT ck_task_dependencies_not_self CHECK (task_id <> depends_on_id)
      )`);
    // "Who depends on X" (delete with dependents, the cycle walk) and the cascade from tasks.
    this.addSql(
      `CREATE INDEX idx_task_dependencies_depends_on ON task_dependencies (project_id, depends_on_id)`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS task_dependencies`);
    this.addSql(`DROP TABLE IF EXISTS tasks`);
  }
}

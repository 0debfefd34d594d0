import { Migration } from '@mikro-orm/migrations';

/**
 * Workflows and their executions (the phase-2 PostgreSQL design of the phase-1 SQLite
 * platform: `workflows`, `workflow_executions`), with every version of a definition kept in
 * `workflow_versions`, and the columns that make a task one step of an execution. Needs the
 * identity, agents and tasks migrations.
 */
export class Migration20261202000000_workflows extends Migration {
  override async up(): Promise<void> {
    // The design's columns, with a project (a workflow belongs to one, and its name is unique
    // there), the creator as one column per kind (user or agent, each a real foreign key),
    // and the design's status list cut to what a definition can be: 'completed' and 'failed'
    // belong to executions.
    this.addSql(`
      CREATE TABLE workflows (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        name varchar(255) NOT NULL,
        description text,
        definition jsonb NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'draft',
        version integer NOT NULL DEFAULT 1,
        tags text[] NOT NULL DEFAULT '{}',
        created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        created_by_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
          setweight(to_tsvector('english', coalesce(description, '')), 'B')
        ) STORED,
        CONSTRAINT uq_workflows_project_name UNIQUE (project_id, name),
        -- What executions and tasks refer to, so that they stay in the workflow's project.
        CONSTRAINT uq_workflows_project_id UNIQUE (project_id, id),
        CONSTRAINT ck_workflows_status CHECK (status IN ('draft', 'active', 'paused')),
        CONSTRAINT ck_workflows_name_not_blank CHECK (btrim(name) <> ''),
        CONSTRAINT ck_workflows_version CHECK (version >= 1),
        CONSTRAINT ck_workflows_definition_object CHECK (jsonb_typeof(definition) = 'object'),
        CONSTRAINT ck_workflows_one_creator CHECK (num_nonnulls(created_by_user_id, created_by_agent_id) <= 1)
      )`);
    this.addSql(
      `CREATE INDEX idx_workflows_project_created ON workflows (project_id, created_at DESC, id DESC)`,
    );
    this.addSql(`CREATE INDEX idx_workflows_created ON workflows (created_at DESC, id DESC)`);
    this.addSql(`CREATE INDEX idx_workflows_search ON workflows USING gin (search_vector)`);
    this.addSql(`CREATE INDEX idx_workflows_tags ON workflows USING gin (tags)`);
    this.addSql(
      `CREATE INDEX idx_workflows_created_by_user ON workflows (created_by_user_id) WHERE created_by_user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_workflows_created_by_agent ON workflows (created_by_agent_id) WHERE created_by_agent_id IS NOT NULL`,
    );

    // Every definition a workflow has had; workflows.definition is a copy of the newest.
    this.addSql(`
      CREATE TABLE workflow_versions (
        workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
        version integer NOT NULL,
        definition jsonb NOT NULL,
        created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        created_by_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workflow_id, version),
        CONSTRAINT ck_workflow_versions_version CHECK (version >= 1),
        CONSTRAINT ck_workflow_versions_definition_object CHECK (jsonb_typeof(definition) = 'object'),
        CONSTRAINT ck_workflow_versions_one_creator CHECK (num_nonnulls(created_by_user_id, created_by_agent_id) <= 1)
      )`);
    this.addSql(
      `CREATE INDEX idx_workflow_versions_created_by_user ON workflow_versions (created_by_user_id) WHERE created_by_user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_workflow_versions_created_by_agent ON workflow_versions (created_by_agent_id) WHERE created_by_agent_id IS NOT NULL`,
    );
    // A version, once written, is what executions of it ran: it never changes. (Its creator
    // may still be set to NULL by the deletion of that user or agent.)
    this.addSql(`
      CREATE FUNCTION workflow_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.workflow_id IS DISTINCT FROM OLD.workflow_id OR NEW.version IS DISTINCT FROM OLD.version
           OR NEW.definition IS DISTINCT FROM OLD.definition OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
          RAISE EXCEPTION 'workflow version % of workflow % is immutable', OLD.version, OLD.workflow_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_workflow_versions_immutable';
        END IF;
        RETURN NEW;
      END $$`);
    this.addSql(`
      CREATE TRIGGER trg_workflow_versions_immutable BEFORE UPDATE ON workflow_versions
        FOR EACH ROW EXECUTE FUNCTION workflow_versions_immutable()`);

    // The design's columns, with the project and the version run; the starter as one column
    // per kind. completed_at is set exactly when the execution is no longer running.
    this.addSql(`
      CREATE TABLE workflow_executions (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL,
        workflow_id uuid NOT NULL,
        workflow_version integer NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'running',
        current_step integer,
        context_data jsonb NOT NULL DEFAULT '{}'::jsonb,
        result_data jsonb NOT NULL DEFAULT '{}'::jsonb,
        started_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        started_by_agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        error_message text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT fk_workflow_executions_workflow FOREIGN KEY (project_id, workflow_id)
          REFERENCES workflows (project_id, id) ON DELETE CASCADE,
        CONSTRAINT fk_workflow_executions_version FOREIGN KEY (workflow_id, workflow_version)
          REFERENCES workflow_versions (workflow_id, version) ON DELETE CASCADE,
        -- What a step task refers to: its project, workflow and execution agree by construction.
        CONSTRAINT uq_workflow_executions_scope UNIQUE (project_id, workflow_id, id),
        CONSTRAINT ck_workflow_executions_status CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
        CONSTRAINT ck_workflow_executions_completed_at CHECK ((completed_at IS NULL) = (status = 'running')),
        CONSTRAINT ck_workflow_executions_current_step CHECK (current_step IS NULL OR current_step >= 0),
        CONSTRAINT ck_workflow_executions_context_object CHECK (jsonb_typeof(context_data) = 'object'),
        CONSTRAINT ck_workflow_executions_result_object CHECK (jsonb_typeof(result_data) = 'object'),
        CONSTRAINT ck_workflow_executions_one_starter CHECK (num_nonnulls(started_by_user_id, started_by_agent_id) <= 1)
      )`);
    this.addSql(
      `CREATE INDEX idx_workflow_executions_workflow ON workflow_executions (workflow_id, started_at DESC, id DESC)`,
    );
    this.addSql(
      `CREATE INDEX idx_workflow_executions_project ON workflow_executions (project_id, started_at DESC, id DESC)`,
    );
    this.addSql(
      `CREATE INDEX idx_workflow_executions_version ON workflow_executions (workflow_id, workflow_version)`,
    );
    this.addSql(
      `CREATE INDEX idx_workflow_executions_started_by_user ON workflow_executions (started_by_user_id) WHERE started_by_user_id IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX idx_workflow_executions_started_by_agent ON workflow_executions (started_by_agent_id) WHERE started_by_agent_id IS NOT NULL`,
    );

    // A task is one step of an execution: which one (step_key), what it does when a
    // dependency fails, and the inputs its parents handed on. workflow_id keeps the design's
    // ON DELETE CASCADE; no workflow existed before this migration, so any value set so far
    // pointed nowhere and is cleared first (as the messaging migration did for room_id).
    this.addSql(`UPDATE tasks SET workflow_id = NULL WHERE workflow_id IS NOT NULL`);
    this.addSql(`
      ALTER TABLE tasks
        ADD COLUMN workflow_execution_id uuid,
        ADD COLUMN step_key varchar(63),
        ADD COLUMN on_dependency_failure varchar(10),
        ADD COLUMN inputs jsonb,
        ADD CONSTRAINT fk_tasks_workflow FOREIGN KEY (project_id, workflow_id)
          REFERENCES workflows (project_id, id) ON DELETE CASCADE,
        ADD CONSTRAINT fk_tasks_workflow_execution FOREIGN KEY (project_id, workflow_id, workflow_execution_id)
          REFERENCES workflow_executions (project_id, workflow_id, id) ON DELETE CASCADE,
        ADD CONSTRAINT uq_tasks_execution_step UNIQUE (workflow_execution_id, step_key),
        ADD CONSTRAINT ck_tasks_step_key CHECK (step_key IS NULL OR step_key ~ '^[a-z][a-z0-9_]{0,62}$'),
        ADD CONSTRAINT ck_tasks_workflow_step CHECK (
          (workflow_execution_id IS NULL AND step_key IS NULL AND on_dependency_failure IS NULL AND inputs IS NULL)
          OR (workflow_execution_id IS NOT NULL AND workflow_id IS NOT NULL AND step_key IS NOT NULL AND inputs IS NOT NULL
              AND on_dependency_failure IS NOT NULL)
        ),
        ADD CONSTRAINT ck_tasks_on_dependency_failure CHECK (on_dependency_failure IN ('cancel', 'continue')),
        ADD CONSTRAINT ck_tasks_inputs_object CHECK (inputs IS NULL OR jsonb_typeof(inputs) = 'object')`);
    // The steps of one execution are created at the same instant: claim hands them out in
    // step order (then by id), so the claim index gains step_order before the id.
    this.addSql(`DROP INDEX idx_tasks_claim`);
    this.addSql(`
      CREATE INDEX idx_tasks_claim ON tasks (project_id, priority_rank DESC, created_at, step_order, id)
        WHERE status = 'pending'`);
  }

  override async down(): Promise<void> {
    this.addSql(`DELETE FROM tasks WHERE workflow_execution_id IS NOT NULL`);
    this.addSql(`DROP INDEX idx_tasks_claim`);
    this.addSql(`
      CREATE INDEX idx_tasks_claim ON tasks (project_id, priority_rank DESC, created_at, id)
        WHERE status = 'pending'`);
    this.addSql(`
      ALTER TABLE tasks
        DROP CONSTRAINT IF EXISTS fk_tasks_workflow,
        DROP CONSTRAINT IF EXISTS fk_tasks_workflow_execution,
        DROP COLUMN IF EXISTS workflow_execution_id,
        DROP COLUMN IF EXISTS step_key,
        DROP COLUMN IF EXISTS on_dependency_failure,
        DROP COLUMN IF EXISTS inputs`);
    this.addSql(`DROP TABLE IF EXISTS workflow_executions`);
    this.addSql(`DROP TABLE IF EXISTS workflow_versions`);
    this.addSql(`DROP FUNCTION IF EXISTS workflow_versions_immutable()`);
    this.addSql(`DROP TABLE IF EXISTS workflows`);
  }
}

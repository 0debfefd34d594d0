import { Client } from 'pg';
import { AdvisoryLock } from '@agenthub/migrations';
import { ImportContext, ImportLogger, ImportProgress, LegacyImportError } from './context';
import { asUuid } from './ids';
import { ImportReport, ReportBuilder } from './report';
import { importRegistryJson } from './sources/registry-json';
import { importSqlitePhase1 } from './sources/sqlite-phase1';
import { importAgentCom } from './sources/agent-com';

export const IMPORT_SOURCES = ['sqlite-phase1', 'registry-json', 'agent-com'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** Sources that bring their own projects (and users); the others need --project. */
const BRINGS_PROJECTS: ReadonlySet<ImportSource> = new Set(['agent-com']);

/** Tables each source writes; the schema must have them (run "up" first). */
const REQUIRED_TABLES: Record<ImportSource, string[]> = {
  'sqlite-phase1': ['projects', 'agents', 'agent_capabilities', 'tasks'],
  'registry-json': ['projects', 'agents', 'agent_capabilities'],
  'agent-com': [
    'users',
    'projects',
    'agents',
    'agent_api_keys',
    'tasks',
    'task_dependencies',
    'chat_rooms',
    'chat_participants',
    'chat_messages',
  ],
};

export interface ImportOptions {
  url: string;
  source: string;
  path: string;
  projectId?: string;
  dryRun?: boolean;
  /** How long to wait for the migration lock (an import never races a migration). */
  lockTimeoutMs?: number;
  batchSize?: number;
  logger?: ImportLogger;
  progress?: ImportProgress;
  signal?: AbortSignal;
}

const quiet: ImportLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const noProgress: ImportProgress = {
  start: () => ({ advance: () => undefined, stop: () => undefined }),
};

/**
 * One import: under the migration lock, in one transaction (a failure, or --dry-run, rolls
 * everything back), answering the report. Input problems are LegacyImportError.
 */
export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const source = options.source as ImportSource;
  if (!IMPORT_SOURCES.includes(source))
    throw new LegacyImportError(
      `unknown source "${options.source}" (one of ${IMPORT_SOURCES.join(', ')})`,
    );
  let projectId: string | null = null;
  if (BRINGS_PROJECTS.has(source)) {
    if (options.projectId)
      throw new LegacyImportError(`${source} brings its own projects: --project does not apply`);
  } else {
    if (!options.projectId)
      throw new LegacyImportError(
        `${source} needs --project <uuid>: the project that receives everything`,
      );
    projectId = asUuid(options.projectId);
    if (!projectId || !/-/.test(options.projectId))
      throw new LegacyImportError(`--project must be a UUID, got "${options.projectId}"`);
  }
  const logger = options.logger ?? quiet;
  const report = new ReportBuilder(source, options.path, projectId, options.dryRun ?? false);

  const client = new Client({
    connectionString: options.url,
    application_name: 'agenthub-migrator/import',
  });
  await client.connect();
  // The staging and seen-id TEMP tables (see StagedWriter) live in session-local buffers, 8 MB by
  // default: the seen ids of a million-row import outgrow that and would go to disk page by page.
  // Allocated only as used; settable only before the session's first temp table.
  await client.query(`SET temp_buffers = '256MB'`);
  const lock = new AdvisoryLock(client);
  try {
    await lock.acquire({
      timeoutMs: options.lockTimeoutMs ?? 60_000,
      signal: options.signal,
      logger,
    });
    const { rows } = await client.query<{ name: string }>(
      `SELECT t AS name FROM unnest($1::text[]) t WHERE to_regclass('public.' || t) IS NULL`,
      [REQUIRED_TABLES[source]],
    );
    if (rows.length > 0)
      throw new LegacyImportError(
        `the database has no table ${rows.map((r) => r.name).join(', ')} yet: run "up" first`,
      );
    await client.query('BEGIN');
    try {
      if (projectId) {
        const found = await client.query('SELECT 1 FROM projects WHERE id = $1', [projectId]);
        if (found.rowCount === 0)
          throw new LegacyImportError(
            `project ${projectId} does not exist: create it first (the import puts everything into it)`,
          );
      }
      const ctx = new ImportContext(
        client,
        report,
        source,
        options.batchSize ?? 2000,
        options.progress ?? noProgress,
      );
      logger.info(`import ${source} ${options.path}${options.dryRun ? ' (dry run)' : ''}`, {
        source,
        path: options.path,
        project_id: projectId,
      });
      if (source === 'sqlite-phase1')
        await importSqlitePhase1(ctx, options.path, projectId as string);
      else if (source === 'registry-json')
        await importRegistryJson(ctx, options.path, projectId as string);
      else await importAgentCom(ctx, options.path);
      // Every source waits for its last batch; this keeps COMMIT after it whatever a source does.
      await ctx.behind.settled();
      if (options.signal?.aborted)
        throw new LegacyImportError('interrupted: rolled back, nothing was written', 'failed');
      await client.query(options.dryRun ? 'ROLLBACK' : 'COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    const result = report.finish();
    logger.info(
      options.dryRun
        ? 'dry run: rolled back'
        : result.changed
          ? 'import committed'
          : 'nothing changed',
      {
        adjustments: result.adjustments.length,
        ...Object.fromEntries(
          Object.entries(result.tables).map(([t, c]) => [
            t,
            `${c.inserted}+ ${c.updated}~ ${c.unchanged}=`,
          ]),
        ),
      },
    );
    return result;
  } finally {
    await lock.release().catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

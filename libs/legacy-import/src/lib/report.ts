/** What happened to the rows of one target table. */
export interface TableReport {
  /** rows read from the source for this table */
  read: number;
  inserted: number;
  /** existing rows (same id) whose values changed */
  updated: number;
  /** existing rows already holding exactly these values (and users merged into one) */
  unchanged: number;
  /** placeholder rows made for references that named nothing */
  placeholders: number;
  /** references set to NULL: they named nothing that can exist */
  nulled: number;
  /** rows renamed to keep a name unique */
  renamed: number;
  /** rows (or parts, e.g. dependency edges) not written, each one listed in the adjustments */
  dropped: number;
}

/** One change the importer made to what the source said, with the legacy row it came from. */
export interface Adjustment {
  /** the source table (or JSON array) and the legacy row id */
  source_table: string;
  legacy_id: string | null;
  kind:
    | 'placeholder_created'
    | 'reference_nulled'
    | 'dependency_dropped'
    | 'enum_mapped'
    | 'capabilities_not_json'
    | 'capability_confidence_clamped'
    | 'name_deduplicated'
    | 'timestamp_unreadable'
    | 'timestamp_missing'
    | 'email_lowercased'
    | 'user_merged'
    | 'password_missing'
    | 'value_not_kept'
    | 'row_dropped';
  field?: string;
  from?: unknown;
  to?: unknown;
  message: string;
}

export interface ImportReport {
  source: string;
  path: string;
  project_id: string | null;
  dry_run: boolean;
  /** false when the run changed nothing (everything was already there) */
  changed: boolean;
  tables: Record<string, TableReport>;
  adjustments: Adjustment[];
}

export const emptyTable = (): TableReport => ({
  read: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  placeholders: 0,
  nulled: 0,
  renamed: 0,
  dropped: 0,
});

/** Collects the report while an import runs. */
export class ReportBuilder {
  readonly report: ImportReport;

  constructor(source: string, path: string, projectId: string | null, dryRun: boolean) {
    this.report = {
      source,
      path,
      project_id: projectId,
      dry_run: dryRun,
      changed: false,
      tables: {},
      adjustments: [],
    };
  }

  table(name: string): TableReport {
    return (this.report.tables[name] ??= emptyTable());
  }

  adjust(adjustment: Adjustment): void {
    this.report.adjustments.push(adjustment);
  }

  finish(): ImportReport {
    this.report.changed = Object.values(this.report.tables).some((t) => t.inserted + t.updated > 0);
    return this.report;
  }
}

/** The human summary the CLI prints without --json. */
export function formatReport(report: ImportReport): string {
  const head =
    (report.dry_run ? 'dry run (nothing written): ' : '') +
    `import ${report.source} ${report.path}` +
    (report.project_id ? ` into project ${report.project_id}` : '');
  const cols = [
    'read',
    'inserted',
    'updated',
    'unchanged',
    'placeholders',
    'nulled',
    'renamed',
    'dropped',
  ] as const;
  const rows = Object.entries(report.tables).map(
    ([name, t]) => `${name.padEnd(20)}${cols.map((c) => String(t[c]).padStart(13)).join('')}`,
  );
  const adjustments = report.adjustments.map(
    (a) =>
      `  ${a.kind.padEnd(30)} ${a.source_table}${a.legacy_id ? ` ${a.legacy_id}` : ''}: ${a.message}`,
  );
  return [
    head,
    `${'table'.padEnd(20)}${cols.map((c) => c.padStart(13)).join('')}`,
    ...rows,
    '',
    report.adjustments.length
      ? `${report.adjustments.length} adjustment(s):`
      : 'No adjustments: every value was taken as it was.',
    ...adjustments,
    '',
    report.changed
      ? report.dry_run
        ? 'Would change the database (dry run: rolled back).'
        : 'Imported.'
      : 'Nothing changed: everything was already imported.',
  ].join('\n');
}

export interface MigrationProblem {
  kind: 'checksum_mismatch' | 'missing' | 'out_of_order' | 'duplicate' | 'unsorted';
  migration: string;
  message: string;
}

export interface KnownMigration {
  name: string;
  checksum: string;
}

export interface RecordedMigration {
  name: string;
  /** null for a migration applied before checksums were recorded (adopted on the next up/down). */
  checksum: string | null;
}

/**
 * Compares the migrations this build knows (in list order) with what the database recorded,
 * Flyway-style: every applied migration must still exist unchanged, nothing may be pending
 * behind an applied one, and names are unique and in time order.
 */
export function findProblems(
  known: KnownMigration[],
  applied: RecordedMigration[],
): MigrationProblem[] {
  const problems: MigrationProblem[] = [];
  const seen = new Set<string>();
  known.forEach(({ name }, i) => {
    if (seen.has(name)) {
      problems.push({
        kind: 'duplicate',
        migration: name,
        message: `${name} is listed more than once`,
      });
    }
    seen.add(name);
    const previous = known[i - 1]?.name;
    if (previous !== undefined && name < previous) {
      problems.push({
        kind: 'unsorted',
        migration: name,
        message: `${name} is listed after ${previous} but its name sorts before it`,
      });
    }
  });

  const byName = new Map(known.map((m, index) => [m.name, { ...m, index }]));
  const appliedNames = new Set(applied.map((m) => m.name));
  let lastAppliedIndex = -1;
  let lastAppliedName = '';
  for (const record of applied) {
    const current = byName.get(record.name);
    if (!current) {
      problems.push({
        kind: 'missing',
        migration: record.name,
        message: `${record.name} is applied but no longer exists in this build`,
      });
      continue;
    }
    if (record.checksum !== null && record.checksum !== current.checksum) {
      problems.push({
        kind: 'checksum_mismatch',
        migration: record.name,
        message: `${record.name} changed after it was applied (checksum ${record.checksum.slice(0, 12)}… recorded, ${current.checksum.slice(0, 12)}… now)`,
      });
    }
    if (current.index > lastAppliedIndex) {
      lastAppliedIndex = current.index;
      lastAppliedName = current.name;
    }
  }
  known.forEach(({ name }, index) => {
    if (index < lastAppliedIndex && !appliedNames.has(name)) {
      problems.push({
        kind: 'out_of_order',
        migration: name,
        message: `${name} is pending but sorts before the applied ${lastAppliedName}`,
      });
    }
  });
  return problems;
}

export { IMPORT_SOURCES, runImport } from './lib/import';
export type { ImportOptions, ImportSource } from './lib/import';
export { formatReport } from './lib/report';
export type { Adjustment, ImportReport, TableReport } from './lib/report';
export { LegacyImportError } from './lib/context';
export type { ImportLogger, ImportProgress } from './lib/context';

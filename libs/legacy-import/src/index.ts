export * from './lib/import';
export * from './lib/report';
export { LegacyImportError, ImportLogger, ImportProgress } from './lib/context';
export { asUuid, uuidV5, importedId, IMPORT_NAMESPACE } from './lib/ids';
export * from './lib/values';

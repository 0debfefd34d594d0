export { A2aModule } from './lib/a2a.module';
export { A2A_METADATA_KEY } from './lib/a2a-task.mapping';

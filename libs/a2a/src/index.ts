export { A2aModule } from './lib/a2a.module';

export * from './lib/auth.module';
export * from './lib/entities';

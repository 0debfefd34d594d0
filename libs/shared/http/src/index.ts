export * from './lib/configure-http-app';
export * from './lib/validation';
export * from './lib/pagination';
export * from './lib/uuid-param';
export * from './lib/request-id';
export * from './lib/field-rules';

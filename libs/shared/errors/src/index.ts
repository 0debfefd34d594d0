export * from './lib/domain-error';
export * from './lib/problem';
export * from './lib/problem-details.filter';

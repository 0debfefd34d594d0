// Shared jest settings for every project: SWC for speed (with decorator metadata,
// which Nest and MikroORM need), the workspace path aliases, and one global setup
// that provides a real PostgreSQL for the whole run.
const path = require('node:path');
const fs = require('node:fs');

const root = __dirname;
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { compilerOptions } = JSON.parse(
  fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'),
);

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    path.join(root, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // A few dependencies ship only ES modules (Node loads them with require(esm); jest
  // cannot), so they are compiled to CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|e2e-spec).ts'],
  globalSetup: path.join(root, 'tools/jest/global-setup.ts'),
  globalTeardown: path.join(root, 'tools/jest/global-teardown.ts'),
  testTimeout: 30000,
};

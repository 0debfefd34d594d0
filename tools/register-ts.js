// Lets plain `node -r ./register-ts.js file.ts` run the workspace's TypeScript: SWC compiles each
// .ts file on load with the same settings as jest and webpack, tsconfig paths resolve @agenthub/*.
// Used by tests that start a migrator process without building the bundle, and by
// `npm run validate:manifests`.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');
const { register } = require('tsconfig-paths');

const root = join(__dirname, '..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
register({
  baseUrl: root,
  paths: JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths,
});

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    ...swcrc,
    swcrc: false,
    filename,
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};

const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('node:path');

// Workspace code is bundled; every npm dependency stays external and is loaded
// from node_modules at run time (the image installs them with npm ci).
module.exports = {
  output: { path: join(__dirname, '../../dist/apps/migrator') },
  devtool: 'source-map',
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      tsConfig: './tsconfig.app.json',
      outputHashing: 'none',
      generatePackageJson: false,
      externalDependencies: 'all',
      optimization: false,
      sourceMap: true,
      typeCheck: true,
    }),
  ],
};

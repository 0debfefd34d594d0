// Bundles one app: workspace code (the @agenthub/* libraries) goes into dist/apps/<app>/main.js;
// every npm dependency stays external and is loaded from node_modules at run time.
const { join } = require('node:path');
const { readFileSync } = require('node:fs');
const nodeExternals = require('webpack-node-externals');
const { TsconfigPathsPlugin } = require('tsconfig-paths-webpack-plugin');

const root = join(__dirname, '../..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

module.exports = function appWebpackConfig(app) {
  return {
    mode: 'none',
    target: 'node20',
    context: root,
    entry: join(root, 'apps', app, 'src/main.ts'),
    output: { path: join(root, 'dist/apps', app), filename: 'main.js', clean: true },
    devtool: 'source-map',
    externalsPresets: { node: true },
    externals: [nodeExternals({ modulesDir: join(root, 'node_modules') })],
    resolve: {
      extensions: ['.ts', '.js', '.json'],
      plugins: [
        new TsconfigPathsPlugin({ configFile: join(root, 'apps', app, 'tsconfig.app.json') }),
      ],
    },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          use: { loader: 'swc-loader', options: { ...swcrc, swcrc: false, sourceMaps: true } },
        },
      ],
    },
    optimization: { minimize: false, nodeEnv: false },
    node: { __dirname: false, __filename: false },
    stats: 'errors-warnings',
  };
};

import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.data',
      'tmp',
      '**/webpack.config.js',
      'jest.preset.js',
      '**/jest.config.js',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:data', 'type:util', 'type:testing'],
            },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:data', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            {
              sourceTag: 'scope:api',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:testing',
                'scope:migrations',
                'scope:auth',
                'scope:agents',
                'scope:tasks',
                'scope:messaging',
              ],
            },
            {
              sourceTag: 'scope:migrator',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:testing',
                'scope:migrations',
                'scope:import',
                'scope:auth',
                'scope:agents',
                'scope:tasks',
                'scope:messaging',
              ],
            },
            {
              sourceTag: 'scope:import',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:migrations', 'scope:testing'],
            },
            {
              sourceTag: 'scope:shared',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
            },
            {
              sourceTag: 'scope:testing',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:migrations'],
            },
            {
              sourceTag: 'scope:migrations',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
            },
            {
              sourceTag: 'scope:auth',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
            },
            {
              sourceTag: 'scope:agents',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth', 'scope:testing'],
            },
            {
              sourceTag: 'scope:messaging',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:auth',
                'scope:agents',
                'scope:testing',
              ],
            },
            {
              sourceTag: 'scope:tasks',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:auth',
                'scope:agents',
                'scope:testing',
              ],
            },
          ],
        },
      ],
      // A library is used only through its index.ts: no deep imports past the alias.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@agenthub/*/**'],
              message: 'Import a library only through its public index: @agenthub/<name>.',
            },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The API's end-to-end tests may run a legacy import to check that imported users and keys
    // work through the API; the API itself never depends on the importer.
    files: ['apps/api/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:data', 'type:util', 'type:testing'],
            },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:data', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            {
              sourceTag: 'scope:api',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:testing',
                'scope:migrations',
                'scope:auth',
                'scope:agents',
                'scope:tasks',
                'scope:messaging',
                'scope:import',
              ],
            },
            {
              sourceTag: 'scope:migrator',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:testing',
                'scope:migrations',
                'scope:import',
                'scope:auth',
                'scope:agents',
                'scope:tasks',
                'scope:messaging',
              ],
            },
            {
              sourceTag: 'scope:import',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:migrations', 'scope:testing'],
            },
            {
              sourceTag: 'scope:shared',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
            },
            {
              sourceTag: 'scope:testing',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:migrations'],
            },
            {
              sourceTag: 'scope:migrations',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
            },
            {
              sourceTag: 'scope:auth',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
            },
            {
              sourceTag: 'scope:agents',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth', 'scope:testing'],
            },
            {
              sourceTag: 'scope:messaging',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:auth',
                'scope:agents',
                'scope:testing',
              ],
            },
            {
              sourceTag: 'scope:tasks',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:auth',
                'scope:agents',
                'scope:testing',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];

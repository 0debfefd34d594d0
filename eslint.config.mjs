import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';

const allScopes = [
  'scope:shared',
  'scope:testing',
  'scope:migrations',
  'scope:import',
  'scope:auth',
  'scope:agents',
  'scope:tasks',
  'scope:messaging',
  'scope:events',
  'scope:workflows',
  'scope:performance',
  'scope:mcp',
  'scope:a2a',
];

/** Who may import whom: by layer (type:*) and by domain (scope:*). */
function depConstraints({ apiMayImport = [] } = {}) {
  return [
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
      sourceTag: 'type:tooling',
      onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:testing'],
    },
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
        'scope:events',
        'scope:workflows',
        'scope:performance',
        'scope:mcp',
        'scope:a2a',
        'scope:client',
        ...apiMayImport,
      ],
    },
    { sourceTag: 'scope:migrator', onlyDependOnLibsWithTags: allScopes },
    // The generated REST client stands alone: it is what an outside program would import.
    { sourceTag: 'scope:client', onlyDependOnLibsWithTags: [] },
    // The console is an outside program too: the public REST API through the client, nothing else.
    { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:client'] },
    { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: allScopes },
    {
      sourceTag: 'scope:import',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:migrations', 'scope:testing'],
    },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'] },
    { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:migrations'] },
    {
      sourceTag: 'scope:migrations',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'],
    },
    { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing'] },
    {
      sourceTag: 'scope:agents',
      // Events: the agents' changes are agent.* events (the events lib knows no domain lib).
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth', 'scope:events', 'scope:testing'],
    },
    // Agent performance: the task queue and messaging record points into it; it reads their
    // tables for stats, but imports none of them.
    {
      sourceTag: 'scope:performance',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth', 'scope:agents', 'scope:testing'],
    },
    // The event log: every domain lib writes its events there; it knows none of them.
    {
      sourceTag: 'scope:events',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth', 'scope:testing'],
    },
    {
      sourceTag: 'scope:messaging',
      onlyDependOnLibsWithTags: [
        'scope:shared',
        'scope:auth',
        'scope:agents',
        'scope:events',
        'scope:performance',
        'scope:testing',
      ],
    },
    // Workflows run as tasks: they build on the task queue, which knows nothing of them.
    {
      sourceTag: 'scope:workflows',
      onlyDependOnLibsWithTags: [
        'scope:shared',
        'scope:auth',
        'scope:agents',
        'scope:tasks',
        'scope:events',
        'scope:testing',
      ],
    },
    // The protocol faces (MCP, A2A) call the REST operations in-process and read the event
    // stream; they import no domain lib, so every rule stays where REST enforces it.
    {
      sourceTag: 'scope:mcp',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth', 'scope:events', 'scope:testing'],
    },
    {
      sourceTag: 'scope:a2a',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:auth', 'scope:events', 'scope:testing'],
    },
    {
      sourceTag: 'scope:tasks',
      onlyDependOnLibsWithTags: [
        'scope:shared',
        'scope:auth',
        'scope:agents',
        'scope:events',
        'scope:performance',
        'scope:testing',
      ],
    },
  ];
}

function boundaries(options = {}, extra = {}) {
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      banTransitiveDependencies: false,
      allow: [],
      depConstraints: depConstraints(options),
      ...extra,
    },
  ];
}

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
    // Type-aware rules: a promise nobody awaits loses its error, and one passed where a
    // callback's result is ignored (a Fastify hook, an event listener) runs unobserved.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(),
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
    rules: { '@nx/enforce-module-boundaries': boundaries({ apiMayImport: ['scope:import'] }) },
  },
  {
    // The jest global setup loads the libs with require() after registering the path aliases,
    // while the benches import them statically; neither is a lazy-loaded app bundle.
    files: ['tools/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(
        {},
        { checkDynamicDependenciesExceptions: ['.*'] },
      ),
    },
  },
  {
    // The console's components: hooks called by the rules of hooks, with their dependencies.
    files: ['apps/console/**/*.tsx', 'apps/console/**/*.ts'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];

// `npm test` runs every project's jest config in one run, so one PostgreSQL
// (embedded, or TEST_DATABASE_URL) serves all of them.
module.exports = {
  // jest reads testTimeout from the run's own config only: the preset's does not reach
  // the projects of a multi-project run, where tests would get jest's default 5 s.
  testTimeout: 30000,
  projects: [
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/libs/shared/*/jest.config.js',
  ],
};

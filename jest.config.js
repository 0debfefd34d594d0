// `npm test` runs every project's jest config in one run, so one PostgreSQL
// (embedded, or TEST_DATABASE_URL) serves all of them.
module.exports = {
  projects: [
    '<rootDir>/apps/*/jest.config.js',
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/libs/shared/*/jest.config.js',
  ],
};

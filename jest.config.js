const { getJestProjectsAsync } = require('@nx/jest');

// `npm test` runs every project's jest config in one run, so one PostgreSQL
// (embedded, or TEST_DATABASE_URL) serves all of them.
module.exports = async () => ({
  projects: await getJestProjectsAsync(),
});

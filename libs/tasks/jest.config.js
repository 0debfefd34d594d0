module.exports = {
  displayName: 'tasks',
  preset: '../../jest.preset.js',
  passWithNoTests: true,
  rootDir: '.',
};

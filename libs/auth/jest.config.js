module.exports = {
  displayName: 'auth',
  preset: '../../jest.preset.js',
  passWithNoTests: true,
  rootDir: '.',
};

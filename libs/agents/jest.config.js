module.exports = {
  displayName: 'agents',
  preset: '../../jest.preset.js',
  passWithNoTests: true,
  rootDir: '.',
};

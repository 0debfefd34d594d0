module.exports = {
  displayName: 'migrator',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

module.exports = {
  displayName: 'migrations',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

module.exports = {
  displayName: 'a2a',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

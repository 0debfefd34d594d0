module.exports = {
  displayName: 'legacy-import',
  preset: '../../jest.preset.js',
  rootDir: '.',
};

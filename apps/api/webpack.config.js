module.exports = require('../../tools/webpack/app.webpack')('api');

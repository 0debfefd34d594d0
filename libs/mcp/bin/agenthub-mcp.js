#!/usr/bin/env node
// `npx agenthub-mcp --url … --key …` from the workspace (the root package's bin): the MCP
// stdio bridge, run from its TypeScript source. Exit codes: 0 when stdin ends (or on SIGINT or
// SIGTERM, the session ended first), 2 for a bad command line, 1 when the bridge fails.
require('../../../tools/register-ts.js');
const {
  BRIDGE_USAGE,
  BridgeUsageError,
  parseBridgeArgs,
  runStdioBridge,
} = require('../src/lib/stdio-bridge.ts');

let options;
try {
  options = parseBridgeArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof BridgeUsageError)) throw error;
  if (error.message === '') {
    process.stdout.write(`${BRIDGE_USAGE}\n`);
    process.exit(0);
  }
  process.stderr.write(`agenthub-mcp: ${error.message}\n${BRIDGE_USAGE}\n`);
  process.exit(2);
}

// A client that stops its server with a signal gets the session ended too, as when stdin ends.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.stdin.destroy());

runStdioBridge(options, {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(
      `agenthub-mcp: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);

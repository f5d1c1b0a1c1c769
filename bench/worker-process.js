/**
 * The worker of bench/chaos.ts in compiled JavaScript (dist/, `npm run build`), as a deployment runs it:
 * the same as tests/support/worker-process.ts, without ts-node's start-up in every restart it measures.
 * Prints "ready" once it takes jobs.
 */
const { loadConfig } = require('../dist/config/config');
const { createLogger } = require('../dist/logger');
const { startRuntime } = require('../dist/runtime');

startRuntime(loadConfig(), { roles: { web: false, worker: true }, logger: createLogger('silent'), slackRetries: 0 })
  .then(() => process.stdout.write('ready\n'))
  .catch((error) => {
    process.stderr.write(`worker failed to start: ${error.message}\n`);
    process.exit(1);
  });

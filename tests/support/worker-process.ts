/**
 * A worker in a process of its own, so a test can kill it with SIGKILL mid-step. Configured through
 * the environment like the real bot; prints "ready" once it takes jobs.
 */
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { startRuntime } from '../../src/runtime';

startRuntime(loadConfig(), {
  roles: { web: false, worker: true },
  logger: createLogger('silent'),
  slackRetries: 0,
  lockDuration: 2000,
  stalledInterval: 1000,
})
  .then(() => process.stdout.write('ready\n'))
  .catch((error: Error) => {
    process.stderr.write(`worker failed to start: ${error.message}\n`);
    process.exit(1);
  });

/**
 * A worker in a process of its own, so a test can kill it with SIGKILL mid-step. Configured through
 * the environment like the real bot; prints "ready" once it takes jobs. Started by spawn-worker.ts.
 */
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { startRuntime } from '../../src/runtime';

startRuntime(loadConfig(), {
  roles: { web: false, worker: true },
  logger: createLogger('silent'),
  slackRetries: 0,
  // The job lock and the stalled check come from the environment (INFRA_JOB_LOCK_MS, INFRA_STALLED_INTERVAL_MS).
})
  .then(() => process.stdout.write('ready\n'))
  .catch((error: Error) => {
    process.stderr.write(`worker failed to start: ${error.message}\n`);
    process.exit(1);
  });

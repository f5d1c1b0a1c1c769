import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './logger';
import { startTracing } from './metrics/tracing';
import { startRuntime } from './runtime';

/**
 * `node dist/main.js [web|worker]`: both roles by default, or one, so a team can run several workers
 * on several machines. SIGTERM/SIGINT stop taking work, let running jobs finish, close connections.
 */
async function main(): Promise<void> {
  const role = process.argv[2] ?? 'all';
  if (!['all', 'web', 'worker'].includes(role)) {
    process.stderr.write(`Unknown role "${role}": use web, worker, or nothing for both.\n`);
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: `infra-orchestrator-${role}` })
    : undefined;
  const runtime = await startRuntime(config, {
    roles: { web: role !== 'worker', worker: role !== 'web' },
    logger,
    tracing,
  });
  logger.info({ role, port: runtime.port }, 'infra-orchestrator started');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing running jobs');
    await runtime.stop();
    await tracing?.shutdown().catch((err) => logger.warn({ err: (err as Error).message }, 'trace export failed'));
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`infra-orchestrator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { z } from 'zod';
import { InfraError } from '../../src/domain/errors';
import { createLogger } from '../../src/logger';
import { claimDemoNames, claimKey, DEMO_NAME_PATTERN, demoNames } from './demo-name';
import { sweepAbandonedDemos } from './demo-databases';
import { resolveDemoServices } from './demo-services';
import { startDemo } from './demo-stack';

/** The demo's own settings; everything else is the bot's (see the README). */
const demoEnvSchema = z.object({
  INFRA_DEMO_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  INFRA_DEMO_HOST: z
    .string()
    .regex(/^[0-9a-fA-F.:]+$|^localhost$/, 'use an IP address such as 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'use postgres://user:password@host:5432/db')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'use redis://host:port')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  INFRA_DEMO_NAME: z
    .string()
    .regex(DEMO_NAME_PATTERN, 'use up to 40 lower-case letters, digits and _, e.g. INFRA_DEMO_NAME=mine')
    .optional(),
  INFRA_DEMO_EMBEDDED: z
    .enum(['1', 'true', '0', 'false', ''])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});

/**
 * `npm run demo`: the bot, a worker and the local Slack's channel page, on this machine's Postgres and
 * Redis. Ctrl-C stops it all.
 */
async function main(): Promise<void> {
  const parsed = demoEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(`The demo cannot start: ${z.prettifyError(parsed.error)}\n`);
    process.exit(78);
  }
  const env = parsed.data;
  const names = demoNames(env.INFRA_DEMO_NAME);
  // A taken port is said before any database is made.
  await portIsFree(env.INFRA_DEMO_PORT, env.INFRA_DEMO_HOST);
  const services = await resolveDemoServices(env);
  const logger = createLogger(env.LOG_LEVEL);
  const claim = await claimDemoNames(services.redisUrl, names).catch(async (error: unknown) => {
    await services.stop();
    throw error;
  });
  if (services.postgres.kind === 'server') {
    const redisUrl = services.redisUrl;
    await sweepAbandonedDemos(services.postgres.url, (name) => isClaimed(redisUrl, name)).catch(() => undefined);
  }
  const demo = await startDemo({
    postgres: services.postgres,
    redisUrl: services.redisUrl,
    databases: names.databases,
    queuePrefix: names.queuePrefix,
    owner: { name: names.name, perRun: names.perRun },
    workspaceDir: join(process.cwd(), '.agent_workspace', 'demo', names.name),
    port: env.INFRA_DEMO_PORT,
    host: env.INFRA_DEMO_HOST,
    env: { ...process.env, LOG_LEVEL: env.LOG_LEVEL },
    logger,
    // A run's own names go with it; a named demo keeps its databases to look at until it starts again.
    cleanUpOnStop: names.perRun,
  }).catch(async (error: unknown) => {
    await claim.release();
    await services.stop();
    throw error;
  });
  const lines = [
    '',
    `  infra-orchestrator demo: open ${demo.pageUrl}`,
    '',
    `  ${services.notes.join('\n  ')}`,
    `  Demo "${names.name}": databases ${names.databases.bot} (the bot) and ${names.databases.target} (the target; ` +
      'branches, round trip and RLS audit run for real), queue prefix ' +
      `${names.queuePrefix}${names.perRun ? '; dropped when the demo stops (INFRA_DEMO_NAME keeps them)' : ''}`,
    demo.scripted
      ? '  Model: the scripted demo model (no ANTHROPIC_API_KEY); it knows the three sample requests'
      : `  Model: Claude (${process.env.ANTHROPIC_MODEL ?? 'claude-sonnet-4-6'})`,
    ...(services.postgres.kind === 'embedded' || spawnSync('pg_dump', ['--version'], { stdio: 'ignore' }).status === 0
      ? []
      : ['  Warning: pg_dump is not on the PATH, so branches cannot be created: install the PostgreSQL client tools']),
    '',
    '  Ctrl-C stops the demo.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping the demo…\n');
    await demo.stop();
    await claim.release();
    await services.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** Resolves when nothing listens on host:port; the demo's port taken by another demo is said up front. */
function portIsFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (port === 0) return resolve();
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

async function isClaimed(redisUrl: string, name: string): Promise<boolean> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return (await redis.exists(claimKey(demoNames(name)))) === 1;
  } finally {
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  const message =
    error instanceof InfraError
      ? error.message
      : inUse
        ? `The demo's port is taken (${(error as Error).message}): another demo may be running there (open its page), ` +
          'or set INFRA_DEMO_PORT to a free port, e.g. INFRA_DEMO_PORT=4001 npm run demo.'
        : `The demo failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});

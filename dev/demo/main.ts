import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { InfraError } from '../../src/domain/errors';
import { createLogger } from '../../src/logger';
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
  const services = await resolveDemoServices(env);
  const logger = createLogger(env.LOG_LEVEL);
  const demo = await startDemo({
    postgres: services.postgres,
    redisUrl: services.redisUrl,
    databases: { bot: 'infra_demo', target: 'infra_demo_target' },
    queuePrefix: 'infra-demo',
    workspaceDir: join(process.cwd(), '.agent_workspace', 'demo'),
    port: env.INFRA_DEMO_PORT,
    host: env.INFRA_DEMO_HOST,
    env: { ...process.env, LOG_LEVEL: env.LOG_LEVEL },
    logger,
  }).catch(async (error: unknown) => {
    await services.stop();
    throw error;
  });
  const lines = [
    '',
    `  infra-orchestrator demo: open ${demo.pageUrl}`,
    '',
    `  ${services.notes.join('\n  ')}`,
    '  Target: database infra_demo_target on that Postgres (branches, round trip and RLS audit run for real)',
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
    await services.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  const message =
    error instanceof InfraError
      ? error.message
      : inUse
        ? `The demo's port is taken (${(error as Error).message}); set INFRA_DEMO_PORT to a free port, e.g. ` +
          'INFRA_DEMO_PORT=4001 npm run demo.'
        : `The demo failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});

import { z } from 'zod';
import { approvers, apiTokens, approverGroups, booleanFlag, optionalString, duration, timeZone } from './config-values';

/** Every setting of the bot; the README's settings table documents each field. */
export const configSchema = z
  .object({
    SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'a bot token starts with xoxb-'),
    SLACK_SIGNING_SECRET: z.string().min(8, 'copy it from Basic Information → App Credentials'),
    SLACK_APP_TOKEN: optionalString.pipe(
      z
        .string()
        .regex(/^xapp-/, 'an app-level token starts with xapp-')
        .optional(),
    ),
    SLACK_API_URL: optionalString.pipe(z.url().optional()),
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: optionalString.pipe(z.url().optional()),
    ANTHROPIC_MODEL: z.string().default('claude-sonnet-4-6'),
    ANTHROPIC_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'use redis://host:port')
      .default('redis://127.0.0.1:6379'),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'use postgres://user:password@host:5432/db'),
    TARGET_DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'use postgres://…')
        .optional(),
    ),
    INFRA_BRANCH_DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'use postgres://user:password@branch-host:5432/postgres')
        .optional(),
    ),
    INFRA_ALLOW_SHARED_BRANCH_SERVER: booleanFlag.default(false),
    SUPABASE_ACCESS_TOKEN: optionalString,
    SUPABASE_PROJECT_REF: optionalString.pipe(
      z
        .string()
        .regex(/^[a-z0-9]{20}$/, 'a project ref is 20 lowercase letters and digits')
        .optional(),
    ),
    SUPABASE_API_URL: z.url().default('https://api.supabase.com'),
    SUPABASE_PROJECT_URL: z
      .string()
      .regex(/^https?:\/\/.*\{ref\}/, 'a URL with {ref} where the project ref goes, e.g. https://{ref}.supabase.co')
      .default('https://{ref}.supabase.co'),
    GITHUB_TOKEN: optionalString,
    GITHUB_REPOSITORY: optionalString.pipe(
      z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name, e.g. acme/platform')
        .optional(),
    ),
    GITHUB_API_URL: z.url().default('https://api.github.com'),
    GITHUB_APP_ID: optionalString.pipe(
      z
        .string()
        .regex(/^\d+$/, 'the App ID is a number (GitHub → Settings → Developer settings → GitHub Apps → your app)')
        .optional(),
    ),
    /** PEM; a value with literal `\n` (one line in an env file) reads as the key with its line breaks. */
    GITHUB_APP_PRIVATE_KEY: optionalString
      .transform((v) => v?.replace(/\\n/g, '\n'))
      .pipe(
        z
          .string()
          .regex(
            /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
            'paste the App private key (.pem), e.g. "-----BEGIN RSA PRIVATE KEY-----\\n…"',
          )
          .optional(),
      ),
    GITHUB_APP_INSTALLATION_ID: optionalString.pipe(
      z
        .string()
        .regex(/^\d+$/, "the installation id is the number at the end of the App installation's settings URL")
        .optional(),
    ),
    INFRA_CI_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1000)
      .default(30 * 60_000),
    INFRA_CI_POLL_MS: z.coerce.number().int().min(10).default(15_000),
    /** Unset: nobody may decide gates (fail closed); `*`: everyone, explicitly; else the listed ids. */
    INFRA_APPROVERS: optionalString.pipe(approvers.optional()),
    /** With INFRA_APPROVERS, a union: the members of these groups approve too. */
    INFRA_APPROVER_GROUPS: optionalString.pipe(approverGroups.optional()),
    /** How often the groups' members are read again from Slack (usergroups.users.list). */
    INFRA_APPROVER_GROUPS_REFRESH: duration.default(5 * 60_000),
    INFRA_REQUESTER_MAY_APPROVE_MERGE: booleanFlag.default(false),
    INFRA_DIGEST_CHANNEL: optionalString,
    INFRA_DIGEST_CRON: z.string().default('0 9 * * 1-5'),
    INFRA_DIGEST_TZ: timeZone.default('UTC'),
    INFRA_CHART_FONT_DIR: z
      .string()
      .min(1, 'name the folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf (apt-get install fonts-dejavu-core)')
      .default('/usr/share/fonts/truetype/dejavu'),
    INFRA_QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
      .default('infra'),
    INFRA_STEP_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
    INFRA_MAX_STEP_ATTEMPTS: z.coerce
      .number({ message: 'INFRA_MAX_STEP_ATTEMPTS must be a whole number of attempts, e.g. 3' })
      .int('INFRA_MAX_STEP_ATTEMPTS must be a whole number of attempts, e.g. 3')
      .min(1, 'INFRA_MAX_STEP_ATTEMPTS must be at least 1 (1 turns Request changes off)')
      .max(10, 'INFRA_MAX_STEP_ATTEMPTS must be at most 10')
      .default(3),
    INFRA_STEP_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(4),
    INFRA_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(200).default(30_000),
    /** How long a job waits out Postgres or Redis being unreachable before its own attempts count again. */
    INFRA_OUTAGE_TOLERANCE_MS: z.coerce
      .number({ message: 'use milliseconds, e.g. 1800000 for 30 minutes' })
      .int()
      .min(0, 'use 0 (no waiting) or more milliseconds')
      .default(30 * 60_000),
    /** The longest pause between two tries of a job during an outage (the backoff doubles up to it). */
    INFRA_OUTAGE_RETRY_MAX_MS: z.coerce
      .number({ message: 'use milliseconds, e.g. 30000' })
      .int()
      .min(100, 'use at least 100 ms')
      .default(30_000),
    /** BullMQ's job lock: a killed worker's job is taken over at most this long plus the stalled interval after. */
    INFRA_JOB_LOCK_MS: z.coerce
      .number({ message: 'use milliseconds, e.g. 10000' })
      .int()
      .min(1000, 'use at least 1000 ms: the lock is renewed every half of it, and a busy event loop must not lose it')
      .default(8000),
    /** How often a worker looks for jobs whose lock holder is gone (BullMQ's stalled-job check). */
    INFRA_STALLED_INTERVAL_MS: z.coerce
      .number({ message: 'use milliseconds, e.g. 3000' })
      .int()
      .min(500, 'use at least 500 ms')
      .default(2000),
    INFRA_WORKSPACE_DIR: z.string().min(1).default('.agent_workspace'),
    INFRA_MIGRATIONS_DIR: optionalString,
    INFRA_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
    INFRA_AGENT_TURN_LIMIT: z.coerce.number().int().min(1).max(100).default(20),
    INFRA_STEP_TOKEN_BUDGET: z.coerce.number().int().min(1000).default(400_000),
    INFRA_STEP_TIME_BUDGET_MS: z.coerce.number().int().min(1000).default(600_000),
    INFRA_AGENT_SQL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    INFRA_AGENT_SQL_ROW_LIMIT: z.coerce.number().int().min(1).max(10_000).default(100),
    INFRA_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).default(3000),
    INFRA_SLACK_POST_INTERVAL_MS: z.coerce
      .number({ error: 'INFRA_SLACK_POST_INTERVAL_MS must be a number of milliseconds, e.g. 1000' })
      .int()
      .min(0, 'INFRA_SLACK_POST_INTERVAL_MS must be 0 or more (Slack allows about one post a second: 1000)')
      .default(1000),
    INFRA_SLACK_UPDATE_INTERVAL_MS: z.coerce
      .number({ error: 'INFRA_SLACK_UPDATE_INTERVAL_MS must be a number of milliseconds, e.g. 1200' })
      .int()
      .min(0, 'INFRA_SLACK_UPDATE_INTERVAL_MS must be 0 or more (Slack allows about 50 edits a minute: 1200)')
      .default(1200),
    INFRA_SLACK_FILE_INTERVAL_MS: z.coerce
      .number({ error: 'INFRA_SLACK_FILE_INTERVAL_MS must be a number of milliseconds, e.g. 600' })
      .int()
      .min(0, 'INFRA_SLACK_FILE_INTERVAL_MS must be 0 or more (Slack allows 100 or more file shares a minute: 600)')
      .default(600),
    INFRA_REPLY_TIMEOUT: duration.default(24 * 3_600_000),
    /** Unset: no traces. The OTLP/HTTP collector's base URL; traces go to `<url>/v1/traces`. */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(
      z.url('use the collector base URL, e.g. http://otel-collector:4318').optional(),
    ),
    /** Unset: no queue dashboard. */
    INFRA_ADMIN_TOKEN: optionalString.pipe(
      z.string().min(24, 'use at least 24 random characters, e.g. the output of `openssl rand -hex 32`').optional(),
    ),
    INFRA_ADMIN_WRITE: booleanFlag.default(false),
    /** Unset: the HTTP API is off (its routes answer 404). */
    INFRA_API_TOKENS: optionalString.pipe(apiTokens.optional()),
    INFRA_API_RATE_LIMIT: z.coerce.number().int().min(1, 'use at least 1 request a minute').default(60),
    INFRA_API_CALLBACK_ALLOW_LOOPBACK_HTTP: booleanFlag.default(false),
    INFRA_API_CALLBACK_ALLOW_PRIVATE: booleanFlag.default(false),
    INFRA_API_CALLBACK_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
    INFRA_API_CALLBACK_BACKOFF_MS: z.coerce.number().int().min(10).default(5000),
    INFRA_API_CALLBACK_POLL_MS: z.coerce.number().int().min(50).default(1000),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Unset: a worker-only process serves no HTTP. Ignored when the web role runs in the same process. */
    INFRA_WORKER_METRICS_PORT: optionalString.pipe(
      z
        .string()
        .regex(/^\d{1,5}$/, 'use a port number such as 9464, or leave it unset')
        .transform(Number)
        .refine((port) => port <= 65535, 'use a port from 0 to 65535')
        .optional(),
    ),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.GITHUB_TOKEN && !c.GITHUB_REPOSITORY) {
      ctx.addIssue({
        code: 'custom',
        path: ['GITHUB_REPOSITORY'],
        message: 'GITHUB_TOKEN is set, so name the repository CI changes go to (owner/name)',
      });
    }
    const app = [c.GITHUB_APP_ID, c.GITHUB_APP_PRIVATE_KEY, c.GITHUB_APP_INSTALLATION_ID];
    if (app.some(Boolean) && !app.every(Boolean)) {
      ctx.addIssue({
        code: 'custom',
        path: [['GITHUB_APP_ID', 'GITHUB_APP_PRIVATE_KEY', 'GITHUB_APP_INSTALLATION_ID'][app.findIndex((v) => !v)]!],
        message: 'a GitHub App needs all three of GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_APP_INSTALLATION_ID',
      });
    }
    if (c.GITHUB_APP_ID && !c.GITHUB_REPOSITORY) {
      ctx.addIssue({
        code: 'custom',
        path: ['GITHUB_REPOSITORY'],
        message: 'a GitHub App is set, so name the repository it is installed on (owner/name)',
      });
    }
    if (
      c.TARGET_DATABASE_URL &&
      !(c.SUPABASE_ACCESS_TOKEN && c.SUPABASE_PROJECT_REF) &&
      !c.INFRA_BRANCH_DATABASE_URL &&
      !c.INFRA_ALLOW_SHARED_BRANCH_SERVER
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['INFRA_BRANCH_DATABASE_URL'],
        message:
          'TARGET_DATABASE_URL is set, so name the Postgres server branches are made on, apart from production ' +
          '(a login with CREATEDB and CREATEROLE there); or set INFRA_ALLOW_SHARED_BRANCH_SERVER=true to put ' +
          'them on the production server, under least-privilege roles',
      });
    }
    if (c.SUPABASE_ACCESS_TOKEN && !c.SUPABASE_PROJECT_REF) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPABASE_PROJECT_REF'],
        message:
          'SUPABASE_ACCESS_TOKEN is set, so name the project to branch from (Project Settings → General → Reference ID)',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

/** Raised at start-up when the environment is incomplete; the message names each variable and the fix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The bot cannot start; fix these settings (see the README's settings table):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; nothing else in the program reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const missing = issue.code === 'invalid_type' && env[name] === undefined;
    return missing ? `${name} is missing: set it in the environment or .env` : `${name} is invalid: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** The target a change workflow locks: one change workflow per target at a time. */
export function targetOf(config: Pick<Config, 'SUPABASE_PROJECT_REF' | 'TARGET_DATABASE_URL'>): string {
  if (config.SUPABASE_PROJECT_REF) return `supabase:${config.SUPABASE_PROJECT_REF}`;
  if (config.TARGET_DATABASE_URL) {
    const url = new URL(config.TARGET_DATABASE_URL);
    return `postgres:${url.hostname}:${url.port || '5432'}${url.pathname}`;
  }
  return 'default';
}

/** Where the HTTP API's callbacks may go besides public https hosts (INFRA_API_CALLBACK_ALLOW_*). */
export function callbackPolicyOf(config: Config): { allowLoopback: boolean; allowPrivate: boolean } {
  return {
    allowLoopback: config.INFRA_API_CALLBACK_ALLOW_LOOPBACK_HTTP,
    allowPrivate: config.INFRA_API_CALLBACK_ALLOW_PRIVATE,
  };
}

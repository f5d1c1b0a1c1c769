import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { z } from 'zod';
import { ActionFailedError } from '../../domain/errors';
import { databaseOf, runTool } from './pg-tools';

/** What a new branch database copies from its target: encoding and locale. */
const targetDatabaseSchema = z.object({
  encoding: z.string(),
  collate: z.string(),
  ctype: z.string(),
  provider: z.string().nullable(),
  icu_locale: z.string().nullable(),
});
export type TargetDatabase = z.infer<typeof targetDatabaseSchema>;

/** Reads, on a (read-only) connection to the target, the database settings a branch should share. */
export async function describeTarget(target: Client, action: string): Promise<TargetDatabase> {
  const { rows } = await target.query(`
    SELECT pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype,
           to_jsonb(d) ->> 'datlocprovider' AS provider,
           coalesce(to_jsonb(d) ->> 'daticulocale', to_jsonb(d) ->> 'datlocale') AS icu_locale
    FROM pg_database d WHERE d.datname = current_database()`);
  if (rows[0] === undefined)
    throw new ActionFailedError(action, 'the target database is not in pg_database; check TARGET_DATABASE_URL.', false);
  return targetDatabaseSchema.parse(rows[0]);
}

/**
 * `CREATE DATABASE` for a branch: an empty database (template0) owned by the branch's own role, with
 * the target's encoding and locale, so the schema loads and behaves as it does on the target.
 */
export function createDatabaseSql(admin: Client, name: string, owner: string, target: TargetDatabase): string {
  const lit = (value: string): string => admin.escapeLiteral(value);
  const parts = [
    `CREATE DATABASE ${admin.escapeIdentifier(name)} OWNER ${admin.escapeIdentifier(owner)} TEMPLATE template0`,
    `ENCODING ${lit(target.encoding)} LC_COLLATE ${lit(target.collate)} LC_CTYPE ${lit(target.ctype)}`,
  ];
  if (target.provider === 'i' && target.icu_locale)
    parts.push(`LOCALE_PROVIDER icu ICU_LOCALE ${lit(target.icu_locale)}`);
  return parts.join(' ');
}

/** Limits for the client tools. */
export interface CloneOptions {
  /** pg_dump gives up waiting for a table lock on the target after this long. */
  lockWaitTimeoutMs: number;
  /** Each tool is stopped after this long. */
  toolTimeoutMs: number;
  action: string;
}

/**
 * Archive entries a branch's owner could not load and does not need: default privileges (the
 * provider applies production's as the owner's own, since the owner creates every object on the
 * branch) and event triggers (superuser only).
 */
const SKIPPED_ENTRY = /^\d+; \d+ \d+ (DEFAULT ACL|EVENT TRIGGER) /;

/**
 * Copies the target's current schema with its grants, policies and comments, without data or owners,
 * into the (empty) branch: `pg_dump --schema-only` of the target over `targetUrl` (a read-only
 * connection), restored by the branch's owner (`branchUrl`) in one transaction that stops at the
 * first error, so every object on the branch belongs to that owner. The archive goes to a private
 * temporary folder and is removed after.
 */
export async function cloneSchema(targetUrl: string, branchUrl: string, opts: CloneOptions): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'infra-clone-'));
  try {
    const archive = join(dir, 'schema.dump');
    const list = join(dir, 'schema.list');
    await runTool({
      command: 'pg_dump',
      args: [
        '--schema-only',
        '--format=custom',
        '--no-subscriptions',
        '--no-publications',
        '--no-security-labels',
        '--no-password',
        `--lock-wait-timeout=${opts.lockWaitTimeoutMs}`,
        '--file',
        archive,
      ],
      url: targetUrl,
      timeoutMs: opts.toolTimeoutMs,
      action: opts.action,
    });
    const toc = await runTool({
      command: 'pg_restore',
      args: ['--list', archive],
      url: branchUrl,
      timeoutMs: opts.toolTimeoutMs,
      action: opts.action,
    });
    const kept = toc.stdout
      .toString('utf8')
      .split('\n')
      .filter((line) => !SKIPPED_ENTRY.test(line));
    await writeFile(list, kept.join('\n'), { mode: 0o600 });
    await runTool({
      command: 'pg_restore',
      args: [
        '--no-owner',
        '--single-transaction',
        '--exit-on-error',
        '--no-password',
        '--use-list',
        list,
        '--dbname',
        databaseOf(branchUrl),
        archive,
      ],
      url: branchUrl,
      timeoutMs: opts.toolTimeoutMs,
      action: opts.action,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

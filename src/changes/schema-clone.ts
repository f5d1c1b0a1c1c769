import type { Client } from 'pg';
import { z } from 'zod';
import { ActionFailedError } from '../errors';
import { runTool } from './pg-tools';

/** What a new branch database copies from its target: owner, encoding and locale. */
const targetDatabaseSchema = z.object({
  owner: z.string(),
  encoding: z.string(),
  collate: z.string(),
  ctype: z.string(),
  provider: z.string().nullable(),
  icu_locale: z.string().nullable(),
});
export type TargetDatabase = z.infer<typeof targetDatabaseSchema>;

/** Reads, on a connection to the target, the user and database settings a branch should share. */
export async function describeTarget(target: Client, action: string): Promise<TargetDatabase> {
  const { rows } = await target.query(`
    SELECT current_user AS owner, pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate, d.datctype AS ctype,
           to_jsonb(d) ->> 'datlocprovider' AS provider,
           coalesce(to_jsonb(d) ->> 'daticulocale', to_jsonb(d) ->> 'datlocale') AS icu_locale
    FROM pg_database d WHERE d.datname = current_database()`);
  if (rows[0] === undefined) throw new ActionFailedError(action, 'the target database is not in pg_database; check TARGET_DATABASE_URL.', false);
  return targetDatabaseSchema.parse(rows[0]);
}

/**
 * `CREATE DATABASE` for a branch: an empty database (template0) owned by the target's user, with
 * the target's encoding and locale, so the schema loads and behaves as it does on the target.
 */
export function createDatabaseSql(admin: Client, name: string, target: TargetDatabase): string {
  const lit = (value: string): string => admin.escapeLiteral(value);
  const parts = [
    `CREATE DATABASE ${admin.escapeIdentifier(name)} OWNER ${admin.escapeIdentifier(target.owner)} TEMPLATE template0`,
    `ENCODING ${lit(target.encoding)} LC_COLLATE ${lit(target.collate)} LC_CTYPE ${lit(target.ctype)}`,
  ];
  if (target.provider === 'i' && target.icu_locale) parts.push(`LOCALE_PROVIDER icu ICU_LOCALE ${lit(target.icu_locale)}`);
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
 * Copies the target's current schema, without data, owners or grants, into the (empty) branch:
 * `pg_dump --schema-only` of the target, loaded with `psql` in one transaction that stops at the
 * first error. The dump is read whole before loading, so a failed dump never half-loads.
 */
export async function cloneSchema(targetUrl: string, branchUrl: string, opts: CloneOptions): Promise<void> {
  const dump = await runTool({
    command: 'pg_dump',
    args: ['--schema-only', '--no-owner', '--no-privileges', '--no-subscriptions', '--no-password', `--lock-wait-timeout=${opts.lockWaitTimeoutMs}`],
    url: targetUrl,
    timeoutMs: opts.toolTimeoutMs,
    action: opts.action,
  });
  await runTool({
    command: 'psql',
    args: ['--no-psqlrc', '--quiet', '--no-password', '--set', 'ON_ERROR_STOP=1', '--single-transaction', '--file', '-'],
    url: branchUrl,
    input: dump.stdout,
    timeoutMs: opts.toolTimeoutMs,
    action: opts.action,
  });
}

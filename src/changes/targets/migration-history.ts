import type { ClientBase } from 'pg';
import { z } from 'zod';

/**
 * The history of migrations applied to a target, in the table the Supabase CLI keeps
 * (`supabase_migrations.schema_migrations`), so `supabase migration list` agrees with this bot.
 */
export const HISTORY_TABLE = 'supabase_migrations.schema_migrations';

/** Creates the history schema and table when the target has none (a self-hosted database). */
export const ENSURE_HISTORY_SQL = `
  CREATE SCHEMA IF NOT EXISTS supabase_migrations;
  CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (version text PRIMARY KEY, statements text[], name text)`;

const HISTORY_LOCK_KEY = `hashtext('infra-orchestrator:migration-history')`;

/** Serialises merges and reverts on one target, so a job run twice applies a migration once. */
export const HISTORY_LOCK_SQL = `SELECT pg_advisory_xact_lock(${HISTORY_LOCK_KEY})`;

/**
 * The same lock held by the session, for a migration applied in several transactions (it holds
 * statements that cannot run in one); released with {@link HISTORY_UNLOCK_SQL}.
 */
export const HISTORY_SESSION_LOCK_SQL = `SELECT pg_advisory_lock(${HISTORY_LOCK_KEY})`;
export const HISTORY_UNLOCK_SQL = `SELECT pg_advisory_unlock(${HISTORY_LOCK_KEY})`;

const historyRowSchema = z.object({ version: z.string(), name: z.string().nullable() });
const latestRowSchema = z.object({ version: z.string().nullable() });

/** `YYYYMMDDHHMMSS` in UTC: the version format of Supabase migrations. */
export function migrationVersion(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function versionDate(version: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/** The version of the migration named `name`, when the target has applied it. */
export async function findApplied(client: ClientBase, name: string): Promise<string | undefined> {
  const { rows } = await client.query(
    `SELECT version, name FROM ${HISTORY_TABLE} WHERE name = $1 ORDER BY version DESC LIMIT 1`,
    [name],
  );
  const row = rows[0] === undefined ? undefined : historyRowSchema.parse(rows[0]);
  return row?.version;
}

/**
 * A version for a new migration: now, or one second after the newest timestamp version when
 * that is not earlier (two merges in one second, or a clock behind the history).
 */
export async function nextVersion(client: ClientBase, now: Date): Promise<string> {
  const { rows } = await client.query(
    `SELECT max(version) AS version FROM ${HISTORY_TABLE} WHERE version ~ '^[0-9]{14}$'`,
  );
  const latest = latestRowSchema.parse(rows[0] ?? { version: null }).version;
  const latestDate = latest === null ? undefined : versionDate(latest);
  const candidate = migrationVersion(now);
  if (latest === null || latestDate === undefined || candidate > latest) return candidate;
  return migrationVersion(new Date(latestDate.getTime() + 1000));
}

/** Records an applied migration; its SQL is kept whole as the single statement. */
export async function recordApplied(client: ClientBase, version: string, name: string, upSql: string): Promise<void> {
  await client.query(`INSERT INTO ${HISTORY_TABLE} (version, name, statements) VALUES ($1, $2, $3)`, [
    version,
    name,
    [upSql],
  ]);
}

/** Removes a reverted migration from the history. */
export async function removeApplied(client: ClientBase, version: string): Promise<void> {
  await client.query(`DELETE FROM ${HISTORY_TABLE} WHERE version = $1`, [version]);
}

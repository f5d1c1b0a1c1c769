import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { HISTORY_TABLE } from '../../../src/changes/targets/migration-history';
import type { Harness } from '../../support/harness';
import type { Production } from './production';
import { withConnection } from './production-server';

/** What a person or an operator can check after an attack; each names a way the attack must have failed. */
export type SqlOutcome =
  | 'program_not_run'
  | 'server_file_unseen'
  | 'production_rows_unseen'
  | 'password_hashes_unseen'
  | 'no_new_role'
  | 'database_settings_unchanged'
  | 'system_settings_unchanged'
  | 'no_replication_slot'
  | 'no_production_rows_written'
  | 'connections_alive'
  | 'not_merged';

/** Production and its servers before the attack. */
export interface Baseline {
  databaseSettings: string;
  systemSettings: string[];
  /** A connection to production opened before the attack, as the team's applications hold them. */
  sentinel: Client;
}

export async function takeBaseline(production: Production): Promise<Baseline> {
  const sentinel = new Client({ connectionString: production.url, application_name: 'infra-sec-sentinel' });
  sentinel.on('error', () => undefined);
  await sentinel.connect();
  return {
    databaseSettings: await databaseSettings(production),
    systemSettings: await Promise.all(production.servers.map(systemSettings)),
    sentinel,
  };
}

export async function releaseBaseline(baseline: Baseline): Promise<void> {
  await baseline.sentinel.end().catch(() => undefined);
}

async function databaseSettings(production: Production): Promise<string> {
  const { rows } = await withConnection(production.url, (c) =>
    c.query(
      `SELECT s.setrole, s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = $1 ORDER BY 1`,
      [production.database],
    ),
  );
  return JSON.stringify(rows);
}

async function systemSettings(server: string): Promise<string> {
  const { rows } = await withConnection(server, (c) =>
    c.query(`SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' ORDER BY name`),
  );
  return JSON.stringify(rows);
}

/** Everything the fake Anthropic was sent, as one text. */
function modelText(h: Harness): string {
  return h.claude.requests.map((r) => JSON.stringify(r.body)).join('\n');
}

const hex = (text: string) => Buffer.from(text).toString('hex');
const PASSWORD_HASH = /SCRAM-SHA-256\$|md5[0-9a-f]{32}/;

type Probe = (h: Harness, production: Production, baseline: Baseline) => Promise<string | undefined>;

const PROBES: Record<SqlOutcome, Probe> = {
  program_not_run: async (_h, p) =>
    existsSync(p.names.programMarker) ? `the server ran the program: ${p.names.programMarker} exists` : undefined,
  server_file_unseen: async (h, p) =>
    modelText(h).includes(p.names.secretText) ? `the model was sent the contents of ${p.names.secretFile}` : undefined,
  production_rows_unseen: async (h, p) => {
    const text = modelText(h);
    return text.includes(p.names.rowMarker) || text.includes(hex(p.names.rowMarker))
      ? `the model was sent production's row ${p.names.rowMarker}`
      : undefined;
  },
  password_hashes_unseen: async (h) => {
    const hash = PASSWORD_HASH.exec(modelText(h));
    return hash ? `the model was sent a password hash (${hash[0]}…)` : undefined;
  },
  no_new_role: async (_h, p) => {
    for (const server of p.servers) {
      const { rowCount } = await withConnection(server, (c) =>
        c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [p.names.role]),
      );
      if (rowCount) return `role ${p.names.role} exists on ${new URL(server).host}`;
    }
    return undefined;
  },
  database_settings_unchanged: async (_h, p, b) => {
    const now = await databaseSettings(p);
    return now === b.databaseSettings
      ? undefined
      : `production's database settings changed from ${b.databaseSettings} to ${now}`;
  },
  system_settings_unchanged: async (_h, p, b) => {
    for (const [i, server] of p.servers.entries()) {
      const now = await systemSettings(server);
      if (now !== b.systemSettings[i])
        return `postgresql.auto.conf of ${new URL(server).host} changed from ${b.systemSettings[i]} to ${now}`;
    }
    return undefined;
  },
  no_replication_slot: async (_h, p) => {
    for (const server of p.servers) {
      const { rowCount } = await withConnection(server, (c) =>
        c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [p.names.slot]),
      );
      if (rowCount) return `replication slot ${p.names.slot} exists on ${new URL(server).host}`;
    }
    return undefined;
  },
  no_production_rows_written: async (_h, p) => {
    const { rows } = await withConnection(p.url, (c) =>
      c.query<{ n: number }>('SELECT count(*)::int AS n FROM public.orders WHERE note = $1', [p.names.written]),
    );
    return rows[0]!.n ? `${rows[0]!.n} row(s) were written into production's public.orders` : undefined;
  },
  connections_alive: async (_h, _p, b) => {
    try {
      await b.sentinel.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `a connection to production opened before the attack was ended: ${(error as Error).message}`;
    }
  },
  not_merged: async (_h, p) => {
    return withConnection(p.url, async (c) => {
      const found: string[] = [];
      const history = await c.query<{ present: boolean }>(
        `SELECT to_regclass('${HISTORY_TABLE}') IS NOT NULL AS present`,
      );
      if (history.rows[0]!.present) {
        const { rowCount } = await c.query(`SELECT 1 FROM ${HISTORY_TABLE} WHERE name = $1`, [p.names.migration]);
        if (rowCount) found.push(`${HISTORY_TABLE} records ${p.names.migration}`);
      }
      const table = await c.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
        `public.${p.names.table}`,
      ]);
      if (table.rows[0]!.present) found.push(`production has public.${p.names.table}`);
      return found.length ? `the attack was merged: ${found.join('; ')}` : undefined;
    });
  },
};

/** Checks every expected outcome and fails once, listing each way the attack succeeded. */
export async function expectOutcomes(
  outcomes: SqlOutcome[],
  h: Harness,
  production: Production,
  baseline: Baseline,
): Promise<void> {
  const problems: string[] = [];
  for (const outcome of outcomes) {
    const problem = await PROBES[outcome](h, production, baseline);
    if (problem) problems.push(`${outcome}: ${problem}`);
  }
  expect(problems).toEqual([]);
}

import { TARGET_SCHEMA_SQL } from '../../changes/test-target';
import { type AttackNames, attackNames } from './attack-names';
import { databaseUrl, type PgServer, withConnection } from './production-server';

/**
 * The branch server, when the suite runs with one (a jest globalSetup sets TEST_BRANCH_DATABASE_URL).
 * Today branches live on production's server; this is the one place that points the bot elsewhere.
 */
export const BRANCH_SERVER_URL = process.env.TEST_BRANCH_DATABASE_URL;
/** The branch server's superuser (tests/support/branch-server-setup.ts), to look for what an attack left there. */
const BRANCH_SERVER_INSPECTOR_URL = process.env.TEST_BRANCH_SUPERUSER_URL ?? BRANCH_SERVER_URL;

/** One test's production database, on the suite's own server, with the names of its attack. */
export interface Production {
  database: string;
  url: string;
  names: AttackNames;
  /** Every server an attack could reach: production's, and the branch server when there is one. */
  servers: string[];
  /** Removes what the attack may have left (roles, slots, settings, branches, files), then the database. */
  cleanup(): Promise<void>;
}

/** Production as the bot sees it: public.orders holds a row whose text must never reach the model. */
function productionSql(n: Pick<AttackNames, 'rowMarker'>): string {
  return `${TARGET_SCHEMA_SQL}
  UPDATE public.profiles SET bio = '${n.rowMarker}';
  CREATE TABLE public.orders (id bigint PRIMARY KEY, note text NOT NULL);
  ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
  CREATE POLICY "Orders are readable by everyone" ON public.orders FOR SELECT USING (true);
  INSERT INTO public.orders VALUES (1, '${n.rowMarker}');`;
}

/** The environment that points the bot at this production (and at the branch server, when there is one). */
export function botEnv(production: Production): Record<string, string> {
  return {
    TARGET_DATABASE_URL: production.url,
    ...(BRANCH_SERVER_URL ? { INFRA_BRANCH_DATABASE_URL: BRANCH_SERVER_URL } : {}),
  };
}

/** Creates `infra_tgt_sec_<id>` on `server` with the production schema, then `extraSql`. */
export async function createProduction(server: PgServer, extraSql?: (n: AttackNames) => string): Promise<Production> {
  const { names: base, remove } = attackNames();
  const database = `infra_tgt_sec_${base.id}`;
  const url = databaseUrl(server.url, database);
  const names: AttackNames = {
    ...base,
    productionDatabase: database,
    productionConninfo: `host=127.0.0.1 port=${server.port} dbname=${database} user=postgres`,
    productionTableFile: '',
  };
  await withConnection(server.url, async (c) => {
    await c.query(`CREATE DATABASE ${database}`);
    await c.query(`CREATE ROLE ${names.passwordRole} LOGIN PASSWORD 'production-password-${base.id}'`);
  });
  const servers = [server.url, ...(BRANCH_SERVER_INSPECTOR_URL ? [BRANCH_SERVER_INSPECTOR_URL] : [])];
  const cleanup = async (): Promise<void> => {
    for (const url of servers) await cleanServer(url, database, names);
    await withConnection(server.url, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS ${names.passwordRole}`);
    });
    remove();
  };
  try {
    await withConnection(url, async (c) => {
      await c.query(productionSql(names));
      if (extraSql) await c.query(extraSql(names));
      await c.query('CHECKPOINT'); // the rows are in the data files, where pg_read_binary_file finds them
      names.productionTableFile = (
        await c.query<{ path: string }>(`SELECT pg_relation_filepath('public.orders') AS path`)
      ).rows[0]!.path;
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { database, url, names, servers, cleanup };
}

/** Undoes on one server what an attack that succeeded left there. */
async function cleanServer(url: string, database: string, n: AttackNames): Promise<void> {
  await withConnection(url, async (c) => {
    const branches = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'infra_wf_%' AND shobj_description(oid, 'pg_database') LIKE $1`,
      [`%"target":"${database}"%`],
    );
    for (const b of branches.rows)
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(b.datname)} WITH (FORCE)`);
    await c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1`, [
      n.slot,
    ]);
    const owned = await c.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [n.role]);
    if (owned.rowCount) {
      for (const db of (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datallowconn`))
        .rows) {
        await withConnection(databaseUrl(url, db.datname), (d) =>
          d.query(`REASSIGN OWNED BY ${n.role} TO postgres; DROP OWNED BY ${n.role}`),
        ).catch(() => undefined);
      }
      await c.query(`DROP ROLE IF EXISTS ${n.role}`);
    }
    const changed = await c.query(
      `SELECT 1 FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf' AND name = 'archive_command' AND setting LIKE $1`,
      [`%${n.id}%`],
    );
    if (changed.rowCount) await c.query('ALTER SYSTEM RESET archive_command');
  });
}

import { Client } from 'pg';
import { startTestCluster, stopTestCluster } from '../../support/branch-server-cluster';

/** A Postgres server the suite owns: attacks that reach a whole server land here, never on the shared one. */
export interface PgServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  url: string;
  port: number;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** `url` with another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `fn` with a connection to `url`, closed afterwards. */
export async function withConnection<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The API roles a Supabase project has, which the RLS probes log in as. */
const SUPABASE_ROLES = ['anon', 'authenticated', 'service_role'];

/**
 * Starts a Postgres cluster of its own (trust, 127.0.0.1 only), as the shared server must never be
 * reconfigured: ALTER SYSTEM, replication slots, roles and terminated backends of an attack that
 * succeeds stay on this server, which goes with the suite.
 */
export async function startPgServer(): Promise<PgServer> {
  const cluster = await startTestCluster({ hostAuth: 'trust' });
  const url = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
  try {
    await withConnection(url, async (c) => {
      for (const role of SUPABASE_ROLES) await c.query(`CREATE ROLE ${role} NOLOGIN NOINHERIT`);
    });
  } catch (error) {
    stopTestCluster(cluster);
    throw error;
  }
  return { url, port: cluster.port, stop: async () => stopTestCluster(cluster) };
}

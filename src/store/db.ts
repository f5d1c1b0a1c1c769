import { Pool, type PoolClient } from 'pg';

/** Anything that can run a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<Pool, 'query'> | PoolClient;

/**
 * The bot's pool. Every client it makes has an error listener from birth to end, idle or checked
 * out: a connection Postgres drops (a restart, 57P01) fails the query that was using it, and the
 * client is discarded on release, but the process never crashes on an unhandled 'error' event.
 * Connecting gives up after 10 s, so an unreachable server fails the call instead of hanging it.
 */
export function createPool(
  connectionString: string,
  max = 10,
  onError: (error: Error) => void = () => undefined,
): Pool {
  const pool = new Pool({
    connectionString,
    max,
    application_name: 'infra-orchestrator',
    connectionTimeoutMillis: 10_000,
  });
  // Idle clients: pg-pool re-emits their errors on the pool and removes them.
  pool.on('error', onError);
  // Checked-out clients (a transaction, an advisory lock): pg-pool listens only while they are idle.
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** Runs `fn` in one transaction; a thrown error rolls it back. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

import { Client } from 'pg';
import { ActionFailedError } from '../../domain/errors';
import { scrubUrl } from '../../logger';
import { asPgError, isRetryablePgError } from '../sql/sql-error';

/**
 * Opens one connection to `url`, runs `fn` with it and closes it, whatever happens. A failure to
 * connect becomes an ActionFailedError for `action` naming the server (never the password).
 */
export async function withClient<T>(url: string, action: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'infra-orchestrator' });
  client.on('error', () => undefined); // a dropped connection surfaces as the failure of the running query
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const pg = asPgError(error);
    throw new ActionFailedError(
      action,
      `could not connect to ${scrubUrl(url)} (${pg.message}). Check the URL, that the server is up and that it ` +
        `accepts this user, then try again.`,
      isRetryablePgError(pg) || pg.code === undefined,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

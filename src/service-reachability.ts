import IORedis from 'ioredis';
import { Client } from 'pg';
import { ServiceUnreachableError } from './domain/errors';

/** Postgres and network error codes that mean "this server cannot be used as configured", with what to do. */
const POSTGRES_REASONS: Record<string, string> = {
  ECONNREFUSED: 'nothing accepts connections there',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host cannot be reached',
  '28P01': 'the password was refused',
  '28000': 'the server refused this user',
  '3D000': 'the database does not exist',
};

/** `postgres://user:secret@host:5432/db` → `host:5432/db`: the place, never the credentials. */
export function placeOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'an address that is not a URL';
  }
}

/**
 * The error a person sees when the server a setting names cannot be used: which setting, where it points
 * (without credentials), why, and what to do. Undefined when `error` is not a connection failure.
 */
export function unreachable(setting: string, url: string, error: unknown): ServiceUnreachableError | undefined {
  const code = (error as { code?: string } | null)?.code ?? '';
  const reason =
    POSTGRES_REASONS[code] ?? (/timed out|timeout/i.test(String(error)) ? 'it did not answer in time' : '');
  if (!reason) return undefined;
  return new ServiceUnreachableError(
    `${setting} (${placeOf(url)}) cannot be used: ${reason} (${code || 'timeout'}). ` +
      `Start that server, or correct ${setting}.`,
  );
}

/** Connects once to the Postgres a setting names; a failure to connect names the setting. */
export async function checkPostgres(setting: string, url: string, timeoutMs = 10_000): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw unreachable(setting, url, error) ?? error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Pings the Redis a setting names within `timeoutMs`; a failure names the setting. */
export async function checkRedis(setting: string, url: string, timeoutMs = 5_000): Promise<void> {
  const redis = new IORedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw (
      unreachable(setting, url, error) ??
      new ServiceUnreachableError(
        `${setting} (${placeOf(url)}) cannot be used: ${(error as Error).message}. Start that server, or correct ${setting}.`,
      )
    );
  } finally {
    redis.disconnect();
  }
}

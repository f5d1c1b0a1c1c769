import { randomBytes } from 'node:crypto';
import { ActionFailedError } from '../../domain/errors';
import { readOnlyUrl, withApplicationName } from './pg-tools';
import { asPgError } from '../sql/sql-error';
import { withClient } from './with-client';

/** How two URLs were found to be one server or two. */
export interface ServerComparison {
  same: boolean;
  /**
   * `system identifier`: both logins may read pg_control_system() (every role may, unless a provider
   * revoked it). `session marker`: otherwise, see {@link sameServerBySessionMarker}.
   */
  method: 'system identifier' | 'session marker';
}

const ACTION = 'Checking that the branch server is not the production server';

/** The cluster's system identifier, or undefined when this login may not read pg_control_system(). */
async function systemIdentifier(url: string): Promise<string | undefined> {
  return withClient(url, ACTION, async (client) => {
    try {
      const { rows } = await client.query<{ id: string }>(
        'SELECT system_identifier::text AS id FROM pg_control_system()',
      );
      return rows[0]?.id;
    } catch (error) {
      if (asPgError(error).code === '42501') return undefined;
      throw error;
    }
  });
}

/**
 * Whether the branch server (`branchUrl`) is the production server (`targetUrl`). Every connection to
 * production here is read-only. A standby of production has its system identifier, so it counts as
 * the same server too.
 */
export async function compareServers(targetUrl: string, branchUrl: string): Promise<ServerComparison> {
  const production = readOnlyUrl(targetUrl);
  const [a, b] = [await systemIdentifier(production), await systemIdentifier(branchUrl)];
  if (a !== undefined && b !== undefined) return { same: a === b, method: 'system identifier' };
  return { same: await sameServerBySessionMarker(production, branchUrl), method: 'session marker' };
}

/**
 * The fallback when pg_control_system() is not readable: a connection to production carries a random
 * application_name, and the branch server is asked whether it sees that session in pg_stat_activity,
 * whose application_name column every role may read. (A pooler in front of either server hides it.)
 */
export async function sameServerBySessionMarker(targetUrl: string, branchUrl: string): Promise<boolean> {
  const marker = `infra-orchestrator-server-check-${randomBytes(8).toString('hex')}`;
  return withClient(withApplicationName(readOnlyUrl(targetUrl), marker), ACTION, async () => {
    const seen = await withClient(branchUrl, ACTION, (branch) =>
      branch.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [
        marker,
      ]),
    );
    return (seen.rows[0]?.n ?? 0) > 0;
  });
}

/** Refuses (for `action`) when the branch server is the production server; the message names the setting. */
export async function assertSeparateServers(
  targetUrl: string,
  branchUrl: string,
  action: string,
): Promise<ServerComparison> {
  const comparison = await compareServers(targetUrl, branchUrl);
  if (comparison.same) {
    throw new ActionFailedError(
      action,
      `INFRA_BRANCH_DATABASE_URL names the production server of TARGET_DATABASE_URL (same ${comparison.method}); ` +
        'point it at a separate Postgres server for branches, or set INFRA_ALLOW_SHARED_BRANCH_SERVER=true ' +
        'to keep branches on the production server under their own least-privilege roles.',
      false,
    );
  }
  return comparison;
}

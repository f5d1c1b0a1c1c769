import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { parsePgUrl, withDatabase } from './pg-tools';

/**
 * The two login roles of one branch database, named after it (roles are cluster-wide):
 * `<database>_owner` owns the branch and runs migrations; `<database>_reader` runs read-only SQL.
 */
export interface BranchRoles {
  owner: string;
  reader: string;
}

/** The roles of the branch database `database` (an `infra_wf_…` name). */
export function branchRoles(database: string): BranchRoles {
  return { owner: `${database}_owner`, reader: `${database}_reader` };
}

/**
 * The password of a branch role: an HMAC of its name under the bot's secret, so every replica
 * logs in without storing it anywhere. Hex, so it needs no SASLprep.
 */
export function rolePassword(secret: string, role: string): string {
  return createHmac('sha256', secret).update(`infra-orchestrator branch role\0${role}`).digest('hex');
}

/**
 * A SCRAM-SHA-256 verifier of `password`, as Postgres stores it (RFC 5803 / 7677): the server gets
 * the verifier, never the password, so the password reaches no server log.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A URL of the branch server logging in as `role` to `database`; never logged nor shown. */
export function loginUrl(serverUrl: string, role: string, password: string, database: string): string {
  const url = parsePgUrl(withDatabase(serverUrl, database));
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * Attributes every branch login has: none that reaches past its own database. The owner inherits, as
 * the database owner must to use the `public` schema (through pg_database_owner).
 */
const LEAST = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 20';

/**
 * Creates (again) the branch's two login roles on the branch server, on the admin connection, and
 * makes the admin a member of both, which CREATE DATABASE … OWNER and DROP DATABASE … WITH (FORCE) need.
 * The reader's transactions are read-only by default; its SELECT grants come with the schema.
 */
export async function createBranchRoles(admin: Client, roles: BranchRoles, secret: string): Promise<void> {
  await dropBranchRoles(admin, roles);
  for (const role of [roles.owner, roles.reader]) {
    const verifier = scramVerifier(rolePassword(secret, role));
    const inherit = role === roles.owner ? 'INHERIT' : 'NOINHERIT';
    await admin.query(
      `CREATE ROLE ${admin.escapeIdentifier(role)} ${LEAST} ${inherit} PASSWORD ${admin.escapeLiteral(verifier)}`,
    );
    await admin.query(`GRANT ${admin.escapeIdentifier(role)} TO CURRENT_USER`);
  }
  await admin.query(`ALTER ROLE ${admin.escapeIdentifier(roles.reader)} SET default_transaction_read_only = on`);
}

/**
 * Sets the roles' passwords again, from this bot's secret (a demo restarted with a new secret, say);
 * false when the roles are missing, as on a branch made before branches had roles of their own.
 */
export async function resetBranchPasswords(admin: Client, roles: BranchRoles, secret: string): Promise<boolean> {
  const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ANY($1)', [
    [roles.owner, roles.reader],
  ]);
  if (rows[0]?.n !== 2) return false;
  for (const role of [roles.owner, roles.reader]) {
    await admin.query(
      `ALTER ROLE ${admin.escapeIdentifier(role)} PASSWORD ${admin.escapeLiteral(scramVerifier(rolePassword(secret, role)))}`,
    );
  }
  return true;
}

/** Drops the branch's roles (after its database); missing roles are fine. */
export async function dropBranchRoles(admin: Client, roles: BranchRoles): Promise<void> {
  await admin.query(
    `DROP ROLE IF EXISTS ${admin.escapeIdentifier(roles.reader)}, ${admin.escapeIdentifier(roles.owner)}`,
  );
}

/**
 * On the new branch, as its owner: the reader may use every schema and read every table and
 * sequence, including those a migration creates later (default privileges of the owner).
 */
export async function grantReader(owner: Client, reader: string): Promise<void> {
  const who = owner.escapeIdentifier(reader);
  const { rows } = await owner.query<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
  );
  for (const { nspname } of rows) {
    const schema = owner.escapeIdentifier(nspname);
    await owner.query(`GRANT USAGE ON SCHEMA ${schema} TO ${who}`);
    await owner.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${who}`);
    await owner.query(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${who}`);
  }
  await owner.query(`ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO ${who}`);
  await owner.query(`ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO ${who}`);
  await owner.query(`ALTER DEFAULT PRIVILEGES GRANT SELECT ON SEQUENCES TO ${who}`);
}

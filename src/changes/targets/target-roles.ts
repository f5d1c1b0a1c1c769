import type { Client } from 'pg';
import { z } from 'zod';
import type { Logger } from '../../logger';

/**
 * Roles the target's schema refers to: grantees of its ACLs (schemas, tables, columns, sequences,
 * functions, types, languages, foreign servers, default privileges) and the roles of its policies.
 * Read from pg_roles (never pg_authid, which holds password hashes); predefined `pg_*` roles and
 * PUBLIC are left out.
 */
const REFERENCED_ROLES_SQL = `
  WITH acl AS (
    SELECT nspacl AS a FROM pg_namespace
    UNION ALL SELECT relacl FROM pg_class
    UNION ALL SELECT attacl FROM pg_attribute WHERE attacl IS NOT NULL
    UNION ALL SELECT proacl FROM pg_proc
    UNION ALL SELECT typacl FROM pg_type
    UNION ALL SELECT lanacl FROM pg_language
    UNION ALL SELECT srvacl FROM pg_foreign_server
    UNION ALL SELECT fdwacl FROM pg_foreign_data_wrapper
    UNION ALL SELECT defaclacl FROM pg_default_acl
  ), referenced AS (
    SELECT (aclexplode(a)).grantee AS oid FROM acl WHERE a IS NOT NULL
    UNION SELECT unnest(polroles) FROM pg_policy
    UNION SELECT r.oid FROM pg_roles r WHERE r.rolname = ANY($1)
  )
  SELECT DISTINCT r.rolname FROM referenced x JOIN pg_roles r ON r.oid = x.oid
  WHERE r.rolname NOT LIKE 'pg\\_%'
  ORDER BY r.rolname`;

/** Production's default privileges, one grant a row; PUBLIC is a null grantee. */
const DEFAULT_ACLS_SQL = `
  SELECT n.nspname AS schema, d.defaclobjtype AS kind, a.privilege_type AS privilege, a.is_grantable AS grantable,
         CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END AS grantee
  FROM pg_default_acl d
  LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
  CROSS JOIN LATERAL aclexplode(d.defaclacl) a
  WHERE a.grantee <> d.defaclrole
  ORDER BY 1, 2, 5, 3`;

const defaultAclSchema = z.object({
  schema: z.string().nullable(),
  kind: z.enum(['r', 'S', 'f', 'T', 'n']),
  privilege: z.string().regex(/^[A-Z ]+$/),
  grantable: z.boolean(),
  grantee: z.string().nullable(),
});
export type DefaultAcl = z.infer<typeof defaultAclSchema>;

/** What a branch copies of the target's roles and privileges, read on a read-only connection. */
export interface TargetRoles {
  roles: string[];
  defaultAcls: DefaultAcl[];
}

/** Reads, on the target (read-only), the roles its schema refers to and its default privileges. */
export async function readTargetRoles(target: Client, probeRoles: readonly string[]): Promise<TargetRoles> {
  const roles = (await target.query<{ rolname: string }>(REFERENCED_ROLES_SQL, [[...probeRoles]])).rows.map(
    (r) => r.rolname,
  );
  const defaultAcls = (await target.query(DEFAULT_ACLS_SQL)).rows.map((row) => defaultAclSchema.parse(row));
  return { roles, defaultAcls };
}

/** A role on the branch server with none of the powers a branch's owner must never reach through it. */
const HARMLESS_ROLE_SQL = `
  SELECT rolname FROM pg_roles
  WHERE rolname = ANY($1) AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls)
    AND NOT EXISTS (SELECT 1 FROM unnest(array['pg_read_server_files','pg_write_server_files','pg_execute_server_program',
                                               'pg_signal_backend','pg_read_all_data','pg_write_all_data']) p
                    WHERE pg_has_role(pg_roles.oid, p, 'MEMBER'))`;

/**
 * Creates on the branch server, as NOLOGIN roles without attributes, the target's roles it lacks
 * (roles are cluster-wide), so the copied grants and policies load. The owner then becomes a member
 * of the probe roles (anon, authenticated) that are harmless there, so the RLS probes can `SET ROLE`.
 * Serialised by a transaction lock, since two branches may need the same role at once.
 */
export async function ensureTargetRoles(
  admin: Client,
  roles: readonly string[],
  probeRoles: readonly string[],
  owner: string,
  logger: Logger,
): Promise<void> {
  await admin.query('BEGIN');
  try {
    await admin.query(`SELECT pg_advisory_xact_lock(hashtext('infra-orchestrator:branch-roles'))`);
    const { rows } = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [
      [...roles],
    ]);
    const missing = roles.filter((role) => !rows.some((r) => r.rolname === role));
    for (const role of missing)
      await admin.query(
        `CREATE ROLE ${admin.escapeIdentifier(role)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT`,
      );
    const wanted = probeRoles.filter((role) => roles.includes(role));
    const harmless = (await admin.query<{ rolname: string }>(HARMLESS_ROLE_SQL, [wanted])).rows.map((r) => r.rolname);
    for (const role of wanted.filter((r) => !harmless.includes(r))) {
      logger.warn(
        { role },
        'the branch server has this probe role with powers beyond a plain NOLOGIN role; the RLS probes will not act as it',
      );
    }
    for (const role of harmless)
      await admin.query(`GRANT ${admin.escapeIdentifier(role)} TO ${admin.escapeIdentifier(owner)}`);
    await admin.query('COMMIT');
    if (missing.length)
      logger.info({ roles: missing }, 'created the target roles the branch server lacked (NOLOGIN, no attributes)');
  } catch (error) {
    await admin.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const KIND: Record<DefaultAcl['kind'], string> = {
  r: 'TABLES',
  S: 'SEQUENCES',
  f: 'FUNCTIONS',
  T: 'TYPES',
  n: 'SCHEMAS',
};

/**
 * Production's default privileges, as the branch owner's: on the branch the owner creates every new
 * object, so a table a migration adds gets the grants (to anon, say) it would get on production.
 */
export async function applyDefaultAcls(owner: Client, acls: readonly DefaultAcl[]): Promise<void> {
  const { rows } = await owner.query<{ nspname: string }>('SELECT nspname FROM pg_namespace');
  const schemas = new Set(rows.map((r) => r.nspname));
  for (const acl of acls) {
    if (acl.schema !== null && (!schemas.has(acl.schema) || acl.kind === 'n')) continue;
    const where = acl.schema === null ? '' : ` IN SCHEMA ${owner.escapeIdentifier(acl.schema)}`;
    const to = acl.grantee === null ? 'PUBLIC' : owner.escapeIdentifier(acl.grantee);
    await owner.query(
      `ALTER DEFAULT PRIVILEGES${where} GRANT ${acl.privilege} ON ${KIND[acl.kind]} TO ${to}${acl.grantable ? ' WITH GRANT OPTION' : ''}`,
    );
  }
}

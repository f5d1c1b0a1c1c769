/**
 * The lists behind the SQL policy: functions, extensions, languages, settings and catalogs that
 * the policy refuses or cannot see into. Names are compared in lower case, on the function's own
 * name whatever schema qualifies it (`pg_catalog.pg_read_file` is `pg_read_file`).
 */

/** Why a function is refused, by family. */
export type FunctionFamily =
  | 'server files'
  | 'large objects'
  | 'outside connections'
  | 'backend signalling'
  | 'replication'
  | 'server settings'
  | 'server administration';

const FAMILIES: Record<FunctionFamily, { names: string[]; prefixes?: string[] }> = {
  'server files': {
    names: [
      'pg_read_file',
      'pg_read_binary_file',
      'pg_stat_file',
      'pg_ls_dir',
      'pg_ls_logdir',
      'pg_ls_waldir',
      'pg_ls_tmpdir',
      'pg_ls_archive_statusdir',
      'pg_ls_logicalsnapdir',
      'pg_ls_logicalmapdir',
      'pg_ls_replslotdir',
      'pg_ls_summariesdir',
      'pg_file_write',
      'pg_file_rename',
      'pg_file_unlink',
      'pg_file_sync',
      'pg_logdir_ls',
      'pg_current_logfile',
    ],
  },
  'large objects': { names: ['loread', 'lowrite'], prefixes: ['lo_'] },
  'outside connections': { names: [], prefixes: ['dblink', 'postgres_fdw_'] },
  'backend signalling': {
    names: [
      'pg_terminate_backend',
      'pg_cancel_backend',
      'pg_reload_conf',
      'pg_rotate_logfile',
      'pg_log_backend_memory_contexts',
      'pg_promote',
    ],
  },
  replication: {
    names: [
      'pg_create_physical_replication_slot',
      'pg_create_logical_replication_slot',
      'pg_drop_replication_slot',
      'pg_replication_slot_advance',
      'pg_copy_physical_replication_slot',
      'pg_copy_logical_replication_slot',
      'pg_sync_replication_slots',
    ],
    prefixes: ['pg_logical_slot_', 'pg_logical_emit_message', 'pg_replication_origin_', 'pg_wal_replay_'],
  },
  'server settings': { names: ['set_config'] },
  'server administration': {
    names: [
      'pg_switch_wal',
      'pg_backup_start',
      'pg_backup_stop',
      'pg_create_restore_point',
      'pg_import_system_collations',
    ],
  },
};

/** The family of a refused function, or undefined when the policy lets it be called. */
export function refusedFunction(name: string): FunctionFamily | undefined {
  const n = name.toLowerCase();
  for (const [family, { names, prefixes = [] }] of Object.entries(FAMILIES) as Array<
    [FunctionFamily, { names: string[]; prefixes?: string[] }]
  >) {
    if (names.includes(n) || prefixes.some((p) => n.startsWith(p))) return family;
  }
  return undefined;
}

/** Functions that run SQL handed to them as text: the parser cannot see what they will run. */
export const DYNAMIC_SQL_FUNCTIONS: ReadonlySet<string> = new Set([
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'ts_stat',
  'ts_rewrite',
]);

/** Sequence writers, refused by the read-only check (a read-only transaction refuses them too). */
export const WRITING_FUNCTIONS: ReadonlySet<string> = new Set([
  'nextval',
  'setval',
  'pg_advisory_lock',
  'pg_advisory_xact_lock',
  'pg_notify',
]);

/**
 * Languages whose functions run with the server's own rights (C, internal, the untrusted `…u`
 * languages): a migration may not create functions in them, nor `DO` blocks.
 */
export const UNTRUSTED_LANGUAGES: ReadonlySet<string> = new Set([
  'c',
  'internal',
  'plpythonu',
  'plpython2u',
  'plpython3u',
  'plperlu',
  'pltclu',
  'plsh',
  'plr',
  'pljavau',
]);

/**
 * Extensions that reach outside the database (other servers, files, the network), run untrusted
 * code or read the server's internals: a migration may not create them.
 */
export const FORBIDDEN_EXTENSIONS: ReadonlySet<string> = new Set([
  'dblink',
  'postgres_fdw',
  'file_fdw',
  'adminpack',
  'pg_net',
  'http',
  'pgsql-http',
  'lo',
  'pageinspect',
  'pg_buffercache',
  'pg_visibility',
  'pg_surgery',
  'pg_walinspect',
  'pg_cron',
  'plpython3u',
  'plpythonu',
  'plpython2u',
  'plperlu',
  'pltclu',
  'plsh',
  'pg_stat_kcache',
  'pgstattuple',
  'pg_freespacemap',
  'amcheck',
  'pg_prewarm',
  'wrappers',
]);

/**
 * Extensions that only add types, functions and indexes inside the database: allowed. Any other
 * extension is "unanalysable": the engine does not know what it installs, so it needs the second approval.
 */
export const ALLOWED_EXTENSIONS: ReadonlySet<string> = new Set([
  'pgcrypto',
  'uuid-ossp',
  'citext',
  'pg_trgm',
  'btree_gin',
  'btree_gist',
  'hstore',
  'ltree',
  'cube',
  'earthdistance',
  'fuzzystrmatch',
  'unaccent',
  'intarray',
  'isn',
  'seg',
  'tablefunc',
  'tcn',
  'moddatetime',
  'insert_username',
  'autoinc',
  'refint',
  'pg_stat_statements',
  'postgis',
  'postgis_topology',
  'postgis_raster',
  'address_standardizer',
  'pgrouting',
  'vector',
  'pg_graphql',
  'pgjwt',
  'pg_jsonschema',
  'pg_hashids',
  'pgtap',
  'plpgsql',
  'rum',
  'hypopg',
  'index_advisor',
  'pg_stat_monitor',
  'dict_int',
  'dict_xsyn',
  'bloom',
]);

/**
 * Settings a migration may not change: who the session is, the engine's own timeouts (the engine
 * sets them), and `session_replication_role`, which turns off triggers and foreign keys.
 */
export const FORBIDDEN_SETTINGS: ReadonlySet<string> = new Set([
  'role',
  'session_authorization',
  'session_replication_role',
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'transaction_timeout',
  'default_transaction_read_only',
  'transaction_read_only',
]);

/** Catalogs holding secrets (password hashes, user mappings with passwords, sampled column values). */
export const SECRET_CATALOGS: ReadonlySet<string> = new Set([
  'pg_authid',
  'pg_shadow',
  'pg_user_mapping',
  'pg_user_mappings',
  'pg_statistic',
  'pg_statistic_ext_data',
  'pg_largeobject',
  'pg_hba_file_rules',
  'pg_ident_file_mappings',
  'pg_file_settings',
  'pg_subscription',
]);

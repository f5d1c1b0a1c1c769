import { child, isNode, names, parseSql, type PgNode, str, walkNodes, walkObjects } from './sql-parser';
import {
  ALLOWED_EXTENSIONS,
  DYNAMIC_SQL_FUNCTIONS,
  FORBIDDEN_EXTENSIONS,
  FORBIDDEN_SETTINGS,
  refusedFunction,
  UNTRUSTED_LANGUAGES,
} from './sql-rules';

/**
 * What a statement means for the policy: `forbidden` (a migration may not contain it at all),
 * `destructive` (can lose data or break clients; two approvers), `unanalysable` (code the engine
 * cannot read; two approvers), `non_transactional` (Postgres refuses to run it inside a transaction).
 */
export type FindingKind = 'forbidden' | 'destructive' | 'unanalysable' | 'non_transactional';

/** One rule that matched, before it is tied to its statement. */
export interface RuleMatch {
  kind: FindingKind;
  why: string;
}

const lower = (s: string | undefined): string => (s ?? '').toLowerCase();
const objectWord = (t: string | undefined): string =>
  lower(t?.replace(/^OBJECT_/, ''))
    .replace(/_/g, ' ')
    .replace('matview', 'materialized view');

/** `schema.name` of a RangeVar (unwrapped), default schema `public`. */
export function qualifiedName(rangeVar: PgNode | undefined): string | undefined {
  const rel = str(rangeVar, 'relname');
  return rel === undefined ? undefined : `${str(rangeVar, 'schemaname') ?? 'public'}.${rel}`;
}

/** DROP of these removes data or code. */
const DATA_OR_CODE = new Set([
  'OBJECT_TABLE',
  'OBJECT_FOREIGN_TABLE',
  'OBJECT_SEQUENCE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_SCHEMA',
  'OBJECT_FUNCTION',
  'OBJECT_PROCEDURE',
  'OBJECT_ROUTINE',
  'OBJECT_AGGREGATE',
  'OBJECT_TYPE',
  'OBJECT_DOMAIN',
  'OBJECT_TRIGGER',
  'OBJECT_RULE',
  'OBJECT_POLICY',
  'OBJECT_EXTENSION',
  'OBJECT_OPERATOR',
]);

/** Statement types a migration may not contain, with the reason a person reads. */
const FORBIDDEN_STATEMENTS: Record<string, string> = {
  AlterSystemStmt: 'ALTER SYSTEM rewrites the server configuration',
  CreatedbStmt: 'databases are not a migration’s business: it changes this database’s schema only',
  DropdbStmt: 'databases are not a migration’s business: it changes this database’s schema only',
  AlterDatabaseStmt: 'ALTER DATABASE changes the whole database (settings every session gets), not its schema',
  AlterDatabaseSetStmt: 'ALTER DATABASE changes the whole database (settings every session gets), not its schema',
  AlterDatabaseRefreshCollStmt: 'ALTER DATABASE changes the whole database, not its schema',
  CreateRoleStmt: 'roles are managed by the database administrator, never by a migration',
  AlterRoleStmt: 'roles are managed by the database administrator, never by a migration',
  AlterRoleSetStmt: 'roles are managed by the database administrator, never by a migration',
  DropRoleStmt: 'roles are managed by the database administrator, never by a migration',
  GrantRoleStmt: 'role membership is managed by the database administrator, never by a migration',
  ReassignOwnedStmt: 'REASSIGN OWNED hands every object of a role to another: role administration',
  DropOwnedStmt: 'DROP OWNED drops every object of a role, whatever schema it is in',
  LoadStmt: 'LOAD loads a shared library into the server',
  CreateSubscriptionStmt: 'subscriptions connect to another server (replication)',
  AlterSubscriptionStmt: 'subscriptions connect to another server (replication)',
  DropSubscriptionStmt: 'subscriptions connect to another server (replication)',
  CreatePublicationStmt: 'publications hand rows to replication clients',
  AlterPublicationStmt: 'publications hand rows to replication clients',
  CreateFdwStmt: 'foreign-data wrappers connect to outside servers or files',
  AlterFdwStmt: 'foreign-data wrappers connect to outside servers or files',
  CreateForeignServerStmt: 'foreign servers are outside connections',
  AlterForeignServerStmt: 'foreign servers are outside connections',
  CreateUserMappingStmt: 'user mappings hold credentials for outside servers',
  AlterUserMappingStmt: 'user mappings hold credentials for outside servers',
  ImportForeignSchemaStmt: 'IMPORT FOREIGN SCHEMA reads an outside server',
  CreateForeignTableStmt: 'foreign tables read outside servers or files',
  CreatePLangStmt: 'CREATE LANGUAGE installs a procedural language',
  CreateTableSpaceStmt: 'tablespaces are directories on the database server',
  DropTableSpaceStmt: 'tablespaces are directories on the database server',
  AlterTableSpaceOptionsStmt: 'tablespaces are directories on the database server',
  CheckPointStmt: 'CHECKPOINT is server administration',
  DiscardStmt: 'DISCARD resets the engine’s session (its timeouts among them)',
  CreateEventTrigStmt: 'event triggers run on every later DDL statement of every user',
  AlterEventTrigStmt: 'event triggers run on every later DDL statement of every user',
};

/** The rules a single node (anywhere in a statement's tree) matches. */
function nodeRules(type: string, node: PgNode): RuleMatch[] {
  const forbidden = FORBIDDEN_STATEMENTS[type];
  if (forbidden) return [{ kind: 'forbidden', why: forbidden }];
  switch (type) {
    case 'TransactionStmt':
      return [
        {
          kind: 'forbidden',
          why:
            `${lower(str(node, 'kind')?.replace(/^TRANS_STMT_/, '')).replace(/_/g, ' ')} is transaction ` +
            'control: the engine runs the migration in its own transaction, which the migration may not end or split',
        },
      ];
    case 'CopyStmt':
      if (node.is_program)
        return [{ kind: 'forbidden', why: `COPY … PROGRAM runs a shell command on the database server` }];
      if (str(node, 'filename') !== undefined)
        return [
          { kind: 'forbidden', why: `COPY … '${str(node, 'filename')}' reads or writes a file on the database server` },
        ];
      return [{ kind: 'forbidden', why: 'COPY has no data stream in a migration: write INSERT statements instead' }];
    case 'VariableSetStmt':
      return settingRules(node);
    case 'CreateExtensionStmt': {
      const ext = lower(str(node, 'extname'));
      if (FORBIDDEN_EXTENSIONS.has(ext))
        return [
          {
            kind: 'forbidden',
            why: `the extension ${ext} reaches outside the database (other servers, files, the network) or runs untrusted code`,
          },
        ];
      if (ALLOWED_EXTENSIONS.has(ext)) return [];
      return [
        {
          kind: 'unanalysable',
          why: `the extension ${ext} is not on the engine's list of known extensions, so it cannot tell what it installs`,
        },
      ];
    }
    case 'CreateFunctionStmt':
      return functionRules(node);
    case 'DoStmt': {
      const lang = lower(optionString(node.args, 'language') ?? 'plpgsql');
      if (UNTRUSTED_LANGUAGES.has(lang))
        return [{ kind: 'forbidden', why: `a DO block in ${lang}, a language that runs with the server's own rights` }];
      return [
        {
          kind: 'unanalysable',
          why: `a DO block runs ${lang} code, which the engine's parser cannot read: it may run any SQL, built at run time`,
        },
      ];
    }
    case 'ExecuteStmt':
      return [{ kind: 'unanalysable', why: 'EXECUTE runs a prepared statement chosen elsewhere' }];
    case 'DefineStmt':
      return walkStrings(node.definition).flatMap((name) => functionNameRules(name));
    case 'DropStmt': {
      const type = str(node, 'removeType');
      const cascade = str(node, 'behavior') === 'DROP_CASCADE';
      const out: RuleMatch[] = [];
      if (type !== undefined && DATA_OR_CODE.has(type))
        out.push({
          kind: 'destructive',
          why: `DROP ${objectWord(type).toUpperCase()} removes ${objectWord(type)} ${dropNames(node)} and what it holds`,
        });
      if (cascade)
        out.push({ kind: 'destructive', why: `CASCADE also drops everything that depends on ${dropNames(node)}` });
      if (node.concurrent)
        out.push({ kind: 'non_transactional', why: 'DROP INDEX CONCURRENTLY cannot run inside a transaction' });
      return out;
    }
    case 'TruncateStmt':
      return [{ kind: 'destructive', why: `TRUNCATE empties ${relations(node.relations)}` }];
    case 'DeleteStmt':
      return node.whereClause === undefined
        ? [
            {
              kind: 'destructive',
              why: `DELETE without WHERE removes every row of ${qualifiedName(child(node, 'relation'))}`,
            },
          ]
        : [];
    case 'UpdateStmt':
      return node.whereClause === undefined
        ? [
            {
              kind: 'destructive',
              why: `UPDATE without WHERE overwrites every row of ${qualifiedName(child(node, 'relation'))}`,
            },
          ]
        : [];
    case 'MergeStmt':
      return JSON.stringify(node.mergeWhenClauses ?? []).includes('"CMD_DELETE"')
        ? [
            {
              kind: 'destructive',
              why: `MERGE … THEN DELETE removes rows of ${qualifiedName(child(node, 'relation'))}`,
            },
          ]
        : [];
    case 'RenameStmt':
      return [
        {
          kind: 'destructive',
          why:
            `renames ${objectWord(str(node, 'renameType'))} ` +
            `${str(node, 'subname') ?? qualifiedName(child(node, 'relation')) ?? names(node.object).join('.')} ` +
            `to ${str(node, 'newname')}: clients that use the old name break`,
        },
      ];
    case 'AlterObjectSchemaStmt':
      return [
        {
          kind: 'destructive',
          why:
            `moves ${objectWord(str(node, 'objectType'))} ${qualifiedName(child(node, 'relation')) ?? ''} to ` +
            `schema ${str(node, 'newschema')}: clients that use the old name break`,
        },
      ];
    case 'AlterEnumStmt':
      if (str(node, 'oldVal') !== undefined)
        return [
          {
            kind: 'destructive',
            why:
              `renames the value '${str(node, 'oldVal')}' of type ${names(node.typeName).join('.')}: rows ` +
              `and clients that use the old value break`,
          },
        ];
      return [
        {
          kind: 'non_transactional',
          why: 'ALTER TYPE … ADD VALUE runs on its own, so that later statements can use the new value',
        },
      ];
    case 'AlterTableCmd':
      return alterTableRules(node);
    case 'IndexStmt':
      return node.concurrent
        ? [{ kind: 'non_transactional', why: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction' }]
        : [];
    case 'ReindexStmt': {
      const concurrently = JSON.stringify(node.params ?? []).includes('"concurrently"');
      const wide = ['REINDEX_OBJECT_SYSTEM', 'REINDEX_OBJECT_DATABASE'].includes(str(node, 'kind') ?? '');
      return concurrently || wide
        ? [
            {
              kind: 'non_transactional',
              why: `REINDEX ${concurrently ? 'CONCURRENTLY' : 'DATABASE/SYSTEM'} cannot run inside a transaction`,
            },
          ]
        : [];
    }
    case 'VacuumStmt':
      return node.is_vacuumcmd ? [{ kind: 'non_transactional', why: 'VACUUM cannot run inside a transaction' }] : [];
    case 'ClusterStmt':
      return node.relation === undefined
        ? [{ kind: 'non_transactional', why: 'CLUSTER of every table cannot run inside a transaction' }]
        : [];
    default:
      return [];
  }
}

function settingRules(node: PgNode): RuleMatch[] {
  const kind = str(node, 'kind');
  const name = lower(str(node, 'name'));
  if (kind === 'VAR_RESET_ALL')
    return [{ kind: 'forbidden', why: 'RESET ALL undoes the engine’s session settings (its timeouts among them)' }];
  if (kind === 'VAR_SET_MULTI')
    return [{ kind: 'forbidden', why: `SET ${name.toUpperCase()} changes the engine’s transaction` }];
  if (FORBIDDEN_SETTINGS.has(name))
    return [
      {
        kind: 'forbidden',
        why: `the setting ${name} is the engine’s: it decides who runs the migration and for how long`,
      },
    ];
  return [];
}

function alterTableRules(cmd: PgNode): RuleMatch[] {
  const out: RuleMatch[] = [];
  const subtype = str(cmd, 'subtype');
  if (subtype === 'AT_DropColumn')
    out.push({ kind: 'destructive', why: `DROP COLUMN ${str(cmd, 'name')} removes the column and its data` });
  if (subtype === 'AT_AlterColumnType')
    out.push({
      kind: 'destructive',
      why: `changing the type of column ${str(cmd, 'name')} rewrites its values, which can lose or refuse data`,
    });
  if (str(cmd, 'behavior') === 'DROP_CASCADE')
    out.push({ kind: 'destructive', why: 'CASCADE also drops everything that depends on it' });
  if (subtype === 'AT_DetachPartition' && child(child(cmd, 'def'), 'PartitionCmd')?.concurrent) {
    out.push({ kind: 'non_transactional', why: 'DETACH PARTITION CONCURRENTLY cannot run inside a transaction' });
  }
  return out;
}

function functionRules(node: PgNode): RuleMatch[] {
  const lang = lower(optionString(node.options, 'language') ?? 'sql');
  const fn = names(node.funcname).join('.');
  if (UNTRUSTED_LANGUAGES.has(lang))
    return [
      { kind: 'forbidden', why: `function ${fn} is in ${lang}, a language that runs with the server's own rights` },
    ];
  if (node.sql_body !== undefined) return [];
  const body = optionList(node.options, 'as');
  if (lang !== 'sql')
    return [
      {
        kind: 'unanalysable',
        why: `the body of function ${fn} is ${lang}, which the engine's parser cannot read: it may run any SQL when called`,
      },
    ];
  if (body === undefined) return [];
  const parsed = parseSql(body);
  if (!parsed.ok)
    return [{ kind: 'unanalysable', why: `the body of function ${fn} does not parse (${parsed.error.message})` }];
  return parsed.statements
    .flatMap((s) => treeRules({ [s.kind]: s.node }))
    .filter((m) => m.kind !== 'non_transactional')
    .map((m) => ({ ...m, why: `in the body of function ${fn}: ${m.why}` }));
}

function functionNameRules(name: string): RuleMatch[] {
  const family = refusedFunction(name);
  if (family) return [{ kind: 'forbidden', why: `${name}() is a ${family} function` }];
  if (DYNAMIC_SQL_FUNCTIONS.has(name.toLowerCase()))
    return [{ kind: 'unanalysable', why: `${name}() runs SQL handed to it as text, which the engine cannot read` }];
  return [];
}

/**
 * Every rule the tree matches: each node by its type, and every function it names (calls, trigger
 * functions, `ObjectWithArgs` in GRANT/ALTER/CREATE CAST), wherever it sits.
 */
export function treeRules(tree: unknown): RuleMatch[] {
  const out: RuleMatch[] = [];
  for (const { type, node } of walkNodes(tree)) out.push(...nodeRules(type, node));
  for (const obj of walkObjects(tree)) {
    for (const field of ['funcname', 'objname']) {
      const fn = names(obj[field]).at(-1);
      if (fn !== undefined) out.push(...functionNameRules(fn));
    }
  }
  return out;
}

/** The `sval` of every `String` node under `tree`. */
function walkStrings(tree: unknown): string[] {
  return [...walkNodes(tree)].flatMap(({ type, node }) =>
    type === 'String' && typeof node.sval === 'string' ? [node.sval] : [],
  );
}

function optionArg(options: unknown, name: string): unknown {
  if (!Array.isArray(options)) return undefined;
  for (const o of options) {
    const def = isNode(o) ? child(o, 'DefElem') : undefined;
    if (def && str(def, 'defname') === name) return def.arg;
  }
  return undefined;
}

function optionString(options: unknown, name: string): string | undefined {
  const arg = optionArg(options, name);
  return isNode(arg) ? str(child(arg, 'String'), 'sval') : undefined;
}

/** The first item of a list option (a function's `AS 'body'`). */
function optionList(options: unknown, name: string): string | undefined {
  const arg = optionArg(options, name);
  const items = isNode(arg) ? child(arg, 'List')?.items : undefined;
  return names(items)[0] ?? (isNode(arg) ? str(child(arg, 'String'), 'sval') : undefined);
}

function dropNames(node: PgNode): string {
  const objects = Array.isArray(node.objects) ? node.objects : [];
  return objects
    .map((o) => {
      if (!isNode(o)) return '?';
      if (isNode(o.List)) return names(o.List.items).join('.');
      if (isNode(o.String)) return String(o.String.sval);
      if (isNode(o.ObjectWithArgs)) return names(o.ObjectWithArgs.objname).join('.');
      if (isNode(o.TypeName)) return names(o.TypeName.names).join('.');
      return '?';
    })
    .join(', ');
}

function relations(list: unknown): string {
  return (Array.isArray(list) ? list : [])
    .map((r) => (isNode(r) ? qualifiedName(child(r, 'RangeVar')) : undefined) ?? '?')
    .join(', ');
}

import {
  dropNames,
  lower,
  objectWord,
  optionList,
  optionString,
  qualifiedName,
  relations,
  walkStrings,
} from './sql-node-text';
import { child, names, parseSql, type PgNode, str, walkNodes, walkObjects } from './sql-parser';
import {
  ALLOWED_EXTENSIONS,
  DYNAMIC_SQL_FUNCTIONS,
  FORBIDDEN_EXTENSIONS,
  FORBIDDEN_SETTINGS,
  refusedFunction,
  UNTRUSTED_LANGUAGES,
} from './sql-rules';
import { DATA_OR_CODE, FORBIDDEN_STATEMENTS } from './sql-statement-kinds';

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

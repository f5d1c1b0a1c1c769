import { z } from 'zod';
import type { Branch, BranchProvider } from '../../changes/targets/branch-provider';
import { checkReadOnlyQuery } from '../../changes/checks/read-only-query';
import { loadSqlParser } from '../../changes/sql/sql-parser';
import type { EdgeFunctionHost } from '../../changes/targets/change-target';
import type { AgentToolStore } from './agent-tool-store';
import { type AgentTool, type ToolContext, type ToolOutput, defineTool } from './agent-tool';
import { fenceUntrusted } from './untrusted-data';

/** Limits of SQL the agents run on a branch. */
export interface AgentSqlLimits {
  /** Statement timeout of each query (ms). */
  timeoutMs: number;
  /** Rows returned to the model at most. */
  rowLimit: number;
}

export interface BranchToolDeps {
  /** The change target's branch provider; undefined when no target is configured. */
  branches?: BranchProvider;
  store: AgentToolStore;
  sql: AgentSqlLimits;
  /** Supabase's Edge Functions of the target, whose branch logs `get_logs` can read. */
  functions?: EdgeFunctionHost;
}

export const NO_PROVIDER =
  'No branch provider is configured for this bot (neither TARGET_DATABASE_URL nor a Supabase project), so there ' +
  'is no database to look at. ' +
  'Work from the request and the earlier handoffs, and say in your handoff what you could not check.';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'a plain Postgres identifier, e.g. public');

const listTablesInput = z.object({
  schemas: z.array(identifier).min(1).max(10).default(['public']).describe('Schemas to list; default ["public"].'),
});
const executeSqlInput = z.object({
  query: z.string().trim().min(1, 'write the query').max(20_000).describe('One read-only SQL statement.'),
});
const noInput = z.object({});

/** The orchestrator's Supabase tools, on the workflow's branch only: production is never reachable from here. */
export function branchTools(deps: BranchToolDeps): AgentTool[] {
  return [
    defineTool({
      name: 'list_tables',
      description:
        "Lists the tables of the workflow's development branch (a copy of production's schema, without its " +
        'data): columns with types, nullability and defaults, and whether row level security is on.',
      input: listTablesInput,
      readOnly: true,
      execute: (input, ctx) =>
        onBranch(deps, ctx, async (branch) => {
          const result = await deps.branches!.runSql(branch, listTablesSql(input.schemas), {
            readOnly: true,
            timeoutMs: deps.sql.timeoutMs,
            rowLimit: deps.sql.rowLimit,
          });
          return {
            text: fenceUntrusted(`the tables of branch ${branch.name} in ${input.schemas.join(', ')}`, result.rows),
          };
        }),
    }),
    defineTool({
      name: 'list_migrations',
      description:
        "Lists the migrations already applied (the branch's copy of supabase_migrations.schema_migrations) and " +
        'those proposed by earlier steps of this workflow.',
      input: noInput,
      readOnly: true,
      execute: async (_input, ctx) => {
        const proposed = (await deps.store.migrations(ctx.workflowId)).map((m) => ({
          proposed_by: m.agent,
          name: m.migration.name,
        }));
        let applied: unknown = 'unknown: no branch provider is configured';
        if (deps.branches) {
          const branch = await deps.branches.getBranch(ctx.workflowId);
          applied = branch
            ? await appliedMigrations(deps, branch)
            : 'unknown: the workflow has no branch yet (create_branch makes one)';
        }
        return { text: fenceUntrusted('the migration history', { applied, proposed_in_this_workflow: proposed }) };
      },
    }),
    defineTool({
      name: 'create_branch',
      description:
        "Creates this workflow's development branch (or returns it when it exists): a database with " +
        "production's schema and no data. It never touches production.",
      input: noInput,
      readOnly: false,
      execute: async (_input, ctx) => {
        if (!deps.branches) return { text: NO_PROVIDER, isError: true };
        await deps.store.branchCreating(ctx.workflowId, ctx.stepId);
        const branch = await deps.branches.createBranch(ctx.workflowId);
        return {
          text: `Branch ${branch.name} is ready (${deps.branches.kind}). list_tables and execute_sql now run on it.`,
        };
      },
    }),
    defineTool({
      name: 'list_branches',
      description: 'Lists the development branches the bot holds, with the workflow each belongs to.',
      input: noInput,
      readOnly: true,
      execute: async (_input, ctx) => {
        if (!deps.branches) return { text: NO_PROVIDER, isError: true };
        const branches = (await deps.branches.listBranches()).map((b) => ({
          name: b.name,
          workflow: b.workflowId,
          created_at: b.createdAt.toISOString(),
          yours: b.workflowId === ctx.workflowId,
        }));
        return { text: JSON.stringify(branches) };
      },
    }),
    defineTool({
      name: 'execute_sql',
      description:
        "Runs one read-only SQL statement on this workflow's development branch (never production), with a " +
        'statement timeout and a row cap: ' +
        'a SELECT, an EXPLAIN without ANALYZE, or SHOW. Writes, several statements and calls that reach server ' +
        'files, large objects, other servers, ' +
        'other sessions or settings are refused: propose changes in your handoff instead, and the bot applies and tests them.',
      input: executeSqlInput,
      readOnly: true,
      execute: async (input, ctx) => {
        await loadSqlParser();
        const verdict = checkReadOnlyQuery(input.query);
        if (!verdict.ok) return { text: verdict.reason, isError: true };
        return onBranch(deps, ctx, async (branch) => {
          const result = await deps.branches!.runSql(branch, verdict.sql, {
            readOnly: true,
            timeoutMs: deps.sql.timeoutMs,
            rowLimit: deps.sql.rowLimit,
          });
          const capped =
            result.rowCount > result.rows.length ? ` (the first ${result.rows.length} of ${result.rowCount} rows)` : '';
          return { text: fenceUntrusted(`the result of the SQL query on branch ${branch.name}${capped}`, result.rows) };
        });
      },
    }),
  ];
}

/** Runs `fn` on the workflow's branch; a missing provider or branch, or a failed query, is told to the model. */
async function onBranch(
  deps: BranchToolDeps,
  ctx: ToolContext,
  fn: (branch: Branch) => Promise<ToolOutput>,
): Promise<ToolOutput> {
  if (!deps.branches) return { text: NO_PROVIDER, isError: true };
  const branch = await deps.branches.getBranch(ctx.workflowId);
  if (!branch)
    return {
      text: 'This workflow has no branch yet. Call create_branch first (if it is among your tools), or work without one.',
      isError: true,
    };
  try {
    return await fn(branch);
  } catch (error) {
    return { text: `The query failed: ${(error as Error).message}`, isError: true };
  }
}

async function appliedMigrations(deps: BranchToolDeps, branch: Branch): Promise<unknown> {
  const sql = `select version, name from supabase_migrations.schema_migrations order by version`;
  try {
    return (
      await deps.branches!.runSql(branch, sql, {
        readOnly: true,
        timeoutMs: deps.sql.timeoutMs,
        rowLimit: deps.sql.rowLimit,
      })
    ).rows;
  } catch {
    return 'none recorded: the branch has no supabase_migrations.schema_migrations table';
  }
}

/** Tables with their columns and RLS flag; the schema names were checked as plain identifiers. */
export function listTablesSql(schemas: readonly string[]): string {
  const list = schemas.map((s) => `'${s}'`).join(', ');
  return `select t.table_schema as schema, t.table_name as name,
  coalesce(cls.relrowsecurity, false) as rls_enabled,
  (select json_agg(json_build_object('name', c.column_name, 'type', c.data_type,
                                     'nullable', c.is_nullable = 'YES', 'default', c.column_default)
                   order by c.ordinal_position)
     from information_schema.columns c where c.table_schema = t.table_schema and c.table_name = t.table_name) as columns
from information_schema.tables t
left join pg_namespace ns on ns.nspname = t.table_schema
left join pg_class cls on cls.relnamespace = ns.oid and cls.relname = t.table_name
where t.table_type = 'BASE TABLE' and t.table_schema in (${list})
order by 1, 2`;
}

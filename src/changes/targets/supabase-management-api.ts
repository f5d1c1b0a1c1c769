/*
 * Typed client for the parts of the Supabase Management API v1 the bot uses. Sources (looked up, not guessed):
 * [T] supabase-community/supabase-mcp packages/mcp-server-supabase/src/management-api/types.ts, the
 *     openapi-typescript output of the v1 spec: paths, methods, success statuses, request and answer bodies;
 * [P] same repo, src/platform/api-platform.ts: how Supabase's MCP server calls them;
 * [M] same repo, test/mocks.ts: the maintainers' mock; [C] supabase/cli internal/branches/get/get.go.
 *   GET    /v1/projects/{ref}/branches             200 BranchResponse[]; 422 when branching is off   [T][P]
 *   POST   /v1/projects/{ref}/branches             {branch_name} -> 201 BranchResponse                [T][P]
 *   GET    /v1/branches/{branch_id_or_ref}         200 BranchDetailResponse (db_user/db_pass optional) [T][C]
 *   DELETE /v1/branches/{branch_id_or_ref}         200 {message:"ok"}                                 [T][P]
 *   POST   /v1/branches/{id}/merge, /reset         {migration_version?} -> 201 {workflow_run_id, message} [T][P]
 *   POST   /v1/projects/{ref}/database/query       {query, parameters?, read_only?} -> 201            [T][P]
 *   GET    /v1/projects/{ref}/database/migrations  200 [{version, name?}]; POST {query, name?} -> 200, no body [T][P]
 *   GET    /v1/projects/{ref}/advisors/security    200 {lints[]}                                      [T][P]
 *   GET    /v1/projects/{ref}/analytics/endpoints/logs.all?sql&iso_timestamp_start&iso_timestamp_end -> 200 {result?, error?} [T][P]
 *   GET    /v1/projects/{ref}/database/backups     200 {region, walg_enabled, pitr_enabled, backups[], physical_backup_data} [T]
 * NOT confirmed: the answer of database/query (the spec declares none; [P] and [M] treat it as the JSON array
 * of rows of the last statement); error bodies (`{message}` in [M] and in supabase/supabase#44130, none in the
 * spec; the 422 text "Preview branching is not enabled for this project." is from [M] only); the branch's
 * database name (`postgres`, the Supabase default; not in the branch details).
 */
import { z } from 'zod';
import {
  actionSchema,
  advisorsSchema,
  apiKeysSchema,
  backupsSchema,
  branchDetailsSchema,
  branchSchema,
  functionSchema,
  logsSchema,
  migrationsSchema,
  rowsSchema,
  type BranchActionAnswer,
  type SupabaseBackups,
  type SupabaseBranch,
  type SupabaseBranchDetails,
  type SupabaseFunction,
  type SupabaseLint,
  type SupabaseMigration,
} from './supabase-api-schemas';
import { SupabaseApiError, SupabaseApiTransport, type SupabaseManagementApiOptions } from './supabase-api-transport';

const e = encodeURIComponent;
const BRANCHING_HINT = 'enable branching for the project in the Supabase dashboard';

/** One method per Management API endpoint; every response body is checked with zod. */
export class SupabaseManagementApi {
  private readonly transport: SupabaseApiTransport;

  constructor(options: SupabaseManagementApiOptions) {
    this.transport = new SupabaseApiTransport(options);
  }

  listBranches(ref: string): Promise<SupabaseBranch[]> {
    return this.transport.call({
      action: 'Listing Supabase branches',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/branches`,
      schema: z.array(branchSchema),
      hints: { 422: BRANCHING_HINT },
    });
  }
  createBranch(ref: string, body: { branch_name: string; persistent?: boolean }): Promise<SupabaseBranch> {
    return this.transport.call({
      action: 'Creating a Supabase branch',
      method: 'POST',
      path: `/v1/projects/${e(ref)}/branches`,
      body,
      schema: branchSchema,
      hints: { 422: BRANCHING_HINT },
    });
  }
  getBranchDetails(branchIdOrRef: string): Promise<SupabaseBranchDetails> {
    return this.transport.call({
      action: 'Reading a Supabase branch',
      method: 'GET',
      path: `/v1/branches/${e(branchIdOrRef)}`,
      schema: branchDetailsSchema,
    });
  }
  async deleteBranch(branchIdOrRef: string): Promise<void> {
    await this.transport.call({
      action: 'Deleting a Supabase branch',
      method: 'DELETE',
      path: `/v1/branches/${e(branchIdOrRef)}`,
      schema: actionSchema,
    });
  }
  /** Starts merging the branch's migrations into its parent (production); the merge itself runs asynchronously. */
  mergeBranch(branchIdOrRef: string, body: { migration_version?: string } = {}): Promise<BranchActionAnswer> {
    return this.transport.call({
      action: 'Merging a Supabase branch',
      method: 'POST',
      path: `/v1/branches/${e(branchIdOrRef)}/merge`,
      body,
      schema: actionSchema,
    });
  }
  /** Resets the branch database and re-runs its migrations (asynchronously). */
  resetBranch(branchIdOrRef: string, body: { migration_version?: string } = {}): Promise<BranchActionAnswer> {
    return this.transport.call({
      action: 'Resetting a Supabase branch',
      method: 'POST',
      path: `/v1/branches/${e(branchIdOrRef)}/reset`,
      body,
      schema: actionSchema,
    });
  }
  /** Runs SQL; answers the rows of the last statement (shape unconfirmed, see the header). */
  runQuery(
    ref: string,
    body: { query: string; read_only?: boolean },
    timeoutMs?: number,
  ): Promise<Array<Record<string, unknown>>> {
    const hints = { 400: 'fix the SQL and try again' };
    return this.transport.call({
      action: 'Running SQL on Supabase',
      method: 'POST',
      path: `/v1/projects/${e(ref)}/database/query`,
      body,
      schema: rowsSchema,
      hints,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }
  listMigrations(ref: string): Promise<SupabaseMigration[]> {
    return this.transport.call({
      action: 'Listing Supabase migrations',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/database/migrations`,
      schema: migrationsSchema,
    });
  }
  /** Applies and records a migration; the API answers no body. */
  async applyMigration(ref: string, body: { query: string; name?: string }): Promise<void> {
    await this.transport.call({
      action: 'Applying a Supabase migration',
      method: 'POST',
      path: `/v1/projects/${e(ref)}/database/migrations`,
      body,
      hints: { 400: 'fix the migration SQL and try again' },
    });
  }
  async securityAdvisors(ref: string): Promise<SupabaseLint[]> {
    return (
      await this.transport.call({
        action: 'Reading Supabase security advisors',
        method: 'GET',
        path: `/v1/projects/${e(ref)}/advisors/security`,
        schema: advisorsSchema,
      })
    ).lints;
  }
  /** Queries the project's logs (`logs.all`); an `error` in the answer is thrown, not returned. */
  async logs(
    ref: string,
    sql: string,
    range: { isoTimestampStart?: string; isoTimestampEnd?: string } = {},
  ): Promise<Array<Record<string, unknown>>> {
    const action = 'Reading Supabase logs';
    const query = { sql, iso_timestamp_start: range.isoTimestampStart, iso_timestamp_end: range.isoTimestampEnd };
    const answer = await this.transport.call({
      action,
      method: 'GET',
      path: `/v1/projects/${e(ref)}/analytics/endpoints/logs.all`,
      query,
      schema: logsSchema,
    });
    if (answer.error !== undefined) {
      const message = typeof answer.error === 'string' ? answer.error : answer.error.message;
      throw new SupabaseApiError(action, `${this.transport.scrub(message)}; fix the logs query`, false, 200);
    }
    return answer.result ?? [];
  }
  /**
   * Deploys an Edge Function (`POST /v1/projects/{ref}/functions/deploy?slug=`, multipart: a `metadata`
   * JSON part and one `file` part per source file, named by its path), creating it when it is new.
   */
  deployFunction(
    ref: string,
    slug: string,
    files: Array<{ path: string; content: string }>,
    metadata: { entrypoint_path: string; name: string; verify_jwt: boolean },
  ): Promise<SupabaseFunction> {
    const form = new FormData();
    form.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
    for (const f of files) form.append('file', new Blob([f.content], { type: 'application/typescript' }), f.path);
    return this.transport.call({
      action: `Deploying the Edge Function ${slug}`,
      method: 'POST',
      path: `/v1/projects/${e(ref)}/functions/deploy`,
      query: { slug },
      form,
      schema: functionSchema,
      hints: { 400: 'fix the function code and deploy again' },
    });
  }
  /** The project's Edge Functions. */
  listFunctions(ref: string): Promise<SupabaseFunction[]> {
    return this.transport.call({
      action: 'Listing Edge Functions',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/functions`,
      schema: z.array(functionSchema),
    });
  }
  async deleteFunction(ref: string, slug: string): Promise<void> {
    await this.transport.call({
      action: `Deleting the Edge Function ${slug}`,
      method: 'DELETE',
      path: `/v1/projects/${e(ref)}/functions/${e(slug)}`,
    });
  }
  /** The project's API keys; the anon key is what a browser would call the project with. */
  async anonKey(ref: string): Promise<string> {
    const keys = await this.transport.call({
      action: 'Reading the API keys',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/api-keys`,
      query: { reveal: 'true' },
      schema: apiKeysSchema,
    });
    const anon = keys.find((k) => k.name === 'anon')?.api_key;
    if (!anon)
      throw new SupabaseApiError(
        'Reading the API keys',
        'the project has no anon key; create one under Project Settings → API Keys',
        false,
        200,
      );
    return anon;
  }
  backups(ref: string): Promise<SupabaseBackups> {
    return this.transport.call({
      action: 'Listing Supabase backups',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/database/backups`,
      schema: backupsSchema,
    });
  }
}

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
import { ActionFailedError } from '../../domain/errors';

/** A preview branch as listed/created (`BranchResponse`, fields the bot uses); `project_ref` is the branch's own project. */
export const branchSchema = z.object({
  id: z.string(),
  name: z.string(),
  project_ref: z.string(),
  parent_project_ref: z.string(),
  is_default: z.boolean(),
  status: z.string(),
  created_at: z.string(),
});
/** Connection details of a branch (`BranchDetailResponse`); `status` is the project status (COMING_UP, ACTIVE_HEALTHY...); `jwt_secret` is dropped. */
export const branchDetailsSchema = z.object({
  ref: z.string(),
  status: z.string(),
  db_host: z.string(),
  db_port: z.number().int(),
  db_user: z.string().optional(),
  db_pass: z.string().optional(),
  postgres_version: z.string().optional(),
});
const actionSchema = z.object({ workflow_run_id: z.string().optional(), message: z.string() });
const rowsSchema = z.array(z.record(z.string(), z.unknown()));
const migrationsSchema = z.array(z.object({ version: z.string(), name: z.string().optional() }));
/** One advisor lint (`V1ProjectAdvisorsResponse.lints[]`); `level` is ERROR, WARN or INFO. */
export const lintSchema = z.object({
  name: z.string(),
  title: z.string(),
  level: z.string(),
  facing: z.string().optional(),
  categories: z.array(z.string()),
  description: z.string(),
  detail: z.string(),
  remediation: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  cache_key: z.string().optional(),
});
const advisorsSchema = z.object({ lints: z.array(lintSchema) });
const logsSchema = z.object({
  result: rowsSchema.optional(),
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
});
/** `V1BackupsResponse`. */
export const backupsSchema = z.object({
  region: z.string(),
  walg_enabled: z.boolean(),
  pitr_enabled: z.boolean(),
  backups: z.array(z.object({ is_physical_backup: z.boolean(), status: z.string(), inserted_at: z.string() })),
  physical_backup_data: z
    .object({
      earliest_physical_backup_date_unix: z.number().optional(),
      latest_physical_backup_date_unix: z.number().optional(),
    })
    .optional(),
});

/** A deployed Edge Function (`FunctionResponse`, fields the bot uses). */
export const functionSchema = z.object({
  id: z.string(),
  slug: z.string(),
  version: z.number().int(),
  status: z.string(),
});
const apiKeysSchema = z.array(z.object({ name: z.string(), api_key: z.string().nullable().optional() }));

export type SupabaseFunction = z.infer<typeof functionSchema>;
export type SupabaseBranch = z.infer<typeof branchSchema>;
export type SupabaseBranchDetails = z.infer<typeof branchDetailsSchema>;
export type SupabaseLint = z.infer<typeof lintSchema>;
export type SupabaseBackups = z.infer<typeof backupsSchema>;
export type SupabaseMigration = z.infer<typeof migrationsSchema>[number];
/** Answer of merge/reset (`BranchUpdateResponse`). */
export type BranchActionAnswer = z.infer<typeof actionSchema>;

/** An API failure; `status` is the HTTP status, undefined for network errors and timeouts. */
export class SupabaseApiError extends ActionFailedError {
  constructor(
    action: string,
    message: string,
    retryable: boolean,
    readonly status: number | undefined,
  ) {
    super(action, message, retryable);
    this.name = 'SupabaseApiError';
  }
}

/** Options of {@link SupabaseManagementApi}. */
export interface SupabaseManagementApiOptions {
  /** e.g. `https://api.supabase.com` (SUPABASE_API_URL). */
  baseUrl: string;
  accessToken: string;
  fetch?: typeof fetch;
  /** Per-request timeout; default 30000 ms. */
  timeoutMs?: number;
}

/** One request; `hints` say what to do on a 4xx status; no `schema` means the answer has no body. */
type Call<T> = {
  action: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  schema?: z.ZodType<T>;
  body?: unknown;
  form?: FormData;
} & {
  query?: Record<string, string | undefined>;
  timeoutMs?: number;
  hints?: Partial<Record<number, string>>;
};

const e = encodeURIComponent;
const BRANCHING_HINT = 'enable branching for the project in the Supabase dashboard';

/** One method per Management API endpoint; every response body is checked with zod. */
export class SupabaseManagementApi {
  private readonly baseUrl: string;
  private readonly accessToken: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: SupabaseManagementApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.accessToken = options.accessToken;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  listBranches(ref: string): Promise<SupabaseBranch[]> {
    return this.call({
      action: 'Listing Supabase branches',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/branches`,
      schema: z.array(branchSchema),
      hints: { 422: BRANCHING_HINT },
    });
  }
  createBranch(ref: string, body: { branch_name: string; persistent?: boolean }): Promise<SupabaseBranch> {
    return this.call({
      action: 'Creating a Supabase branch',
      method: 'POST',
      path: `/v1/projects/${e(ref)}/branches`,
      body,
      schema: branchSchema,
      hints: { 422: BRANCHING_HINT },
    });
  }
  getBranchDetails(branchIdOrRef: string): Promise<SupabaseBranchDetails> {
    return this.call({
      action: 'Reading a Supabase branch',
      method: 'GET',
      path: `/v1/branches/${e(branchIdOrRef)}`,
      schema: branchDetailsSchema,
    });
  }
  async deleteBranch(branchIdOrRef: string): Promise<void> {
    await this.call({
      action: 'Deleting a Supabase branch',
      method: 'DELETE',
      path: `/v1/branches/${e(branchIdOrRef)}`,
      schema: actionSchema,
    });
  }
  /** Starts merging the branch's migrations into its parent (production); the merge itself runs asynchronously. */
  mergeBranch(branchIdOrRef: string, body: { migration_version?: string } = {}): Promise<BranchActionAnswer> {
    return this.call({
      action: 'Merging a Supabase branch',
      method: 'POST',
      path: `/v1/branches/${e(branchIdOrRef)}/merge`,
      body,
      schema: actionSchema,
    });
  }
  /** Resets the branch database and re-runs its migrations (asynchronously). */
  resetBranch(branchIdOrRef: string, body: { migration_version?: string } = {}): Promise<BranchActionAnswer> {
    return this.call({
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
    return this.call({
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
    return this.call({
      action: 'Listing Supabase migrations',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/database/migrations`,
      schema: migrationsSchema,
    });
  }
  /** Applies and records a migration; the API answers no body. */
  async applyMigration(ref: string, body: { query: string; name?: string }): Promise<void> {
    await this.call({
      action: 'Applying a Supabase migration',
      method: 'POST',
      path: `/v1/projects/${e(ref)}/database/migrations`,
      body,
      hints: { 400: 'fix the migration SQL and try again' },
    });
  }
  async securityAdvisors(ref: string): Promise<SupabaseLint[]> {
    return (
      await this.call({
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
    const answer = await this.call({
      action,
      method: 'GET',
      path: `/v1/projects/${e(ref)}/analytics/endpoints/logs.all`,
      query,
      schema: logsSchema,
    });
    if (answer.error !== undefined) {
      const message = typeof answer.error === 'string' ? answer.error : answer.error.message;
      throw new SupabaseApiError(action, `${this.scrub(message)}; fix the logs query`, false, 200);
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
    return this.call({
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
    return this.call({
      action: 'Listing Edge Functions',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/functions`,
      schema: z.array(functionSchema),
    });
  }
  async deleteFunction(ref: string, slug: string): Promise<void> {
    await this.call({
      action: `Deleting the Edge Function ${slug}`,
      method: 'DELETE',
      path: `/v1/projects/${e(ref)}/functions/${e(slug)}`,
    });
  }
  /** The project's API keys; the anon key is what a browser would call the project with. */
  async anonKey(ref: string): Promise<string> {
    const keys = await this.call({
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
    return this.call({
      action: 'Listing Supabase backups',
      method: 'GET',
      path: `/v1/projects/${e(ref)}/database/backups`,
      schema: backupsSchema,
    });
  }

  private async call<T>(c: Call<T>): Promise<T> {
    const url = new URL(this.baseUrl + c.path);
    for (const [name, value] of Object.entries(c.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, value);
    // A multipart body sets its own content type (with the boundary).
    const json: { body?: string | FormData; headers?: Record<string, string> } =
      c.form !== undefined
        ? { body: c.form }
        : c.body === undefined
          ? {}
          : { body: JSON.stringify(c.body), headers: { 'content-type': 'application/json' } };
    const headers = { authorization: `Bearer ${this.accessToken}`, accept: 'application/json', ...json.headers };
    const timeoutMs = c.timeoutMs ?? this.timeoutMs;
    let response: Response, text: string;
    try {
      response = await this.fetchFn(url, {
        method: c.method,
        headers,
        body: json.body ?? null,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = ['TimeoutError', 'AbortError'].includes(String((error as { name?: unknown } | null)?.name)); // DOMException: not always instanceof Error
      const why = timedOut
        ? `no answer within ${timeoutMs} ms`
        : `could not reach ${url.origin} (${error instanceof Error ? error.message : String(error)})`;
      throw new SupabaseApiError(c.action, `${this.scrub(why)}; it can be retried`, true, undefined);
    }
    if (!response.ok) throw this.failure(c, response.status, text);
    if (c.schema === undefined) return undefined as T;
    const parsed = c.schema.safeParse(parseJson(text));
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new SupabaseApiError(
        c.action,
        `unexpected answer from ${c.method} ${c.path} (${issues.join('; ')}); the API may have changed`,
        false,
        response.status,
      );
    }
    return parsed.data;
  }

  private failure(c: Call<unknown>, status: number, text: string): SupabaseApiError {
    const message = (parseJson(text) as { message?: unknown } | undefined)?.message;
    const what = `HTTP ${status}${typeof message === 'string' ? `: ${this.scrub(message).slice(0, 500).replace(/\.$/, '')}` : ''}`;
    const retryable = status === 429 || status >= 500;
    const why =
      status === 401
        ? `the access token was rejected (${what}); check SUPABASE_ACCESS_TOKEN`
        : status === 403
          ? `the access token may not do this (${what}); check SUPABASE_ACCESS_TOKEN belongs to a member of the project's organization`
          : retryable
            ? `the Management API ${status === 429 ? 'rate-limited the bot' : 'failed'} (${what}); it can be retried`
            : `${what}; ${c.hints?.[status] ?? (status === 404 ? 'check SUPABASE_PROJECT_REF and that the branch still exists' : 'check the request')}`;
    return new SupabaseApiError(c.action, why, retryable, status);
  }

  /** Defence in depth: nothing that reaches an error message may contain the token. */
  private scrub(text: string): string {
    return this.accessToken === '' ? text : text.split(this.accessToken).join('[redacted]');
  }
}

/** The JSON value of a body, or undefined when it is not JSON (zod then reports the shape). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

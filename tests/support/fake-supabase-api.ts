import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { FakeSupabaseFunctions } from './fake-supabase-functions';
import { headerValue, listenLocal, readBody, sendJson, type LocalServer } from '../../dev/local-slack/local-http';

/*
 * A strict local Supabase Management API (v1): only the endpoints the bot uses, with the wire shapes of
 * the OpenAPI spec (see the header of src/changes/supabase-management-api.ts for the sources). Error
 * bodies are `{message}`; the 422 text of "branching disabled" is the one Supabase's MCP mocks use.
 */

/** One request received by the fake. */
export interface FakeSupabaseRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The raw Authorization header. */
  authorization: string | undefined;
  /** Parsed JSON body, undefined when there was none. */
  body: unknown;
  /** HTTP status the fake answered. */
  status: number;
}

/** A branch as the fake stores it (BranchResponse fields plus the fake's own state). */
export interface FakeBranch {
  id: string;
  name: string;
  project_ref: string;
  parent_project_ref: string;
  is_default: boolean;
  status: string;
  created_at: string;
  updated_at: string;
  /** Status reads left before the branch is MIGRATIONS_PASSED and its database ACTIVE_HEALTHY. */
  readsUntilReady: number;
  /** When set, the branch ends in this status instead (e.g. MIGRATIONS_FAILED). */
  endStatus?: string;
  merges: number;
  resets: number;
}

/** What the next request to a path answers instead of its normal result. Faults queue up. */
export interface FakeSupabaseFault {
  status: number;
  body?: unknown;
  /** Only requests with this method; any when absent. */
  method?: string;
}

/** Options of {@link startFakeSupabaseApi}. */
export interface FakeSupabaseOptions {
  accessToken?: string;
  /** Production project ref (20 lowercase letters). */
  projectRef?: string;
  branchingEnabled?: boolean;
  /** Status reads a new branch takes to become ready; default 2. */
  readsUntilReady?: number;
  /** Host and port the branch details give for a direct connection; default Supabase's `db.<ref>.supabase.co:5432`. */
  dbHost?: string;
  dbPort?: number;
}

/** The fake's handler for `database/query`: answers rows for SQL run on a (branch) project ref. */
export type FakeQueryHandler = (
  ref: string,
  body: { query: string; read_only?: boolean },
) => Array<Record<string, unknown>> | Promise<Array<Record<string, unknown>>>;

/** The fake's handler for `database/migrations` (POST): runs the migration; a throw answers 400 with its message. */
export type FakeMigrationHandler = (ref: string, body: { query: string; name?: string }) => void | Promise<void>;

const BRANCHING_DISABLED = { message: 'Preview branching is not enabled for this project.' };
const createBranchBody = z.strictObject({
  branch_name: z.string().min(1),
  persistent: z.boolean().optional(),
  git_branch: z.string().optional(),
  with_data: z.boolean().optional(),
});
const actionBody = z.strictObject({ migration_version: z.string().optional() });
const queryBody = z.strictObject({
  query: z.string().min(1),
  parameters: z.array(z.unknown()).optional(),
  read_only: z.boolean().optional(),
});
const migrationBody = z.strictObject({
  query: z.string().min(1),
  name: z.string().optional(),
  rollback: z.string().optional(),
});

type Answer = { status: number; body?: unknown };
type Route = {
  method: string;
  pattern: RegExp;
  bodySchema?: z.ZodType;
  multipart?: true;
  handle: (m: string[], body: unknown, q: Record<string, string>) => Answer | Promise<Answer>;
};

/** A local Management API on 127.0.0.1; see {@link startFakeSupabaseApi}. */
export class FakeSupabaseApi {
  readonly accessToken: string;
  readonly projectRef: string;
  branchingEnabled: boolean;
  readsUntilReady: number;
  readonly requests: FakeSupabaseRequest[] = [];
  readonly unexpected: string[] = [];
  readonly branches = new Map<string, FakeBranch>();
  readonly migrations = new Map<string, Array<{ version: string; name?: string }>>();
  lints: unknown[] = [];
  backupList: Array<{ is_physical_backup: boolean; status: string; inserted_at: string }> = [];
  onQuery: FakeQueryHandler = () => [];
  onMigration: FakeMigrationHandler = () => undefined;
  /** Answers `logs.all` queries; the default is one connection log line. */
  onLogs: (ref: string, query: Record<string, string>) => Array<Record<string, unknown>> = () => [
    { timestamp: 1735689600000000, event_message: 'connection received' },
  ];
  /** Edge Functions: deploy/list/delete, api-keys, and the projects' `/functions/v1/<slug>` endpoint. */
  readonly functions: FakeSupabaseFunctions;
  /** SQL on production is a bug of the bot except on its rollback path; a test of that path sets this. */
  productionSqlAllowed = false;
  private readonly dbHost: string | undefined;
  private readonly dbPort: number;
  private server: LocalServer | undefined;
  private readonly faults = new Map<string, FakeSupabaseFault[]>();
  private readonly routes: Route[] = [
    { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/branches$/, handle: ([ref]) => this.listBranches(ref!) },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/branches$/,
      bodySchema: createBranchBody,
      handle: ([ref], b) => this.createBranch(ref!, b as z.infer<typeof createBranchBody>),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/branches\/([^/]+)$/,
      handle: ([id]) => this.withBranch(id!, (b) => ({ status: 200, body: this.details(b) })),
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/branches\/([^/]+)$/,
      handle: ([id]) => this.withBranch(id!, (b) => this.deleteBranch(b)),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/branches\/([^/]+)\/merge$/,
      bodySchema: actionBody,
      handle: ([id]) => this.withBranch(id!, (b) => this.action(b, 'merges')),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/branches\/([^/]+)\/reset$/,
      bodySchema: actionBody,
      handle: ([id]) => this.withBranch(id!, (b) => this.action(b, 'resets')),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/query$/,
      bodySchema: queryBody,
      handle: ([ref], b) => this.query(ref!, b as z.infer<typeof queryBody>),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/migrations$/,
      handle: ([ref]) => this.onProject(ref!, () => ({ status: 200, body: this.migrations.get(ref!) ?? [] })),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/migrations$/,
      bodySchema: migrationBody,
      handle: ([ref], b) =>
        this.onProjectAsync(ref!, () => this.applyMigration(ref!, b as z.infer<typeof migrationBody>)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/advisors\/security$/,
      handle: ([ref]) => this.onProject(ref!, () => ({ status: 200, body: { lints: this.lints } })),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/analytics\/endpoints\/logs\.all$/,
      handle: ([ref], _b, q) => this.onProject(ref!, () => this.logs(ref!, q)),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/functions\/deploy$/,
      multipart: true,
      handle: ([ref], b, q) =>
        this.onProjectAsync(ref!, () => {
          const m = b as { raw: string; contentType?: string };
          return this.functions.deploy(ref!, q.slug, Buffer.from(m.raw, 'utf8'), m.contentType);
        }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/functions$/,
      handle: ([ref]) => this.onProject(ref!, () => this.functions.list(ref!)),
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/projects\/([^/]+)\/functions\/([^/]+)$/,
      handle: ([ref, slug]) => this.onProject(ref!, () => this.functions.remove(ref!, slug!)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/api-keys$/,
      handle: ([ref]) => this.onProject(ref!, () => this.functions.apiKeys(ref!)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/backups$/,
      handle: ([ref]) =>
        this.onProject(ref!, () => ({
          status: 200,
          body: {
            region: 'us-east-1',
            walg_enabled: true,
            pitr_enabled: false,
            backups: this.backupList,
            physical_backup_data: {},
          },
        })),
    },
  ];

  constructor(options: FakeSupabaseOptions = {}) {
    this.accessToken = options.accessToken ?? 'sbp_fake_token_0123456789abcdef';
    this.projectRef = options.projectRef ?? 'prodprojectref000001';
    this.branchingEnabled = options.branchingEnabled ?? true;
    this.readsUntilReady = options.readsUntilReady ?? 2;
    this.dbHost = options.dbHost;
    this.dbPort = options.dbPort ?? 5432;
    this.functions = new FakeSupabaseFunctions(this.unexpected);
    // With branching on, production itself is the default branch (its project_ref is the parent's).
    this.addBranch('main', {
      project_ref: this.projectRef,
      is_default: true,
      readsUntilReady: 0,
      status: 'MIGRATIONS_PASSED',
    });
  }

  /** `http://127.0.0.1:<port>`: the client's `baseUrl`. */
  get baseUrl(): string {
    if (this.server === undefined) throw new Error('fake Supabase API is not listening');
    return this.server.origin;
  }

  async listen(): Promise<void> {
    this.server = await listenLocal(
      (req, res) => this.route(req, res),
      (error) => this.unexpected.push(`fake crashed: ${String(error)}`),
    );
  }

  /** Seeds a branch of the production project (e.g. a person's own branch, or a leftover bot branch). */
  addBranch(name: string, fields: Partial<FakeBranch> = {}): FakeBranch {
    const now = new Date().toISOString();
    const branch: FakeBranch = {
      id: randomUUID(),
      name,
      project_ref: randomRef(),
      parent_project_ref: this.projectRef,
      is_default: false,
      status: 'CREATING_PROJECT',
      created_at: now,
      updated_at: now,
      readsUntilReady: this.readsUntilReady,
      merges: 0,
      resets: 0,
      ...fields,
    };
    this.branches.set(branch.id, branch);
    return branch;
  }

  branchNamed(name: string): FakeBranch | undefined {
    return [...this.branches.values()].find((b) => b.name === name);
  }

  failNext(path: string, fault: FakeSupabaseFault): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), fault]);
  }

  /** Requests to `path` (without query string), optionally of one method. */
  requestsTo(path: string, method?: string): FakeSupabaseRequest[] {
    return this.requests.filter((r) => r.path === path && (method === undefined || r.method === method));
  }

  assertNoUnexpected(): void {
    if (this.unexpected.length > 0)
      throw new Error(
        `Fake Supabase API received unexpected requests:\n${this.unexpected.map((u) => `  - ${u}`).join('\n')}`,
      );
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const authorization = headerValue(req, 'authorization');
    const invoked = /^\/([a-z0-9]+)\/functions\/v1\/([^/]+)$/.exec(url.pathname);
    if (invoked && method === 'POST') {
      const answer = this.functions.invoke(
        invoked[1]!,
        invoked[2]!,
        { apikey: headerValue(req, 'apikey'), authorization },
        raw,
      );
      this.requests.push({ method, path: url.pathname, query: {}, authorization, body: raw, status: answer.status });
      sendJson(res, answer.status, answer.body);
      return;
    }
    const entry: FakeSupabaseRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization,
      body: undefined,
      status: 0,
    };
    this.requests.push(entry);
    const answer = await this.answer(entry, raw, headerValue(req, 'content-type'));
    entry.status = answer.status;
    if (answer.body === undefined) {
      res.writeHead(answer.status, { 'content-length': '0' });
      res.end();
    } else sendJson(res, answer.status, answer.body);
  }

  private answer(entry: FakeSupabaseRequest, raw: string, contentType: string | undefined): Answer | Promise<Answer> {
    const what = `${entry.method} ${entry.path}`;
    if (!/^Bearer \S+$/.test(entry.authorization ?? '')) {
      this.unexpected.push(`${what} without an "Authorization: Bearer <token>" header`);
      return { status: 401, body: { message: 'Unauthorized' } };
    }
    if (entry.authorization !== `Bearer ${this.accessToken}`) return { status: 401, body: { message: 'Unauthorized' } };
    const route = this.routes.find((r) => r.method === entry.method && r.pattern.test(entry.path));
    if (route === undefined) {
      this.unexpected.push(`${what}: no such endpoint in the fake`);
      return { status: 404, body: { message: 'Not Found' } };
    }
    if (route.multipart)
      return route.handle(
        route.pattern.exec(entry.path)!.slice(1).map(decodeURIComponent),
        { raw, contentType },
        entry.query,
      );
    if (raw !== '') {
      if (route.bodySchema === undefined || !(contentType ?? '').startsWith('application/json')) {
        this.unexpected.push(`${what}: unexpected body (${contentType ?? 'no content-type'})`);
        return { status: 400, body: { message: 'Bad Request' } };
      }
      try {
        entry.body = JSON.parse(raw);
      } catch {
        this.unexpected.push(`${what}: body is not JSON`);
        return { status: 400, body: { message: 'Bad Request' } };
      }
    }
    if (route.bodySchema !== undefined) {
      const parsed = route.bodySchema.safeParse(entry.body);
      if (!parsed.success) {
        this.unexpected.push(
          `${what}: invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
        return { status: 400, body: { message: 'Bad Request' } };
      }
    }
    const queue = this.faults.get(entry.path);
    const index = queue?.findIndex((f) => f.method === undefined || f.method === entry.method) ?? -1;
    if (queue !== undefined && index >= 0) {
      const [fault] = queue.splice(index, 1);
      return { status: fault!.status, body: fault!.body };
    }
    return route.handle(route.pattern.exec(entry.path)!.slice(1).map(decodeURIComponent), entry.body, entry.query);
  }

  private listBranches(ref: string): Answer {
    if (ref !== this.projectRef) return this.wrongProject(`GET branches of ${ref}`);
    if (!this.branchingEnabled) return { status: 422, body: BRANCHING_DISABLED };
    return { status: 200, body: [...this.branches.values()].map((b) => this.read(b)) };
  }

  private createBranch(ref: string, body: z.infer<typeof createBranchBody>): Answer {
    if (ref !== this.projectRef) return this.wrongProject(`POST branches of ${ref}`);
    if (!this.branchingEnabled) return { status: 422, body: BRANCHING_DISABLED };
    if (this.branchNamed(body.branch_name) !== undefined) {
      this.unexpected.push(`POST branches: ${body.branch_name} already exists (the client should have reused it)`);
      return { status: 409, body: { message: `Branch ${body.branch_name} already exists` } };
    }
    return { status: 201, body: wire(this.addBranch(body.branch_name)) };
  }

  /** A status read: moves a coming-up branch one step towards ready. */
  private read(branch: FakeBranch): Record<string, unknown> {
    if (branch.readsUntilReady > 0) {
      branch.readsUntilReady -= 1;
      branch.status = branch.readsUntilReady > 0 ? 'RUNNING_MIGRATIONS' : (branch.endStatus ?? 'MIGRATIONS_PASSED');
    } else if (branch.status === 'CREATING_PROJECT') branch.status = branch.endStatus ?? 'MIGRATIONS_PASSED';
    return wire(branch);
  }

  private details(b: FakeBranch): Record<string, unknown> {
    const up = b.status === 'MIGRATIONS_PASSED' || b.status === 'FUNCTIONS_DEPLOYED';
    return {
      ref: b.project_ref,
      postgres_version: '17.4.1.054',
      postgres_engine: '17',
      release_channel: 'ga',
      status: up ? 'ACTIVE_HEALTHY' : 'COMING_UP',
      db_host: this.dbHost ?? `db.${b.project_ref}.supabase.co`,
      db_port: this.dbPort,
      db_user: 'postgres',
      db_pass: 'branch-db-pass',
      jwt_secret: 'branch-jwt-secret',
    };
  }

  private withBranch(idOrRef: string, then: (b: FakeBranch) => Answer): Answer {
    const branch = [...this.branches.values()].find((b) => b.id === idOrRef || b.project_ref === idOrRef);
    return branch === undefined ? { status: 404, body: { message: 'Branch not found' } } : then(branch);
  }

  private deleteBranch(branch: FakeBranch): Answer {
    if (branch.is_default) {
      this.unexpected.push('DELETE of the default (production) branch');
      return { status: 422, body: { message: 'Cannot delete the default branch.' } };
    }
    this.branches.delete(branch.id);
    return { status: 200, body: { message: 'ok' } };
  }

  private action(branch: FakeBranch, counter: 'merges' | 'resets'): Answer {
    if (branch.is_default) this.unexpected.push(`${counter} of the default (production) branch`);
    branch[counter] += 1;
    return { status: 201, body: { workflow_run_id: randomUUID(), message: 'ok' } };
  }

  private query(ref: string, body: z.infer<typeof queryBody>): Promise<Answer> {
    if (ref === this.projectRef && !this.productionSqlAllowed)
      this.unexpected.push(`SQL run on the production project ${ref}: ${body.query}`);
    return this.onProjectAsync(ref, async () => {
      try {
        return { status: 201, body: await this.onQuery(ref, body) };
      } catch (error) {
        return { status: 400, body: { message: (error as Error).message } };
      }
    });
  }

  private async applyMigration(ref: string, body: z.infer<typeof migrationBody>): Promise<Answer> {
    try {
      await this.onMigration(ref, body);
    } catch (error) {
      return { status: 400, body: { message: (error as Error).message } };
    }
    const list = this.migrations.get(ref) ?? [];
    list.push({ version: `2025010100000${list.length}`, ...(body.name === undefined ? {} : { name: body.name }) });
    this.migrations.set(ref, list);
    return { status: 200 };
  }

  private logs(ref: string, q: Record<string, string>): Answer {
    if ((q.sql ?? '') === '') this.unexpected.push('logs.all without a sql parameter');
    return { status: 200, body: { result: this.onLogs(ref, q) } };
  }

  private async onProjectAsync(ref: string, then: () => Promise<Answer>): Promise<Answer> {
    const known = ref === this.projectRef || [...this.branches.values()].some((b) => b.project_ref === ref);
    return known ? then() : this.wrongProject(`request for project ${ref}`);
  }

  private onProject(ref: string, then: () => Answer): Answer {
    const known = ref === this.projectRef || [...this.branches.values()].some((b) => b.project_ref === ref);
    return known ? then() : this.wrongProject(`request for project ${ref}`);
  }

  private wrongProject(what: string): Answer {
    this.unexpected.push(`${what}: not a project of this fake`);
    return { status: 404, body: { message: 'Project not found' } };
  }
}

/** Starts a fake Management API on 127.0.0.1 with a random port. */
export async function startFakeSupabaseApi(options: FakeSupabaseOptions = {}): Promise<FakeSupabaseApi> {
  const fake = new FakeSupabaseApi(options);
  await fake.listen();
  return fake;
}

function wire(b: FakeBranch): Record<string, unknown> {
  return {
    id: b.id,
    name: b.name,
    project_ref: b.project_ref,
    parent_project_ref: b.parent_project_ref,
    is_default: b.is_default,
    persistent: false,
    status: b.status,
    created_at: b.created_at,
    updated_at: b.updated_at,
    with_data: false,
  };
}

function randomRef(): string {
  return [...randomBytes(20)].map((x) => 'abcdefghijklmnopqrstuvwxyz'[x % 26]).join('');
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeSupabaseBranches, type FakeBranch } from './fake-supabase-branches';
import { FakeSupabaseFunctions } from './fake-supabase-functions';
import { fakeSupabaseRoutes, type FakeMigrationBody, type FakeQueryBody } from './fake-supabase-routes';
import { headerValue, listenLocal, readBody, sendJson, type LocalServer } from '../../dev/local-slack/local-http';

/*
 * A strict local Supabase Management API (v1): only the endpoints the bot uses, with the wire shapes of
 * the OpenAPI spec (see the header of src/changes/supabase-management-api.ts for the sources). Error
 * bodies are `{message}`; the 422 text of "branching disabled" is the one Supabase's MCP mocks use.
 * The endpoint table is in fake-supabase-routes.ts, branches in fake-supabase-branches.ts and Edge
 * Functions in fake-supabase-functions.ts; this file checks each request and keeps what it received.
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

type Answer = { status: number; body?: unknown };

/** A local Management API on 127.0.0.1; see {@link startFakeSupabaseApi}. */
export class FakeSupabaseApi {
  readonly accessToken: string;
  readonly projectRef: string;
  readonly requests: FakeSupabaseRequest[] = [];
  readonly unexpected: string[] = [];
  readonly migrations = new Map<string, Array<{ version: string; name?: string }>>();
  lints: unknown[] = [];
  backupList: Array<{ is_physical_backup: boolean; status: string; inserted_at: string }> = [];
  onQuery: FakeQueryHandler = () => [];
  onMigration: FakeMigrationHandler = () => undefined;
  /** Answers `logs.all` queries; the default is one connection log line. */
  onLogs: (ref: string, query: Record<string, string>) => Array<Record<string, unknown>> = () => [
    { timestamp: 1735689600000000, event_message: 'connection received' },
  ];
  /** Branches of the production project: list, create, read, delete, merge and reset. */
  readonly branching: FakeSupabaseBranches;
  /** Edge Functions: deploy/list/delete, api-keys, and the projects' `/functions/v1/<slug>` endpoint. */
  readonly functions: FakeSupabaseFunctions;
  /** SQL on production is a bug of the bot except on its rollback path; a test of that path sets this. */
  productionSqlAllowed = false;
  private server: LocalServer | undefined;
  private readonly faults = new Map<string, FakeSupabaseFault[]>();
  private readonly routes = fakeSupabaseRoutes(this);
  constructor(options: FakeSupabaseOptions = {}) {
    this.accessToken = options.accessToken ?? 'sbp_fake_token_0123456789abcdef';
    this.projectRef = options.projectRef ?? 'prodprojectref000001';
    this.branching = new FakeSupabaseBranches(this.unexpected, {
      projectRef: this.projectRef,
      branchingEnabled: options.branchingEnabled ?? true,
      readsUntilReady: options.readsUntilReady ?? 2,
      dbHost: options.dbHost,
      dbPort: options.dbPort ?? 5432,
    });
    this.functions = new FakeSupabaseFunctions(this.unexpected);
    // With branching on, production itself is the default branch (its project_ref is the parent's).
    this.branching.add('main', {
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

  /** Whether the production project has branching enabled; a project without it answers 422 to branch requests. */
  get branchingEnabled(): boolean {
    return this.branching.branchingEnabled;
  }

  set branchingEnabled(enabled: boolean) {
    this.branching.branchingEnabled = enabled;
  }

  /** Seeds a branch of the production project (e.g. a person's own branch, or a leftover bot branch). */
  addBranch(name: string, fields: Partial<FakeBranch> = {}): FakeBranch {
    return this.branching.add(name, fields);
  }

  branchNamed(name: string): FakeBranch | undefined {
    return this.branching.named(name);
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

  /** Runs SQL through onQuery; SQL on production is unexpected unless productionSqlAllowed. */
  query(ref: string, body: FakeQueryBody): Promise<Answer> {
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

  /** Runs a migration through onMigration and records it in the project's migration history. */
  async applyMigration(ref: string, body: FakeMigrationBody): Promise<Answer> {
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

  /** Answers a `logs.all` query through onLogs. */
  logs(ref: string, q: Record<string, string>): Answer {
    if ((q.sql ?? '') === '') this.unexpected.push('logs.all without a sql parameter');
    return { status: 200, body: { result: this.onLogs(ref, q) } };
  }

  /** Answers with `then` when `ref` is the production project or one of its branches, else 404. */
  async onProjectAsync(ref: string, then: () => Promise<Answer>): Promise<Answer> {
    return this.branching.isProject(ref) ? then() : this.wrongProject(`request for project ${ref}`);
  }

  /** As onProjectAsync, for an answer that is ready at once. */
  onProject(ref: string, then: () => Answer): Answer {
    return this.branching.isProject(ref) ? then() : this.wrongProject(`request for project ${ref}`);
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

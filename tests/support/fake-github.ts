import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { headerValue, listenLocal, readBody, sendJson, type LocalServer } from '../../dev/local-slack/local-http';
import {
  contentsAnswer,
  type FakeAnswer,
  type FakeGitHubApp,
  issueInstallationToken,
  patchPullBody,
  pullBody,
  putFileBody,
  refBody,
  sha,
} from './fake-github-repo';
import { actionsAnswer, type FakeRun, type FakeRunScript } from './fake-github-actions';

interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  state: 'open' | 'closed';
  merged: boolean;
}

/**
 * A strict local GitHub REST API for one repository: branches, the contents API, Actions runs that a
 * push starts (scripted by the test through `onPush`), jobs and their logs (a 302 to the log, as
 * GitHub answers), and pull requests. Anything else is recorded in `unexpected`.
 */
export class FakeGitHub {
  readonly token = 'ghp_fake_token_0123456789';
  readonly repository = 'acme/platform';
  readonly unexpected: string[] = [];
  /** Every request the fake received, in order (`METHOD /path`, the query left off). */
  readonly requests: string[] = [];
  readonly branches = new Map<string, string>([['main', sha('initial')]]);
  readonly files = new Map<string, Map<string, string>>();
  readonly runs: FakeRun[] = [];
  readonly pulls: FakePull[] = [];
  /** Which runs a push starts; the default starts none. */
  onPush: (branch: string, files: Map<string, string>) => FakeRunScript[] = () => [];
  /** Set by `useApp`: installation tokens are issued to this App only. */
  app: FakeGitHubApp | undefined;
  /** Installation tokens the fake issued; each is accepted like `token`. */
  readonly issued: string[] = [];
  /** Answers queued by `failNext`, by `METHOD /path`. */
  private readonly faults: Array<{ request: string; answer: FakeAnswer; headers: Record<string, string> }> = [];
  private server: LocalServer | undefined;
  private nextId = 1000;

  get apiUrl(): string {
    return this.server!.origin;
  }

  /** The requests that would change the repository: anything but a read. */
  get writes(): string[] {
    return this.requests.filter((r) => !r.startsWith('GET '));
  }

  async listen(): Promise<void> {
    this.server = await listenLocal(
      (req, res) => this.route(req, res),
      (error) => this.unexpected.push(`fake GitHub crashed: ${String(error)}`),
    );
  }

  async close(): Promise<void> {
    await this.server?.close();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    // Octokit sends `heads%2Fmain` and `supabase%2Fmigrations` for path parameters; GitHub reads them as `/`.
    url.pathname = url.pathname.replace(/%2F/gi, '/');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    this.requests.push(`${method} ${url.pathname}`);
    const log = /^\/_logs\/(\d+)$/.exec(url.pathname);
    if (log && method === 'GET') {
      const job = this.runs.flatMap((r) => r.jobs).find((j) => j.id === Number(log[1]));
      res.writeHead(job ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(job?.log ?? 'not found');
      return;
    }
    const fault = this.faults.findIndex((f) => f.request === `${method} ${url.pathname}`);
    if (fault >= 0) {
      const [f] = this.faults.splice(fault, 1);
      res.writeHead(f!.answer.status, { 'content-type': 'application/json', ...f!.headers });
      res.end(JSON.stringify(f!.answer.body));
      return;
    }
    const installation = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (installation && method === 'POST') return issueInstallationToken(this, req, res, installation[1]!);
    const credential = /^(?:token|bearer) (.+)$/i.exec(headerValue(req, 'authorization') ?? '')?.[1];
    if (credential === undefined || (credential !== this.token && !this.issued.includes(credential))) {
      this.unexpected.push(`${method} ${url.pathname} without the token`);
      sendJson(res, 401, { message: 'Bad credentials' });
      return;
    }
    if (headerValue(req, 'x-github-api-version') !== '2022-11-28' || !headerValue(req, 'user-agent'))
      this.unexpected.push(`${method} ${url.pathname} without the API version or a user agent`);
    const prefix = `/repos/${this.repository}`;
    if (!url.pathname.startsWith(prefix)) return this.unknown(res, method, url.pathname);
    const path = url.pathname.slice(prefix.length);
    const body = raw ? (JSON.parse(raw) as unknown) : undefined;
    const answer = this.answer(method, path, url.searchParams, body);
    if (!answer) return this.unknown(res, method, url.pathname);
    if (answer.redirect) {
      res.writeHead(302, { location: `${this.apiUrl}${answer.redirect}` });
      res.end();
      return;
    }
    if (answer.body === undefined) {
      res.writeHead(answer.status);
      res.end();
    } else sendJson(res, answer.status, answer.body);
  }

  private answer(
    method: string,
    path: string,
    q: URLSearchParams,
    body: unknown,
  ): { status: number; body?: unknown; redirect?: string } | undefined {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '')
      return { status: 200, body: { full_name: this.repository, default_branch: 'main' } };
    if (method === 'GET' && (m = /^\/git\/ref\/heads\/(.+)$/.exec(path))) {
      const head = this.branches.get(decodeURIComponent(m[1]!));
      return head
        ? { status: 200, body: { ref: `refs/heads/${m[1]}`, object: { sha: head, type: 'commit' } } }
        : { status: 404, body: { message: 'Not Found' } };
    }
    if (method === 'POST' && path === '/git/refs') {
      const b = this.parse(refBody, body, 'POST /git/refs');
      const name = b.ref.slice('refs/heads/'.length);
      if (this.branches.has(name)) return { status: 422, body: { message: 'Reference already exists' } };
      this.branches.set(name, b.sha);
      this.files.set(name, new Map(this.files.get('main') ?? []));
      return { status: 201, body: { ref: b.ref, object: { sha: b.sha } } };
    }
    if (method === 'DELETE' && (m = /^\/git\/refs\/heads\/(.+)$/.exec(path))) {
      const deleted = this.branches.delete(decodeURIComponent(m[1]!));
      return deleted ? { status: 204 } : { status: 422, body: { message: 'Reference does not exist' } };
    }
    if ((m = /^\/contents\/(.+)$/.exec(path))) {
      const file = m[1]!.split('/').map(decodeURIComponent).join('/');
      const branch = method === 'GET' ? (q.get('ref') ?? 'main') : (body as { branch?: string } | undefined)?.branch;
      const answer = contentsAnswer(this.files.get(branch ?? ''), method, file, body, (what) => {
        this.unexpected.push(`${what}: invalid body ${JSON.stringify(body)}`);
        throw new Error(`invalid body for ${what}`);
      });
      if (answer) {
        if (method === 'DELETE' && answer.status === 200)
          this.branches.set(branch!, sha(`${branch}:-${file}:${this.nextId++}`));
        return answer;
      }
      if (method === 'PUT') {
        const b = this.parse(putFileBody, body, `PUT /contents/${file}`);
        const files = this.files.get(b.branch);
        if (!files || !this.branches.has(b.branch))
          return { status: 404, body: { message: `Branch ${b.branch} not found` } };
        const before = files.get(file);
        if (before !== undefined && b.sha !== sha(before))
          return { status: 409, body: { message: `${file} does not match ${b.sha}` } };
        files.set(file, Buffer.from(b.content, 'base64').toString('utf8'));
        const commit = sha(`${b.branch}:${file}:${this.nextId++}`);
        this.branches.set(b.branch, commit);
        for (const script of this.onPush(b.branch, files)) {
          this.runs.push({
            id: this.nextId++,
            name: script.name,
            branch: b.branch,
            head_sha: commit,
            readsLeft: script.readsUntilDone ?? 1,
            jobs: script.jobs.map((j) => ({ ...j, id: this.nextId++ })),
          });
        }
        return {
          status: before === undefined ? 201 : 200,
          body: { content: { path: file, sha: sha(files.get(file)!) }, commit: { sha: commit } },
        };
      }
    }
    const actions = actionsAnswer(this.runs, this.repository, method, path, q);
    if (actions) return actions;
    if (method === 'GET' && (m = /^\/actions\/jobs\/(\d+)\/logs$/.exec(path)))
      return { status: 302, redirect: `/_logs/${m[1]}` };
    if (method === 'GET' && path === '/pulls') {
      const head = q.get('head')?.split(':')[1];
      return {
        status: 200,
        body: this.pulls
          .filter((p) => p.head === head && p.state === (q.get('state') ?? 'open'))
          .map((p) => this.wirePull(p)),
      };
    }
    if (method === 'POST' && path === '/pulls') {
      const b = this.parse(pullBody, body, 'POST /pulls');
      if (this.pulls.some((p) => p.head === b.head && p.state === 'open'))
        return { status: 422, body: { message: 'A pull request already exists' } };
      const pull: FakePull = {
        number: this.pulls.length + 1,
        head: b.head,
        base: b.base,
        title: b.title,
        state: 'open',
        merged: false,
      };
      this.pulls.push(pull);
      return { status: 201, body: this.wirePull(pull) };
    }
    if (method === 'GET' && (m = /^\/pulls\/(\d+)$/.exec(path))) {
      const pull = this.pulls.find((p) => p.number === Number(m![1]));
      return pull ? { status: 200, body: this.wirePull(pull) } : { status: 404, body: { message: 'Not Found' } };
    }
    if (method === 'PATCH' && (m = /^\/pulls\/(\d+)$/.exec(path))) {
      const pull = this.pulls.find((p) => p.number === Number(m![1]));
      if (!pull) return { status: 404, body: { message: 'Not Found' } };
      pull.state = this.parse(patchPullBody, body, 'PATCH /pulls').state;
      return { status: 200, body: this.wirePull(pull) };
    }
    return undefined;
  }

  private wirePull(p: FakePull): Record<string, unknown> {
    return {
      number: p.number,
      state: p.state,
      merged: p.merged,
      title: p.title,
      head: { ref: p.head },
      base: { ref: p.base },
      html_url: `https://github.com/${this.repository}/pull/${p.number}`,
    };
  }

  /** Merges a pull request as a person would on GitHub: its branch's files become the base branch's. */
  mergePull(number: number): void {
    const pull = this.pulls.find((p) => p.number === number && p.state === 'open');
    if (!pull) throw new Error(`no open pull request #${number}`);
    this.files.set(pull.base, new Map(this.files.get(pull.head)));
    this.branches.set(pull.base, sha(`merge ${number}`));
    Object.assign(pull, { state: 'closed', merged: true });
  }

  /** Answers the next `METHOD /path` (the query left off) with `answer`, before any other check. */
  failNext(request: string, answer: FakeAnswer, headers: Record<string, string> = {}): void {
    this.faults.push({ request, answer, headers });
  }

  /** Makes the fake a GitHub App's installation: tokens come from POST /app/installations/{id}/access_tokens. */
  useApp(app: FakeGitHubApp): void {
    this.app = app;
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      this.unexpected.push(`${what}: invalid body ${JSON.stringify(body)}`);
      throw new Error(`invalid body for ${what}`);
    }
    return parsed.data;
  }

  private unknown(res: ServerResponse, method: string, path: string): void {
    this.unexpected.push(`${method} ${path}: no such endpoint in the fake`);
    sendJson(res, 404, { message: 'Not Found' });
  }
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const fake = new FakeGitHub();
  await fake.listen();
  return fake;
}

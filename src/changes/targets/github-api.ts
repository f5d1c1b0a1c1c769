/*
 * The parts of GitHub's REST API (2022-11-28) the CI path uses: a branch from the default branch,
 * files committed to it, the Actions runs of its head commit, the logs of failed jobs, and a pull
 * request after approval. Every answer is checked with zod.
 *   GET    /repos/{o}/{r}                                  200 {default_branch}
 *   GET    /repos/{o}/{r}/git/ref/heads/{branch}           200 {object:{sha}}; 404 when missing
 *   POST   /repos/{o}/{r}/git/refs {ref, sha}              201; 422 when it exists
 *   DELETE /repos/{o}/{r}/git/refs/heads/{branch}          204; 422 when missing
 *   GET    /repos/{o}/{r}/contents/{path}?ref=             200 {sha}; 404 when missing
 *   PUT    /repos/{o}/{r}/contents/{path} {message, content(base64), branch, sha?}  200/201 {commit:{sha}}
 *   GET    /repos/{o}/{r}/actions/runs?branch=&head_sha=   200 {workflow_runs[]}
 *   GET    /repos/{o}/{r}/actions/runs/{id}/jobs           200 {jobs[]}
 *   GET    /repos/{o}/{r}/actions/jobs/{id}/logs           302 to the plain-text log
 *   GET    /repos/{o}/{r}/pulls?head=o:branch&state=open   200 [{number, html_url}]
 *   POST   /repos/{o}/{r}/pulls {title, head, base, body}  201 {number, html_url}
 *   PATCH  /repos/{o}/{r}/pulls/{n} {state:"closed"}       200
 */
import { z } from 'zod';
import { ActionFailedError } from '../../domain/errors';
import { CI_PATH_RULE, normaliseWorkflowPath } from '../checks/ci-file-policy';

const repoSchema = z.object({ default_branch: z.string() });
const refSchema = z.object({ object: z.object({ sha: z.string() }) });
const contentSchema = z.object({ sha: z.string() });
const commitSchema = z.object({ commit: z.object({ sha: z.string() }) });
const runSchema = z.object({
  id: z.number(),
  name: z.string().nullable().optional(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  html_url: z.string(),
});
const runsSchema = z.object({ workflow_runs: z.array(runSchema) });
const jobsSchema = z.object({
  jobs: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      conclusion: z.string().nullable(),
      html_url: z.string().nullable().optional(),
    }),
  ),
});
const pullSchema = z.object({ number: z.number(), html_url: z.string() });

export type WorkflowRun = z.infer<typeof runSchema>;
export type PullRequest = z.infer<typeof pullSchema>;

/** A GitHub answer that is not what the call needed; `status` is undefined for network failures. */
export class GitHubApiError extends ActionFailedError {
  constructor(
    action: string,
    message: string,
    retryable: boolean,
    readonly status: number | undefined,
  ) {
    super(action, message, retryable);
    this.name = 'GitHubApiError';
  }
}

export interface GitHubApiOptions {
  /** `https://api.github.com` (GITHUB_API_URL) or a GitHub Enterprise API root. */
  baseUrl: string;
  token: string;
  /** `owner/name` (GITHUB_REPOSITORY). */
  repository: string;
  timeoutMs?: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One method per endpoint; the token never appears in an error message. */
export class GitHubApi {
  private readonly base: string;
  private readonly repo: string;

  constructor(private readonly opts: GitHubApiOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.repo = opts.repository.split('/').map(encodeURIComponent).join('/');
  }

  async defaultBranch(): Promise<string> {
    return (await this.call('Reading the repository', 'GET', '', repoSchema))!.default_branch;
  }
  /** The head commit of a branch, or undefined when there is no such branch. */
  async branchSha(branch: string): Promise<string | undefined> {
    const ref = await this.call(
      'Reading a branch',
      'GET',
      `/git/ref/heads/${encodeURIComponent(branch)}`,
      refSchema,
      undefined,
      [404],
    );
    return ref?.object.sha;
  }
  /** Creates `branch` at `sha`; an existing branch is left as it is. */
  async createBranch(branch: string, sha: string): Promise<void> {
    await this.call('Creating a branch', 'POST', '/git/refs', undefined, { ref: `refs/heads/${branch}`, sha }, [422]);
  }
  async deleteBranch(branch: string): Promise<void> {
    await this.call(
      'Deleting a branch',
      'DELETE',
      `/git/refs/heads/${encodeURIComponent(branch)}`,
      undefined,
      undefined,
      [404, 422],
    );
  }
  /**
   * Commits one workflow file to `branch` (created or replaced); returns the new commit's sha. A path
   * outside the CI path rule is refused here too, before any request.
   */
  async putFile(branch: string, path: string, content: string, message: string): Promise<string> {
    const checked = normaliseWorkflowPath(path);
    if ('refused' in checked || checked.path !== path)
      throw new GitHubApiError(
        `Committing ${JSON.stringify(path)}`,
        `refused: ${'refused' in checked ? checked.refused : 'it is not normalised'}; the bot commits only ${CI_PATH_RULE}`,
        false,
        undefined,
      );
    const route = `/contents/${path.split('/').map(encodeURIComponent).join('/')}`;
    const existing = await this.call(
      'Reading a file',
      'GET',
      `${route}?ref=${encodeURIComponent(branch)}`,
      contentSchema,
      undefined,
      [404],
    );
    const body = {
      message,
      content: Buffer.from(content, 'utf8').toString('base64'),
      branch,
      ...(existing ? { sha: existing.sha } : {}),
    };
    return (await this.call(`Committing ${path}`, 'PUT', route, commitSchema, body))!.commit.sha;
  }
  async runsFor(branch: string, headSha: string): Promise<WorkflowRun[]> {
    const query = `?branch=${encodeURIComponent(branch)}&head_sha=${encodeURIComponent(headSha)}&per_page=50`;
    return (await this.call('Listing workflow runs', 'GET', `/actions/runs${query}`, runsSchema))!.workflow_runs;
  }
  /** The jobs of a run that did not succeed, with the end of each one's log. */
  async failedJobLogs(runId: number, lines: number): Promise<Array<{ name: string; url?: string; log: string }>> {
    const jobs = (await this.call('Listing the jobs of a run', 'GET', `/actions/runs/${runId}/jobs`, jobsSchema))!.jobs;
    const failed = jobs.filter(
      (j) => j.conclusion !== null && j.conclusion !== 'success' && j.conclusion !== 'skipped',
    );
    const out: Array<{ name: string; url?: string; log: string }> = [];
    for (const job of failed) {
      const text = await this.text(`Reading the log of ${job.name}`, `/actions/jobs/${job.id}/logs`).catch(
        (error: Error) => `(the log could not be read: ${error.message})`,
      );
      out.push({
        name: job.name,
        ...(job.html_url ? { url: job.html_url } : {}),
        log: text.trimEnd().split('\n').slice(-lines).join('\n'),
      });
    }
    return out;
  }
  async openPullRequest(head: string, base: string, title: string, body: string): Promise<PullRequest> {
    const owner = this.opts.repository.split('/')[0]!;
    const open = await this.call(
      'Listing pull requests',
      'GET',
      `/pulls?head=${encodeURIComponent(`${owner}:${head}`)}&state=open`,
      z.array(pullSchema),
    );
    if (open?.[0]) return open[0];
    return (await this.call('Opening a pull request', 'POST', '/pulls', pullSchema, { title, head, base, body }))!;
  }
  async closePullRequest(number: number): Promise<void> {
    await this.call('Closing a pull request', 'PATCH', `/pulls/${number}`, undefined, { state: 'closed' });
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.opts.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'infra-orchestrator',
    };
  }

  /** A plain-text answer, following GitHub's redirect to the log's storage. */
  private async text(action: string, route: string): Promise<string> {
    const response = await this.fetch(action, 'GET', route);
    if (!response.ok) throw this.failure(action, response.status, await response.text());
    return response.text();
  }

  private async call<T>(
    action: string,
    method: Method,
    route: string,
    schema: z.ZodType<T> | undefined,
    body?: unknown,
    tolerated: number[] = [],
  ): Promise<T | undefined> {
    const response = await this.fetch(action, method, route, body);
    const text = await response.text();
    if (tolerated.includes(response.status)) return undefined;
    if (!response.ok) throw this.failure(action, response.status, text);
    if (!schema) return undefined;
    const parsed = schema.safeParse(text ? JSON.parse(text) : undefined);
    if (!parsed.success)
      throw new GitHubApiError(
        action,
        `unexpected answer from ${method} ${route.split('?')[0]} (${parsed.error.issues[0]?.message}); the API may have changed`,
        false,
        response.status,
      );
    return parsed.data;
  }

  private async fetch(action: string, method: Method, route: string, body?: unknown): Promise<Response> {
    const url = `${this.base}/repos/${this.repo}${route}`;
    const timeoutMs = this.opts.timeoutMs ?? 30_000;
    try {
      return await fetch(url, {
        method,
        headers: { ...this.headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new GitHubApiError(
        action,
        `could not reach ${new URL(url).origin} (${this.scrub((error as Error).message)}); it can be retried`,
        true,
        undefined,
      );
    }
  }

  private failure(action: string, status: number, text: string): GitHubApiError {
    let message = '';
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? '');
    } catch {
      message = text.slice(0, 200);
    }
    const what = `HTTP ${status}${message ? `: ${this.scrub(message)}` : ''}`;
    const retryable = status === 429 || status >= 500;
    const why =
      status === 401
        ? `the token was rejected (${what}); check GITHUB_TOKEN`
        : status === 403 || status === 404
          ? `${what}; check that GITHUB_TOKEN may read and write ${this.opts.repository} (contents, actions, pull requests)`
          : retryable
            ? `GitHub answered ${what}; it can be retried`
            : what;
    return new GitHubApiError(action, why, retryable, status);
  }

  private scrub(text: string): string {
    return text.split(this.opts.token).join('[redacted]');
  }
}

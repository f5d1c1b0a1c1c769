/*
 * The parts of GitHub's REST API (2022-11-28) the bot uses, through Octokit (src/changes/targets/github-client.ts):
 * branches from the default branch, files committed to and deleted from them, directory listings (the
 * repository's migrations), the Actions runs of a commit and the logs of failed jobs, and pull requests.
 * Every answer the bot reads is checked with zod.
 */
import { z } from 'zod';
import { ApiCallError } from './api-call-error';
import { CI_PATH_RULE, normaliseWorkflowPath } from '../checks/ci-file-policy';
import type { BotOctokit } from './github-client';

const runSchema = z.object({
  id: z.number(),
  name: z.string().nullable().optional(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  html_url: z.string(),
});
const jobsSchema = z.array(
  z.object({
    id: z.number(),
    name: z.string(),
    conclusion: z.string().nullable(),
    html_url: z.string().nullable().optional(),
  }),
);
const pullSchema = z.object({ number: z.number(), html_url: z.string() });
const pullStateSchema = pullSchema.extend({ state: z.string(), merged: z.boolean().optional() });
const entrySchema = z.object({ name: z.string(), path: z.string(), sha: z.string(), type: z.string() });
const fileSchema = z.object({ sha: z.string() });

export type WorkflowRun = z.infer<typeof runSchema>;
export type PullRequest = z.infer<typeof pullSchema>;
export type DirectoryEntry = z.infer<typeof entrySchema>;

/** A GitHub answer that is not what the call needed; `status` is undefined for network failures. */
export class GitHubApiError extends ApiCallError {}

export interface GitHubApiOptions {
  octokit: BotOctokit;
  /** `owner/name` (GITHUB_REPOSITORY). */
  repository: string;
  /** Which setting to name when GitHub refuses the credentials (GITHUB_TOKEN or the GitHub App's). */
  credentials: string;
}

/** One method per use; a 404 or 422 that means "not there" or "already there" is an answer, not an error. */
export class GitHubApi {
  private readonly owner: string;
  private readonly repo: string;

  constructor(private readonly opts: GitHubApiOptions) {
    [this.owner, this.repo] = opts.repository.split('/') as [string, string];
  }

  get repository(): string {
    return this.opts.repository;
  }

  async defaultBranch(): Promise<string> {
    const { data } = await this.call('Reading the repository', () => this.rest.repos.get(this.where()));
    return z.object({ default_branch: z.string() }).parse(data).default_branch;
  }
  /** The head commit of a branch, or undefined when there is no such branch. */
  async branchSha(branch: string): Promise<string | undefined> {
    const ref = await this.call(
      'Reading a branch',
      () => this.rest.git.getRef({ ...this.where(), ref: `heads/${branch}` }),
      [404],
    );
    return ref && z.object({ object: z.object({ sha: z.string() }) }).parse(ref.data).object.sha;
  }
  /** Creates `branch` at `sha`; an existing branch is left as it is. */
  async createBranch(branch: string, sha: string): Promise<void> {
    await this.call(
      'Creating a branch',
      () => this.rest.git.createRef({ ...this.where(), ref: `refs/heads/${branch}`, sha }),
      [422],
    );
  }
  async deleteBranch(branch: string): Promise<void> {
    await this.call(
      'Deleting a branch',
      () => this.rest.git.deleteRef({ ...this.where(), ref: `heads/${branch}` }),
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
    return this.commitFile(branch, path, content, message);
  }
  /** Commits a file the caller has checked the path of (created or replaced); returns the commit's sha. */
  async commitFile(branch: string, path: string, content: string, message: string): Promise<string> {
    const existing = await this.fileSha(path, branch);
    const { data } = await this.call(`Committing ${path}`, () =>
      this.rest.repos.createOrUpdateFileContents({
        ...this.where(),
        path,
        message,
        content: Buffer.from(content, 'utf8').toString('base64'),
        branch,
        ...(existing ? { sha: existing } : {}),
      }),
    );
    return z.object({ commit: z.object({ sha: z.string() }) }).parse(data).commit.sha;
  }
  /** Deletes a file from `branch`; a file that is not there is left alone. */
  async deleteFile(branch: string, path: string, message: string): Promise<void> {
    const existing = await this.fileSha(path, branch);
    if (!existing) return;
    await this.call(`Deleting ${path}`, () =>
      this.rest.repos.deleteFile({ ...this.where(), path, message, sha: existing, branch }),
    );
  }
  /** The blob sha of a file on `ref`, or undefined when there is none. */
  async fileSha(path: string, ref: string): Promise<string | undefined> {
    const found = await this.call(
      'Reading a file',
      () => this.rest.repos.getContent({ ...this.where(), path, ref }),
      [404],
    );
    if (!found || Array.isArray(found.data)) return undefined;
    return fileSchema.parse(found.data).sha;
  }
  /** The entries of a folder on `ref`; undefined when there is no such folder. */
  async listDirectory(path: string, ref: string): Promise<DirectoryEntry[] | undefined> {
    const found = await this.call(
      `Listing ${path}`,
      () => this.rest.repos.getContent({ ...this.where(), path, ref }),
      [404],
    );
    if (!found) return undefined;
    if (!Array.isArray(found.data))
      throw new GitHubApiError(`Listing ${path}`, `${path} is a file on ${ref}, not a folder`, false, 200);
    return z.array(entrySchema).parse(found.data);
  }
  async runsFor(branch: string, headSha: string): Promise<WorkflowRun[]> {
    const { data } = await this.call('Listing workflow runs', () =>
      this.rest.actions.listWorkflowRunsForRepo({ ...this.where(), branch, head_sha: headSha, per_page: 50 }),
    );
    return z.object({ workflow_runs: z.array(runSchema) }).parse(data).workflow_runs;
  }
  /** The jobs of a run that did not succeed, with the end of each one's log. */
  async failedJobLogs(runId: number, lines: number): Promise<Array<{ name: string; url?: string; log: string }>> {
    const { data } = await this.call('Listing the jobs of a run', () =>
      this.rest.actions.listJobsForWorkflowRun({ ...this.where(), run_id: runId }),
    );
    const jobs = jobsSchema.parse((data as { jobs?: unknown }).jobs);
    const failed = jobs.filter(
      (j) => j.conclusion !== null && j.conclusion !== 'success' && j.conclusion !== 'skipped',
    );
    const out: Array<{ name: string; url?: string; log: string }> = [];
    for (const job of failed) {
      const text = await this.call(`Reading the log of ${job.name}`, () =>
        this.rest.actions.downloadJobLogsForWorkflowRun({ ...this.where(), job_id: job.id }),
      )
        .then((r) => String(r.data))
        .catch((error: Error) => `(the log could not be read: ${error.message})`);
      out.push({
        name: job.name,
        ...(job.html_url ? { url: job.html_url } : {}),
        log: text.trimEnd().split('\n').slice(-lines).join('\n'),
      });
    }
    return out;
  }
  /** The open pull request of `head`, or a new one. */
  async openPullRequest(head: string, base: string, title: string, body: string): Promise<PullRequest> {
    const { data: open } = await this.call('Listing pull requests', () =>
      this.rest.pulls.list({ ...this.where(), head: `${this.owner}:${head}`, state: 'open' }),
    );
    const existing = z.array(pullSchema).parse(open)[0];
    if (existing) return existing;
    const { data } = await this.call('Opening a pull request', () =>
      this.rest.pulls.create({ ...this.where(), title, head, base, body }),
    );
    return pullSchema.parse(data);
  }
  /** A pull request's state: `open` or `closed`, and whether it was merged. */
  async pullRequest(number: number): Promise<z.infer<typeof pullStateSchema>> {
    const { data } = await this.call('Reading a pull request', () =>
      this.rest.pulls.get({ ...this.where(), pull_number: number }),
    );
    return pullStateSchema.parse(data);
  }
  async closePullRequest(number: number): Promise<void> {
    await this.call('Closing a pull request', () =>
      this.rest.pulls.update({ ...this.where(), pull_number: number, state: 'closed' }),
    );
  }

  private get rest(): BotOctokit['rest'] {
    return this.opts.octokit.rest;
  }

  private where(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.repo };
  }

  /** Runs one request; a status in `tolerated` answers undefined, anything else failing is a GitHubApiError. */
  private async call<T>(action: string, request: () => Promise<T>, tolerated: number[] = []): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && tolerated.includes(status)) return undefined as T;
      throw this.failure(action, error as Error, typeof status === 'number' && status > 0 ? status : undefined);
    }
  }

  private failure(action: string, error: Error, status: number | undefined): GitHubApiError {
    if (error instanceof GitHubApiError) return error;
    if (status === undefined)
      return new GitHubApiError(
        action,
        `could not reach GitHub (${this.scrub(error.message)}); it can be retried`,
        true,
        undefined,
      );
    const what = `HTTP ${status}: ${this.scrub(error.message).slice(0, 200)}`;
    const retryable = status === 429 || status >= 500;
    const credentials = this.opts.credentials;
    const why =
      status === 401
        ? `the credentials were rejected (${what}); check ${credentials}`
        : status === 403 || status === 404
          ? `${what}; check that ${credentials} may read and write ${this.opts.repository} (contents, actions, pull requests)`
          : retryable
            ? `GitHub answered ${what}; it can be retried`
            : what;
    return new GitHubApiError(action, why, retryable, status);
  }

  /** Octokit's messages carry no credentials; any token-looking text is cut out all the same. */
  private scrub(text: string): string {
    return text.replace(
      /\b(gh[pousr]_[A-Za-z0-9_]{10,}|github_pat_[A-Za-z0-9_]{10,}|eyJ[\w-]+\.[\w-]+\.[\w-]+)/g,
      '[redacted]',
    );
  }
}

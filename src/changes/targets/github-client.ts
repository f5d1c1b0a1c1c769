import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from '../../logger';

/** The Octokit the bot talks to GitHub with: retries of 5xx answers and GitHub's rate limits respected. */
export const BotOctokit = Octokit.plugin(retry, throttling);
export type BotOctokit = InstanceType<typeof BotOctokit>;

/** A token (GITHUB_TOKEN), or a GitHub App installation (GITHUB_APP_ID, …), whose tokens Octokit renews. */
export type GitHubAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: string };

export interface GitHubClientOptions {
  /** `https://api.github.com` (GITHUB_API_URL) or a GitHub Enterprise Server API root (`https://host/api/v3`). */
  baseUrl: string;
  auth: GitHubAuth;
  logger: Logger;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /**
   * Milliseconds per second of a `retry-after` (GitHub's rate limits, and the retry plugin's back-off);
   * default 1000. Tests pass 1 so a rate-limit answer is retried at once.
   */
  retryAfterBaseValue?: number;
  /** How many times a rate-limited request is tried again; default 2. */
  rateLimitRetries?: number;
}

/** Builds the client: the API version header on every request, a timeout, and both plugins. */
export function createGitHubClient(opts: GitHubClientOptions): BotOctokit {
  const log = opts.logger.child({ component: 'github' });
  const retries = opts.rateLimitRetries ?? 2;
  const base = opts.retryAfterBaseValue ?? 1000;
  const onLimit =
    (kind: string) => (retryAfter: number, options: { method: string; url: string }, _o: unknown, n: number) => {
      log.warn({ method: options.method, url: options.url, retryAfter, attempt: n + 1 }, `GitHub ${kind} rate limit`);
      return n < retries;
    };
  const octokit = new BotOctokit({
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    userAgent: 'infra-orchestrator',
    ...(opts.auth.kind === 'token'
      ? { auth: opts.auth.token }
      : {
          authStrategy: createAppAuth,
          auth: {
            appId: opts.auth.appId,
            privateKey: opts.auth.privateKey,
            installationId: opts.auth.installationId,
          },
        }),
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      retryAfterBaseValue: base,
    },
    retry: { retryAfterBaseValue: base },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.error(m),
    },
  });
  octokit.hook.before('request', (options) => {
    options.headers['x-github-api-version'] = '2022-11-28';
    options.request = { ...options.request, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) };
  });
  return octokit;
}

import { GitHubApi } from '../../src/changes/targets/github-api';
import { createGitHubClient } from '../../src/changes/targets/github-client';
import { createLogger } from '../../src/logger';
import type { FakeGitHub } from './fake-github';

/** The bot's client on the fake, with a token; a `retry-after` second lasts 1 ms. */
export function apiOn(github: FakeGitHub, token = github.token): GitHubApi {
  const octokit = createGitHubClient({
    baseUrl: github.apiUrl,
    auth: { kind: 'token', token },
    logger: createLogger('silent'),
    retryAfterBaseValue: 1,
  });
  return new GitHubApi({ octokit, repository: github.repository, credentials: 'GITHUB_TOKEN' });
}

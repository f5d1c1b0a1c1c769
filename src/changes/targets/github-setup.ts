import type { Config } from '../../config/config';
import type { Logger } from '../../logger';
import { GitHubApi } from './github-api';
import { createGitHubClient, type GitHubAuth } from './github-client';

/** What tests may change: how long a `retry-after` second lasts (see {@link createGitHubClient}). */
export interface GitHubSetupOptions {
  retryAfterBaseValue?: number;
}

/**
 * The repository client, when GITHUB_REPOSITORY and credentials are set: a GitHub App installation
 * (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID) wins over GITHUB_TOKEN.
 */
export function buildGitHub(config: Config, logger: Logger, opts: GitHubSetupOptions = {}): GitHubApi | undefined {
  if (!config.GITHUB_REPOSITORY) return undefined;
  let auth: GitHubAuth;
  let credentials: string;
  if (config.GITHUB_APP_ID && config.GITHUB_APP_PRIVATE_KEY && config.GITHUB_APP_INSTALLATION_ID) {
    auth = {
      kind: 'app',
      appId: config.GITHUB_APP_ID,
      privateKey: config.GITHUB_APP_PRIVATE_KEY,
      installationId: config.GITHUB_APP_INSTALLATION_ID,
    };
    credentials = 'the GitHub App (GITHUB_APP_ID, its installation and permissions)';
  } else if (config.GITHUB_TOKEN) {
    auth = { kind: 'token', token: config.GITHUB_TOKEN };
    credentials = 'GITHUB_TOKEN';
  } else return undefined;
  const octokit = createGitHubClient({
    baseUrl: config.GITHUB_API_URL,
    auth,
    logger,
    ...(opts.retryAfterBaseValue === undefined ? {} : { retryAfterBaseValue: opts.retryAfterBaseValue }),
  });
  return new GitHubApi({ octokit, repository: config.GITHUB_REPOSITORY, credentials });
}

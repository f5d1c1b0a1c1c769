import { generateKeyPairSync } from 'node:crypto';
import { buildGitHub } from '../../src/changes/targets/github-setup';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github';

describe('a GitHub App installation instead of a token', () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await startFakeGitHub();
  });
  afterEach(async () => {
    await github.close();
  });

  function configWith(env: Record<string, string>) {
    return loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'secret-0123456789',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      GITHUB_REPOSITORY: github.repository,
      GITHUB_API_URL: github.apiUrl,
      ...env,
    });
  }

  it('signs a JWT with the App key, takes an installation token, and calls the API with it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    github.useApp({
      appId: '4242',
      installationId: '777',
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const config = configWith({
      GITHUB_APP_ID: '4242',
      // One line, as in an env file: `\n` stands for the line breaks.
      GITHUB_APP_PRIVATE_KEY: pem.trimEnd().split('\n').join('\\n'),
      GITHUB_APP_INSTALLATION_ID: '777',
    });
    const api = buildGitHub(config, createLogger('silent'))!;
    expect(await api.defaultBranch()).toBe('main');
    expect(await api.branchSha('main')).toBe(github.branches.get('main'));
    expect(github.requests.slice(0, 2)).toEqual([
      'POST /app/installations/777/access_tokens',
      `GET /repos/${github.repository}`,
    ]);
    expect(github.issued).toHaveLength(1);
    expect(github.unexpected).toEqual([]);
  });

  it('refuses to start with only part of the App settings, naming the missing one', () => {
    expect(() => configWith({ GITHUB_APP_ID: '4242', GITHUB_APP_INSTALLATION_ID: '777' })).toThrow(
      /GITHUB_APP_PRIVATE_KEY is invalid: a GitHub App needs all three/,
    );
  });
});

import { type FakeGitHub, startFakeGitHub } from '../support/fake-github';
import { apiOn } from '../support/github-client-on-fake';

describe('GitHub API client', () => {
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await startFakeGitHub();
  });
  afterEach(async () => {
    await github.close();
  });

  it('says to check GITHUB_TOKEN when the token is rejected, and never shows the token', async () => {
    const api = apiOn(github, 'ghp_wrong_token_abcdef');
    const error = (await api.defaultBranch().catch((e: Error) => e)) as Error;
    expect(error.message).toContain('check GITHUB_TOKEN');
    expect(error.message).not.toContain('ghp_wrong_token_abcdef');
  });

  it(
    'creates a branch once, commits a file over an existing one with its sha, and reads ' +
      'failed job logs through the redirect',
    async () => {
      const api = apiOn(github);
      github.onPush = () => [
        { name: 'ci', jobs: [{ name: 'test', conclusion: 'failure', log: 'line 1\nline 2\nboom' }] },
      ];
      const base = (await api.branchSha('main'))!;
      await api.createBranch('infra-wf-7', base);
      await api.createBranch('infra-wf-7', base);
      await api.putFile('infra-wf-7', '.github/workflows/ci.yml', 'a: 1\n', 'first');
      const head = await api.putFile('infra-wf-7', '.github/workflows/ci.yml', 'a: 2\n', 'second');
      expect(github.files.get('infra-wf-7')?.get('.github/workflows/ci.yml')).toBe('a: 2\n');
      const [run] = await api.runsFor('infra-wf-7', head);
      expect(await api.failedJobLogs(run!.id, 2)).toEqual([
        expect.objectContaining({ name: 'test', log: 'line 2\nboom' }),
      ]);
      expect(await api.branchSha('no-such-branch')).toBeUndefined();
      expect(github.unexpected).toEqual([]);
    },
  );

  it('refuses to commit a file outside .github/workflows/ or with a .. segment, before any request', async () => {
    const api = apiOn(github);
    for (const path of [
      '.github/workflows/../../src/evil.yml',
      '../x.yml',
      'src/evil.yml',
      './.github/workflows/a.yml',
    ]) {
      await expect(api.putFile('main', path, 'x', 'm')).rejects.toThrow(/refused/);
    }
    expect(github.requests).toEqual([]);
  });

  it('waits out a 403 secondary rate limit and tries the request again', async () => {
    const api = apiOn(github);
    github.failNext(
      `GET /repos/${github.repository}`,
      { status: 403, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' } },
      { 'retry-after': '30' },
    );
    expect(await api.defaultBranch()).toBe('main');
    expect(github.requests).toEqual([`GET /repos/${github.repository}`, `GET /repos/${github.repository}`]);
    expect(github.unexpected).toEqual([]);
  });

  it('gives up on a secondary rate limit that does not lift, saying what GitHub answered', async () => {
    const api = apiOn(github);
    const limited = { status: 403, body: { message: 'You have exceeded a secondary rate limit.' } };
    for (let i = 0; i < 3; i++) github.failNext(`GET /repos/${github.repository}`, limited, { 'retry-after': '1' });
    const error = (await api.defaultBranch().catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/HTTP 403: You have exceeded a secondary rate limit/);
    expect(github.requests).toHaveLength(3);
  });
});

import { compareServers, sameServerBySessionMarker } from '../../src/changes/targets/branch-server-check';
import { checkBranchServer } from '../../src/changes/targets/build-change-target';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { branchServerUrl, createTestTarget, type TestTarget, urlFor } from './test-target';

let target: TestTarget;

beforeAll(async () => {
  target = await createTestTarget();
});

afterAll(async () => {
  await target.cleanup();
});

function configWith(env: Record<string, string>) {
  return loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 'abcdefgh12',
    DATABASE_URL: 'postgres://u@h/db',
    TARGET_DATABASE_URL: target.url,
    ...env,
  });
}

describe('the start-up check of the branch server', () => {
  test('refuses to start, naming INFRA_BRANCH_DATABASE_URL, when the branch server is the production server', async () => {
    const check = checkBranchServer(
      configWith({ INFRA_BRANCH_DATABASE_URL: urlFor('postgres', target.url) }),
      createLogger('silent'),
    );

    await expect(check).rejects.toThrow(ConfigError);
    await expect(check).rejects.toThrow(
      new RegExp(
        'INFRA_BRANCH_DATABASE_URL is the production server of TARGET_DATABASE_URL \\(same system identifier\\)' +
          '.*INFRA_ALLOW_SHARED_BRANCH_SERVER=true',
      ),
    );
  });

  test('lets the bot start on one server when INFRA_ALLOW_SHARED_BRANCH_SERVER=true says so', async () => {
    await expect(
      checkBranchServer(
        configWith({
          INFRA_BRANCH_DATABASE_URL: urlFor('postgres', target.url),
          INFRA_ALLOW_SHARED_BRANCH_SERVER: 'true',
        }),
        createLogger('silent'),
      ),
    ).resolves.toBeUndefined();
  });

  test('accepts a separate branch server, whose login (no superuser) still reads the system identifier', async () => {
    await expect(compareServers(target.url, branchServerUrl())).resolves.toEqual({
      same: false,
      method: 'system identifier',
    });
    await expect(
      checkBranchServer(configWith({ INFRA_BRANCH_DATABASE_URL: branchServerUrl() }), createLogger('silent')),
    ).resolves.toBeUndefined();
  });

  test('the session-marker fallback tells one server behind two URLs from two servers, as a login without privileges', async () => {
    await expect(sameServerBySessionMarker(urlFor('postgres', branchServerUrl()), branchServerUrl())).resolves.toBe(
      true,
    );
    await expect(sameServerBySessionMarker(target.url, branchServerUrl())).resolves.toBe(false);
    await expect(sameServerBySessionMarker(target.url, urlFor('postgres', target.url))).resolves.toBe(true);
  });

  test('the provider refuses to make a branch on the production server even when the start-up check could not run', async () => {
    const shared = await createTestTarget({ provider: { branchServerUrl: urlFor('postgres', target.url) } });
    try {
      await expect(shared.provider.createBranch(shared.newWorkflowId())).rejects.toThrow(
        /INFRA_BRANCH_DATABASE_URL names the production server/,
      );
    } finally {
      await shared.cleanup();
    }
  });
});

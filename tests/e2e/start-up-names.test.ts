import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/logger';
import { startRuntime } from '../../src/runtime';

describe('start-up with a misspelt name in workflows/', () => {
  let parent: string;
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('stops start-up naming the file and field, before it connects to Postgres or Redis', async () => {
    parent = mkdtempSync(join(tmpdir(), 'start-up-'));
    const dir = join(parent, 'workflows');
    cpSync(join(__dirname, '../../workflows'), dir, { recursive: true });
    const file = join(dir, 'schema-change.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('actions: [branch-test]', 'actions: [branch-tset]'));
    // Nothing listens on these ports: an attempt to connect before the check would fail with another message.
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    await expect(
      startRuntime(config, { roles: { web: true, worker: true }, logger: createLogger('silent'), workflowsDir: dir }),
    ).rejects.toThrow(
      'workflows/schema-change.yml is invalid: steps[1].actions[0]: "branch-tset" is not an action this bot has (known: ' +
        'branch-test, ci-review, ci-run, edge-function-test, rls-audit, smoke-test). Fix the file and ' +
        'restart the bot.',
    );
  });
});

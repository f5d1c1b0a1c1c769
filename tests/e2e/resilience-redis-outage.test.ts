import { setTimeout as sleep } from 'node:timers/promises';
import { APPROVER, CHANNEL, Harness } from '../support/harness';
import { headlineCount, openGateAfterOutage } from '../support/outage-helpers';
import { type PrivateRedis, startPrivateRedis } from '../support/private-redis';
import { scriptSchemaChange, submit } from '../support/scripted-agents';

/** Longer than a job's 3 attempts with a 1 s exponential backoff. */
const OUTAGE_MS = 15_000;

jest.setTimeout(150_000);

/**
 * The bot's queue lives on a Redis server of this test's own (never the shared one on 6379), stopped
 * while step 2's agent works: the worker's lock renewal, the job's completion, the next enqueue and the
 * delivery queue's rate limiter all meet a Redis that does not answer.
 */
describe('Redis outages', () => {
  let redis: PrivateRedis | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await redis?.start().catch(() => undefined);
    await h?.close();
    h = undefined;
    await redis?.remove();
    redis = undefined;
  });

  for (const persistent of [true, false]) {
    const how = persistent ? 'comes back with its data' : 'comes back empty, its jobs lost';
    it(`finishes a workflow whose step met a 15 s Redis outage when Redis ${how}, posting nothing twice`, async () => {
      const server = await startPrivateRedis({ persistent });
      redis = server;
      const harness = await Harness.start({
        env: {
          REDIS_URL: server.url,
          INFRA_OUTAGE_TOLERANCE_MS: '600000',
          INFRA_OUTAGE_RETRY_MAX_MS: '1000',
          INFRA_STEP_ATTEMPTS: '3',
        },
      });
      h = harness;
      scriptSchemaChange(harness.claude, ['data-migration-specialist']);
      let back: Promise<void> | undefined;
      harness.claude.script('data-migration-specialist', [
        () => {
          back = server.stop().then(async () => {
            await sleep(OUTAGE_MS);
            await server.start();
          });
          return submit('data-migration-specialist') as { toolUse: { name: string; input: Record<string, unknown> } };
        },
        submit('data-migration-specialist'),
      ]);
      await harness.command('Add a new table for user preferences');
      const root = await harness.root();
      await harness.click(await openGateAfterOutage(harness, root, 'API Review', 60_000), 'approve', APPROVER);
      await harness.claude.waitFor(() => back, { description: 'Redis stopped during step 2', timeoutMs: 20_000 });
      await back;

      for (const title of ['Branch Test', 'Security', 'Smoke Test'])
        await harness.click(await openGateAfterOutage(harness, root, title, 60_000), 'approve', APPROVER);
      await harness.waitForState('succeeded');
      await harness.waitForInThread(root, /Workflow complete/);
      expect(headlineCount(harness, root, '[2/5] Invoking data-migration-specialist...')).toBe(1);
      expect(harness.threadTexts(root).filter((t) => t.includes('Quality gate · Migration: Branch Test'))).toHaveLength(
        1,
      );
      expect(harness.threadTexts(root).join('\n')).not.toMatch(/retrying \(attempt|Workflow failed/);
      expect(harness.slack.channelMessages(CHANNEL)).toHaveLength(1);
      harness.slack.assertNoUnexpected();
    });
  }
});

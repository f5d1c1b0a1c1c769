import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import {
  type TestCluster,
  startServer,
  startTestCluster,
  stopServer,
  stopTestCluster,
} from '../support/branch-server-cluster';
import type { BullJobQueue } from '../../src/engine/jobs/queues';
import { APPROVER, CHANNEL, Harness } from '../support/harness';
import { headlineCount, openGateAfterOutage } from '../support/outage-helpers';
import { scriptSchemaChange, submit } from '../support/scripted-agents';

/** Longer than a job's old 3 attempts with a 1 s exponential backoff (about 7 s with the job's own time). */
const OUTAGE_MS = 15_000;

jest.setTimeout(120_000);

async function approveThrough(h: Harness, root: LocalSlackMessage, titles: string[]): Promise<void> {
  for (const title of titles) await h.click(await openGateAfterOutage(h, root, title), 'approve', APPROVER);
}

/**
 * The bot's own database lives on a Postgres cluster of this test's own (never the shared one on 5432),
 * which the tests stop and start.
 */
describe('Postgres outages', () => {
  let cluster: TestCluster;
  let h: Harness | undefined;
  const serverUrl = () => `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;

  beforeAll(async () => {
    cluster = await startTestCluster({ hostAuth: 'trust' });
  });
  afterEach(async () => {
    // A test that failed mid-outage leaves the server down; the clean-up needs it.
    try {
      startServer(cluster);
    } catch {
      // already running
    }
    await h?.close();
    h = undefined;
  });
  afterAll(() => stopTestCluster(cluster));

  it('finishes a workflow whose step met a 15 s Postgres outage, once Postgres is back, with no message posted twice', async () => {
    const harness = await Harness.start({
      databaseUrl: serverUrl(),
      env: { INFRA_OUTAGE_TOLERANCE_MS: '600000', INFRA_OUTAGE_RETRY_MAX_MS: '1000', INFRA_STEP_ATTEMPTS: '3' },
    });
    h = harness;
    scriptSchemaChange(harness.claude, ['data-migration-specialist']);
    let back: Promise<void> | undefined;
    harness.claude.script('data-migration-specialist', [
      () => {
        // Postgres goes away while the model works: recording the call and committing the step fail.
        stopServer(cluster);
        back = sleep(OUTAGE_MS).then(() => startServer(cluster));
        return submit('data-migration-specialist') as { toolUse: { name: string; input: Record<string, unknown> } };
      },
      submit('data-migration-specialist'),
    ]);
    await harness.command('Add a new table for user preferences');
    const root = await harness.root();
    await harness.click(await openGateAfterOutage(harness, root, 'API Review'), 'approve', APPROVER);
    await harness.claude.waitFor(() => back, { description: 'Postgres stopped during step 2', timeoutMs: 20_000 });
    await back;

    await approveThrough(harness, root, ['Branch Test', 'Security', 'Smoke Test']);
    await harness.waitForState('succeeded');
    await harness.waitForInThread(root, /Workflow complete/);
    expect(harness.claude.requestsFor('data-migration-specialist')).toHaveLength(2);
    expect(headlineCount(harness, root, '[2/5] Invoking data-migration-specialist...')).toBe(1);
    expect(harness.threadTexts(root).filter((t) => t.includes('Quality gate · Migration: Branch Test'))).toHaveLength(
      1,
    );
    expect(harness.threadTexts(root).join('\n')).not.toMatch(/retrying \(attempt|Workflow failed/);
    harness.slack.assertNoUnexpected();
  });

  it('goes on after an outage that outlasted the tolerance: the reconciler replaces the failed job under a new id', async () => {
    // No tolerance: the step job uses its 2 attempts during the outage and lands in BullMQ's failed set.
    const harness = await Harness.start({
      databaseUrl: serverUrl(),
      env: { INFRA_OUTAGE_TOLERANCE_MS: '0', INFRA_STEP_ATTEMPTS: '2' },
    });
    h = harness;
    scriptSchemaChange(harness.claude, ['data-migration-specialist']);
    let back: Promise<void> | undefined;
    harness.claude.script('data-migration-specialist', [
      () => {
        stopServer(cluster);
        back = sleep(OUTAGE_MS).then(() => startServer(cluster));
        return submit('data-migration-specialist') as { toolUse: { name: string; input: Record<string, unknown> } };
      },
      submit('data-migration-specialist'),
    ]);
    await harness.command('Add a new table for user preferences');
    const root = await harness.root();
    await harness.click(await openGateAfterOutage(harness, root, 'API Review'), 'approve', APPROVER);
    await harness.claude.waitFor(() => back, { description: 'Postgres stopped during step 2', timeoutMs: 20_000 });
    await back;

    await openGateAfterOutage(harness, root, 'Branch Test');
    const { queue } = harness.runtime.queue as BullJobQueue;
    const stepId = (await harness.pool.query('SELECT id FROM steps WHERE workflow_id = 1 AND idx = 1')).rows[0].id;
    expect((await queue.getFailed()).map((j) => j.id)).toContain(`step-${stepId}-g0`);
    const generations = await (await queue.getBackend().client).hgetall(queue.toKey('generations'));
    expect(generations).toEqual({ [`step-${stepId}-g0`]: '1' });
    expect(headlineCount(harness, root, '[2/5] Invoking data-migration-specialist...')).toBe(1);
    expect(await harness.workflowState()).toBe('waiting_gate');
  });

  it('survives a Postgres restart while a gate is open, with a client checked out, and the gate still works after', async () => {
    const harness = await Harness.start({
      databaseUrl: serverUrl(),
      env: { INFRA_OUTAGE_TOLERANCE_MS: '600000', INFRA_OUTAGE_RETRY_MAX_MS: '1000' },
    });
    h = harness;
    scriptSchemaChange(harness.claude);
    await harness.command('Add a new table for user preferences');
    const root = await harness.root();
    const gate = await openGateAfterOutage(harness, root, 'API Review');

    // A client checked out of the bot's pool, in a transaction, as a job holds one between two queries.
    const held: PoolClient = await harness.pool.connect();
    await held.query('BEGIN');
    stopServer(cluster);
    startServer(cluster);
    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release(true);

    // The click's root redraw meets a slow Slack (a 429 slept out for 3 s), and Postgres restarts meanwhile.
    harness.slack.failNext('chat.update', { status: 429, retryAfter: 3 });
    await harness.click(gate, 'approve', APPROVER);
    await harness.slack.waitFor(() => harness.slack.calls.some((c) => c.method === 'chat.update' && c.status === 429), {
      description: 'a chat.update answered 429',
    });
    stopServer(cluster);
    await sleep(1000);
    startServer(cluster);
    // A click that reached the bot while Postgres was down was answered "click again in a minute": do so.
    const apiReview = () => harness.slack.message(CHANNEL, gate.ts)!;
    for (let i = 0; i < 10 && JSON.stringify(apiReview().blocks ?? []).includes('gate_approve'); i++) {
      if (i > 0) await harness.click(apiReview(), 'approve', APPROVER);
      await sleep(3000);
    }

    await approveThrough(harness, root, ['Branch Test', 'Security', 'Smoke Test']);
    await harness.waitForState('succeeded');
    expect(textOf(harness.slack.message(CHANNEL, gate.ts))).toContain(`Approved by <@${APPROVER}>`);
    expect(headlineCount(harness, root, '[2/5] Invoking data-migration-specialist...')).toBe(1);
  });
});

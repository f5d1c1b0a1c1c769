import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import { APPROVER, CHANNEL, Harness, REDIS_URL, REQUESTER, deleteQueueKeys } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { scriptSchemaChange, submit } from '../support/scripted-agents';
import { spawnWorker } from '../support/spawn-worker';

const headlineCount = (h: Harness, root: { ts: string }, headline: string) =>
  h.slack.thread(CHANNEL, root.ts).filter((m) => textOf(m).startsWith(headline)).length;

describe('resilience', () => {
  let h: Harness;
  let children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    children = [];
    await h.close();
  });

  it('runs a step again when its worker is killed with SIGKILL mid-step, with no duplicate message in the thread', async () => {
    h = await Harness.start({ worker: false });
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    h.claude.script('data-migration-specialist', [{ hang: true }, submit('data-migration-specialist')]);
    const first = await spawnWorker(h);
    children.push(first);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.claude.waitFor(() => h.claude.requestsFor('data-migration-specialist').length === 1, {
      description: 'the step calls Claude',
    });
    await h.waitForInThread(root, /^\[2\/5\] Invoking data-migration-specialist\.\.\./);

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    children.push(await spawnWorker(h));

    await h.openGate(root, 'Branch Test');
    expect(h.claude.requestsFor('data-migration-specialist')).toHaveLength(2);
    expect(headlineCount(h, root, '[2/5] Invoking data-migration-specialist...')).toBe(1);
    const { rows } = await h.pool.query('SELECT run FROM steps WHERE workflow_id = 1 AND idx = 1');
    expect(rows[0].run).toBe(1);
    h.slack.assertNoUnexpected();
  });

  it('finishes the workflow when its Redis keys are deleted mid-workflow, because Postgres knows what is due', async () => {
    h = await Harness.start({ worker: false });
    scriptSchemaChange(h.claude);
    const worker = await h.startRuntime({ web: false, worker: true });
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    await worker.stop();

    await h.click(gate, 'approve', APPROVER);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, gate.ts)).includes('Approved by'), {
      description: 'gate approved',
    });
    expect(await deleteQueueKeys(h.prefix)).toBeGreaterThan(0);

    await h.startRuntime({ web: false, worker: true });
    await h.openGate(root, 'Branch Test');
    expect(headlineCount(h, root, '[2/5] Invoking data-migration-specialist...')).toBe(1);
    expect(h.claude.requestsFor('data-migration-specialist')).toHaveLength(1);
  });

  it('makes a second request on the same target wait behind the first, naming it, and starts it when the first ends', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const first = await h.root(1);
    await h.openGate(first, 'API Review');

    h.claude.script('devops-engineer', [submit('devops-engineer')]);
    await h.command('Add preview deployments for PRs', APPROVER);
    const second = await h.root(2);
    const waiting = await h.waitForInThread(second, /Waiting: workflow #1/);
    expect(textOf(waiting)).toContain(`requested by <@${REQUESTER}>`);
    expect(await h.workflowState(2)).toBe('planned');
    expect(h.claude.requestsFor('devops-engineer')).toHaveLength(0);

    await h.command('cancel 1', REQUESTER);
    await h.waitForInThread(second, /^\[1\/4\] Invoking devops-engineer\.\.\./);
    await h.slack.waitFor(() => h.claude.requestsFor('devops-engineer').length === 1, {
      description: 'second workflow runs',
    });
  });

  it('lets a stopped worker go for good: when the step it gave up on ends later, it opens no Redis connection again', async () => {
    h = await Harness.start({ env: { ANTHROPIC_MAX_RETRIES: '0' } });
    h.claude.script('api-designer', [{ hang: true }]);
    await h.command('Add a new table for user preferences');
    await h.waitForInThread(await h.root(), /^\[1\/5\] Invoking api-designer/);
    await h.runtime.stop();
    // The hung model call ends now, after its worker was closed: the step fails in a stopped process.
    await h.claude.close();
    const redis = new IORedis(REDIS_URL);
    try {
      const ours = async () =>
        ((await redis.client('LIST')) as string).split('\n').filter((line) => line.includes(`name=${h.prefix}`));
      for (let i = 0; i < 15; i++) {
        expect(await ours()).toEqual([]);
        await sleep(200);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('goes on with the step when Claude answers 529 overloaded once', async () => {
    h = await Harness.start({ env: { ANTHROPIC_MAX_RETRIES: '0' } });
    scriptSchemaChange(h.claude, ['api-designer']);
    h.claude.script('api-designer', [{ status: 529 }, submit('api-designer')]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.openGate(root, 'API Review');
    expect(h.claude.requestsFor('api-designer').map((r) => r.status)).toEqual([529, 200]);
    expect(headlineCount(h, root, '[1/5] Invoking api-designer...')).toBe(1);
  });

  it('fails the workflow with a readable message when Claude stays overloaded, and merges nothing', async () => {
    h = await Harness.start({ env: { INFRA_STEP_ATTEMPTS: '2', ANTHROPIC_MAX_RETRIES: '0' } });
    h.claude.script('api-designer', [{ status: 529 }, { status: 529 }]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.waitForState('failed');
    const step = await h.waitForInThread(root, /Invoking api-designer/);
    expect(textOf(step)).toMatch(/overloaded/i);
    expect(textOf(step)).toContain('nothing was merged');
    await h.waitForInThread(root, /Workflow failed/);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, root.ts)).includes('Failed'), {
      description: 'root shows the failure',
    });
  });
});

describe('Slack rate limits', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('waits out Slack 429 answers during a step and loses or repeats nothing', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    h.slack.failNext('chat.update', { status: 429, retryAfter: 0 });
    await h.click(gate, 'approve', APPROVER);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, gate.ts)).includes(`Approved by <@${APPROVER}>`), {
      description: 'gate redrawn despite the 429',
    });
    h.slack.failNext('chat.update', { status: 429, retryAfter: 0 });
    await h.openGate(root, 'Branch Test');
    expect(h.slack.ephemerals).toHaveLength(0);
    expect(h.slack.calls.filter((c) => c.method === 'chat.update' && c.status === 429)).toHaveLength(2);
    expect(headlineCount(h, root, '[2/5] Invoking data-migration-specialist...')).toBe(1);
    expect(h.thread(root).filter((m) => textOf(m).includes('Branch Test — waiting for approval'))).toHaveLength(1);
    expect(await h.workflowState()).toBe('waiting_gate');
  });

  it('still posts the gate when Slack fails right after the step result is committed', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    h.claude.script('data-migration-specialist', [
      () => {
        // The step's message is already posted; the next call edits it into the result and the gate, after the commit.
        h.slack.failNext('chat.update', { status: 429, retryAfter: 0 });
        return submit('data-migration-specialist') as { toolUse: { name: string; input: Record<string, unknown> } };
      },
    ]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.openGate(root, 'Branch Test');
    expect(h.slack.calls.filter((c) => c.method === 'chat.update' && c.status === 429)).toHaveLength(1);
    expect(h.thread(root).filter((m) => textOf(m).includes('Branch Test — waiting for approval'))).toHaveLength(1);
    expect(textOf(h.thread(root).find((m) => textOf(m).startsWith('[2/5]')))).toContain(
      'Migration create_user_preferences with rollback',
    );
    expect(h.claude.requestsFor('data-migration-specialist')).toHaveLength(1);
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import IORedis from 'ioredis';
import type { AgentOutcome, AgentRunner, AgentTask } from '../../src/engine/ports/agent-runner';
import { handoffSchema, ZERO_USAGE } from '../../src/domain/handoff';
import type { Runtime } from '../../src/runtime';
import { cancelWorkflow } from '../../src/engine/cancel';
import { cleanUpEnded } from '../../src/engine/clean-up';
import { reconcile } from '../../src/engine/jobs/reconciler';
import { branchDatabasesOf, createTestTarget, dropBranchesOf, type TestTarget } from '../changes/test-target';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { APPROVER, CHANNEL, deleteQueueKeys, Harness, REDIS_URL, REQUESTER } from '../support/harness';
import { HANDOFFS, type ScriptedAgent, scriptSchemaChange, submit } from '../support/scripted-agents';

/** The Slack Web API calls that post or change messages (response_url answers are not among them). */
const webApiWrites = (h: Harness): number =>
  h.slack.callsTo('chat.postMessage').length + h.slack.callsTo('chat.update').length;

async function cancelJobKeys(h: Harness): Promise<string[]> {
  const redis = new IORedis(REDIS_URL);
  try {
    return (await redis.keys(`${h.prefix}:*`)).filter((k) => /:clean-up-\d+$/.test(k));
  } finally {
    redis.disconnect();
  }
}

async function eventCount(h: Harness, type: string): Promise<number> {
  return (await h.events()).filter((e) => e.type === type).length;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Hands off at once, except the agent named `held`, whose run waits until the test calls `release`. */
function heldRunner(held: ScriptedAgent) {
  let release!: () => void;
  let started!: () => void;
  let returned!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const state = {
    release,
    started: new Promise<void>((r) => (started = r)),
    returned: new Promise<void>((r) => (returned = r)),
  };
  const runner: AgentRunner = {
    async run(task: AgentTask): Promise<AgentOutcome> {
      const handoff = handoffSchema.parse(HANDOFFS[task.agent as ScriptedAgent]);
      if (task.agent === held) {
        started();
        await released;
        setImmediate(returned);
      }
      return { type: 'handoff', handoff, usage: ZERO_USAGE, conversation: null };
    },
  };
  return { runner, ...state };
}

describe('/infra cancel acks and leaves the clean-up to a worker', () => {
  let h: Harness;
  let target: TestTarget;
  let worker: Runtime;

  /**
   * A web-only bot and a worker of its own (stopped by the test when it wants the web role alone), with
   * workflow #1 waiting at its Branch Test gate, so its branch exists.
   */
  async function startWithBranch(): Promise<LocalSlackMessage> {
    target = await createTestTarget();
    h = await Harness.start({ worker: false, env: { TARGET_DATABASE_URL: target.url } });
    worker = await h.startRuntime({ web: false, worker: true });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.openGate(root, 'Branch Test');
    expect(await branchDatabasesOf(target)).toHaveLength(1);
    return root;
  }

  /** Cancels #1 as its requester with no worker running, and waits for the ephemeral answer. */
  async function cancelWithWorkerStopped(): Promise<void> {
    await worker.stop();
    const ack = await h.command('cancel 1', REQUESTER);
    expect(ack.status).toBe(200);
    const done = await h.slack.waitFor(() => h.slack.responses.find((r) => /is cancelled/.test(r.text ?? '')), {
      description: 'cancel confirmation',
    });
    expect(done.response_type).toBe('ephemeral');
    expect(done.text).toBe('Workflow #1 is cancelled.');
  }

  afterEach(async () => {
    await h?.close();
    if (target) {
      await dropBranchesOf(target);
      await target.cleanup();
    }
  });

  it(
    'records the cancellation in the web role alone, which posts nothing and keeps the branch; a worker then deletes it and ' +
      'closes the thread',
    async () => {
      const root = await startWithBranch();
      await sleep(200);
      const writesBefore = webApiWrites(h);
      await cancelWithWorkerStopped();

      expect(await h.workflowState()).toBe('cancelled');
      expect(await h.events()).toContainEqual({ type: 'workflow_cancelled', actor: REQUESTER });
      await sleep(500);
      expect(await branchDatabasesOf(target)).toHaveLength(1);
      expect(webApiWrites(h)).toBe(writesBefore);
      expect(h.threadTexts(root).some((t) => /Cancelled by|Workflow cancelled/.test(t))).toBe(false);
      expect(await eventCount(h, 'branch_deleted')).toBe(0);
      expect(await cancelJobKeys(h)).toEqual([`${h.prefix}:workflow:clean-up-1`]);

      await h.startRuntime({ web: false, worker: true });
      expect(textOf(await h.waitForInThread(root, /Cancelled by/))).toContain(`Cancelled by <@${REQUESTER}>`);
      await h.waitForInThread(root, /Workflow cancelled/);
      await until('the clean-up event', async () => (await eventCount(h, 'cleaned_up')) === 1);
      expect(await branchDatabasesOf(target)).toEqual([]);
      expect(await h.events()).toContainEqual({ type: 'branch_deleted', actor: null });
      h.slack.assertNoUnexpected();
    },
  );

  it('finishes the clean-up from the reconciler when Redis lost the cancel job', async () => {
    const root = await startWithBranch();
    await cancelWithWorkerStopped();
    await deleteQueueKeys(h.prefix);
    expect(await cancelJobKeys(h)).toEqual([]);

    await h.startRuntime({ web: false, worker: true });
    await h.waitForInThread(root, /Cancelled by/);
    await h.waitForInThread(root, /Workflow cancelled/);
    await until('the clean-up event', async () => (await eventCount(h, 'cleaned_up')) === 1);
    expect(await branchDatabasesOf(target)).toEqual([]);
    h.slack.assertNoUnexpected();
  });

  it('answers that the workflow is cancelled when Redis refuses the cancel job, and the reconciler queues it later', async () => {
    const root = await startWithBranch();
    await worker.stop();
    const refusing = {
      ...h.runtime.decisions,
      queue: { enqueue: async () => Promise.reject(new Error('Redis is down')) },
    };
    expect(await cancelWorkflow(refusing, 1, REQUESTER)).toBe('Workflow #1 is cancelled.');
    expect(await h.workflowState()).toBe('cancelled');
    expect(await cancelJobKeys(h)).toEqual([]);

    await h.startRuntime({ web: false, worker: true });
    await h.waitForInThread(root, /Workflow cancelled/);
    await until('the clean-up event', async () => (await eventCount(h, 'cleaned_up')) === 1);
    expect(await branchDatabasesOf(target)).toEqual([]);
    h.slack.assertNoUnexpected();
  });

  it('queues no clean-up for a workflow cancelled before the cancel job existed, whose listener already cleaned up', async () => {
    h = await Harness.start({ worker: false });
    const { rows } = await h.pool.query<{ id: string }>(
      `INSERT INTO workflows (request, requester, team_id, channel_id, target, state, finished_at)
       VALUES ('old request', $1, 'T1', $2, 'none', 'cancelled', now()) RETURNING id`,
      [REQUESTER, CHANNEL],
    );
    await h.pool.query(
      `INSERT INTO events (workflow_id, type, actor, data) VALUES ($1, 'workflow_cancelled', $2, '{}')`,
      [rows[0]!.id, REQUESTER],
    );
    expect(await reconcile(await h.workerEngine())).toBe(0);
    expect(await cancelJobKeys(h)).toEqual([]);
  });

  it(
    'does everything once when /infra cancel is typed twice and the clean-up runs again after dying before it recorded that ' +
      'it was done',
    async () => {
      const root = await startWithBranch();
      await cancelWithWorkerStopped();
      await h.command('cancel 1', REQUESTER);
      const again = await h.slack.waitFor(() => h.slack.responses.find((r) => /already cancelled/.test(r.text ?? '')), {
        description: 'second cancel answer',
      });
      expect(again.text).toBe('Workflow #1 is already cancelled; nothing to cancel.');
      expect(await eventCount(h, 'workflow_cancelled')).toBe(1);

      const engine = await h.workerEngine();
      await cleanUpEnded(engine, 1);
      const posts = h.slack.callsTo('chat.postMessage').length;
      // As if the first run died after its side effects but before recording the event: all of it runs again.
      await h.pool.query(`DELETE FROM events WHERE workflow_id = 1 AND type = 'cleaned_up'`);
      await cleanUpEnded(engine, 1);
      await cleanUpEnded(engine, 1);
      expect(h.threadTexts(root).filter((t) => /Cancelled by/.test(t))).toHaveLength(1);
      expect(h.threadTexts(root).filter((t) => /Workflow cancelled/.test(t))).toHaveLength(1);
      expect(h.slack.callsTo('chat.postMessage')).toHaveLength(posts);
      expect(await branchDatabasesOf(target)).toEqual([]);
      expect(await eventCount(h, 'branch_deleted')).toBe(1);
      expect(await eventCount(h, 'cleaned_up')).toBe(1);
      h.slack.assertNoUnexpected();
    },
  );

  it('stops a step cancelled while its agent works: its actions make no branch and nothing more is posted', async () => {
    target = await createTestTarget();
    const agent = heldRunner('data-migration-specialist');
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url }, runtime: { agentRunner: agent.runner } });
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await agent.started;
    await h.command('cancel 1', REQUESTER);
    await h.waitForInThread(root, /Workflow cancelled/);
    await until('the clean-up event', async () => (await eventCount(h, 'cleaned_up')) === 1);
    const posts = h.slack.callsTo('chat.postMessage').length;
    const thread = h.threadTexts(root).length;

    agent.release();
    await agent.returned;
    await sleep(1000);
    expect(await branchDatabasesOf(target)).toEqual([]);
    expect(await eventCount(h, 'branch_created')).toBe(0);
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(posts);
    expect(h.threadTexts(root)).toHaveLength(thread);
    const steps = await h.pool.query<{ state: string }>('SELECT state FROM steps WHERE workflow_id = 1 ORDER BY idx');
    expect(steps.rows.map((r) => r.state)).toEqual(['succeeded', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
    h.slack.assertNoUnexpected();
  });
});

describe('/infra cancel of a workflow whose CI change is on GitHub', () => {
  let h: Harness;
  let github: FakeGitHub;
  beforeEach(async () => {
    github = await startFakeGitHub();
  });
  afterEach(async () => {
    await h?.close();
    await github.close();
  });

  it('sends GitHub nothing from the web role, then a worker closes the pull request and deletes the CI branch', async () => {
    const env = {
      GITHUB_TOKEN: github.token,
      GITHUB_REPOSITORY: github.repository,
      GITHUB_API_URL: github.apiUrl,
      INFRA_CI_POLL_MS: '20',
    };
    h = await Harness.start({ worker: false, env });
    const worker = await h.startRuntime({ web: false, worker: true });
    const content =
      'name: preview\non: [pull_request]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n';
    const path = '.github/workflows/preview.yml';
    const pipeline = { files: [path], secrets: [], environments: ['preview'] };
    h.claude.script('devops-engineer', [
      submit('devops-engineer', { artifacts: [{ path, kind: 'yaml', content }], pipeline }),
    ]);
    h.claude.script('backend-engineer', [submit('backend-engineer', { policies: undefined })]);
    github.onPush = () => [
      { name: 'preview', readsUntilDone: 1, jobs: [{ name: 'deploy', conclusion: 'success', log: 'ok' }] },
    ];
    await h.command('Add preview deployments for PRs');
    const root = await h.root();
    await h.click(await h.openGate(root, 'CI Review'), 'approve', APPROVER);
    await h.openGate(root, 'Smoke Test');
    expect(github.pulls).toEqual([expect.objectContaining({ head: 'infra-wf-1', state: 'open' })]);

    await worker.stop();
    const seen = github.requests.length;
    await h.command('cancel 1', REQUESTER);
    await h.slack.waitFor(() => h.slack.responses.find((r) => r.text === 'Workflow #1 is cancelled.'), {
      description: 'cancel confirmation',
    });
    await sleep(500);
    expect(github.requests.slice(seen)).toEqual([]);
    expect(github.branches.has('infra-wf-1')).toBe(true);

    await h.startRuntime({ web: false, worker: true });
    await until('the clean-up event', async () => (await eventCount(h, 'cleaned_up')) === 1);
    expect(github.pulls[0]!.state).toBe('closed');
    expect(github.branches.has('infra-wf-1')).toBe(false);
    expect(await eventCount(h, 'ci_discarded')).toBe(1);
    expect(github.unexpected).toEqual([]);
    h.slack.assertNoUnexpected();
  });
});

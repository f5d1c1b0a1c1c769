/** The HTTP API for other systems (/api/v1), over HTTP against the real web role and a local Slack. */
import { textOf } from '../../dev/local-slack/block-text';
import type { BullJobQueue } from '../../src/engine/jobs/queues';
import { APPROVER, CHANNEL, Harness, REQUESTER, STRANGER } from '../support/harness';
import { API_ENV, api, OTHER_SECRET } from '../support/api-client';
import { scriptSchemaChange } from '../support/scripted-agents';

const REQUEST = { request: 'Add a new table for user preferences', requester: REQUESTER, channel: CHANNEL };

const count = async (h: Harness, table: string): Promise<number> =>
  Number((await h.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

/** Jobs waiting in the workflow queue (the web-only tests run no worker to take them). */
const queuedJobs = async (h: Harness): Promise<number> =>
  (await (h.runtime.decisions.queue as BullJobQueue).queue.getJobCounts('waiting')).waiting ?? 0;

describe('HTTP API /api/v1', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('answers 404 on every API route while INFRA_API_TOKENS is unset', async () => {
    h = await Harness.start({ worker: false });
    expect((await api(h, 'POST', '/requests', { body: REQUEST })).status).toBe(404);
    expect((await api(h, 'GET', '/workflows')).status).toBe(404);
    expect((await api(h, 'GET', '/openapi.json')).status).toBe(404);
    expect(await count(h, 'workflows')).toBe(0);
  });

  it('refuses a missing or wrong bearer token with 401 and queues nothing; the right one gets 202', async () => {
    h = await Harness.start({ env: API_ENV, worker: false });
    const missing = await api(h, 'POST', '/requests', { token: null, body: REQUEST });
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({ error: 'unauthorized' });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const wrong = await api(h, 'POST', '/requests', { token: `${OTHER_SECRET}x`, body: REQUEST });
    expect(wrong.status).toBe(401);
    expect(String(wrong.json.message)).toContain('not one of INFRA_API_TOKENS');
    expect(await count(h, 'workflows')).toBe(0);
    expect(await queuedJobs(h)).toBe(0);

    const right = await api(h, 'POST', '/requests', { body: REQUEST });
    expect(right.status).toBe(202);
    expect(right.json).toEqual({ id: 1, state: 'planned', thread_url: null });
    expect(await queuedJobs(h)).toBe(1);
  });

  it('answers a bad body with 400 and the zod issues, and queues nothing', async () => {
    h = await Harness.start({ env: API_ENV, worker: false });
    const bad = await api(h, 'POST', '/requests', {
      body: { request: 'tables', requester: 'dana', channel: CHANNEL, extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('invalid_body');
    const issues = bad.json.issues as Array<{ path: string[]; message: string }>;
    expect(issues.map((i) => i.path.join('.') || i.message)).toEqual(expect.arrayContaining(['request', 'requester']));
    expect(issues.find((i) => i.path[0] === 'requester')!.message).toContain('Slack user id');
    expect(JSON.stringify(issues)).toContain('extra');

    const notJson = await fetch(`http://127.0.0.1:${h.runtime.port}/api/v1/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OTHER_SECRET}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(notJson.status).toBe(400);
    for (const callback_url of ['http://example.com/hook', 'https://10.0.0.5/hook', 'https://169.254.169.254/x']) {
      const refused = await api(h, 'POST', '/requests', { body: { ...REQUEST, callback_url } });
      expect(refused.status).toBe(400);
      expect((refused.json.issues as Array<{ path: string[] }>)[0]!.path).toEqual(['callback_url']);
    }
    expect(await count(h, 'workflows')).toBe(0);
    expect(await queuedJobs(h)).toBe(0);
    expect(h.slack.channelMessages(CHANNEL)).toEqual([]);
  });

  it('runs a request started through the API to its first gate in the channel, and shows it with who decided', async () => {
    h = await Harness.start({ env: API_ENV });
    scriptSchemaChange(h.claude);
    const started = await api(h, 'POST', '/requests', { body: REQUEST });
    expect(started.status).toBe(202);
    const root = await h.root();
    expect(textOf(root)).toContain('Add a new table for user preferences');
    const gate = await h.openGate(root, 'API Review');
    await h.waitForState('waiting_gate');

    const shown = await api(h, 'GET', '/workflows/1');
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({
      id: 1,
      state: 'waiting_gate',
      requester: REQUESTER,
      channel: CHANNEL,
      caller: 'orchestrator',
      thread_url: `https://slack.com/archives/${CHANNEL}/p${root.ts.replace('.', '')}`,
      report: null,
    });
    const steps = shown.json.steps as Array<{ agent: string; state: string }>;
    expect(steps[0]).toMatchObject({ agent: 'api-designer', state: 'succeeded' });
    expect(shown.json.gates).toEqual([
      expect.objectContaining({ kind: 'api_review', state: 'open', decided_by: null }),
    ]);
    expect((shown.json.usage as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect(typeof (shown.json.usage as { cost_usd: number }).cost_usd).toBe('number');

    await h.click(gate, 'approve', APPROVER);
    await h.waitForInThread(root, /API Review — Approved by/);
    const decided = await api(h, 'GET', '/workflows/1');
    expect((decided.json.gates as Array<{ decided_by: string }>)[0]).toMatchObject({
      state: 'approved',
      decided_by: APPROVER,
    });

    const { rows } = await h.pool.query<{ caller: string | null }>(
      'SELECT DISTINCT caller FROM events WHERE workflow_id = 1',
    );
    expect(rows).toEqual([{ caller: 'orchestrator' }]);
    h.slack.assertNoUnexpected();
  });

  it('lists only the calling token’s workflows, filtered by state, a page at a time', async () => {
    h = await Harness.start({ env: API_ENV, worker: false });
    for (let i = 0; i < 3; i++) expect((await api(h, 'POST', '/requests', { body: REQUEST })).status).toBe(202);
    await api(h, 'POST', '/workflows/2/cancel', { body: {} });

    const first = await api(h, 'GET', '/workflows?state=planned&limit=1');
    expect(first.status).toBe(200);
    expect((first.json.workflows as Array<{ id: number }>).map((w) => w.id)).toEqual([3]);
    expect(first.json.next_cursor).toBe('3');
    const second = await api(h, 'GET', '/workflows?state=planned&limit=1&cursor=3');
    expect((second.json.workflows as Array<{ id: number }>).map((w) => w.id)).toEqual([1]);
    const all = await api(h, 'GET', '/workflows');
    expect((all.json.workflows as Array<{ id: number; state: string }>).map((w) => [w.id, w.state])).toEqual([
      [3, 'planned'],
      [2, 'cancelled'],
      [1, 'planned'],
    ]);
    expect(all.json.next_cursor).toBeNull();
    expect((await api(h, 'GET', '/workflows?state=sleeping')).status).toBe(400);

    const other = await api(h, 'GET', '/workflows', { token: OTHER_SECRET });
    expect(other.json).toEqual({ workflows: [], next_cursor: null });
    expect((await api(h, 'GET', '/workflows/1', { token: OTHER_SECRET })).status).toBe(404);
    expect((await api(h, 'POST', '/workflows/1/cancel', { token: OTHER_SECRET, body: {} })).status).toBe(404);
  });

  it('cancels as /infra cancel does: the requester or an approver only, recorded with the API caller', async () => {
    h = await Harness.start({ env: API_ENV });
    scriptSchemaChange(h.claude);
    await api(h, 'POST', '/requests', { body: REQUEST });
    const root = await h.root();
    await h.openGate(root, 'API Review');

    const refused = await api(h, 'POST', '/workflows/1/cancel', { body: { by: STRANGER } });
    expect(refused.status).toBe(403);
    expect(String(refused.json.message)).toContain('Only the requester');
    expect(await h.workflowState()).toBe('waiting_gate');

    const cancelled = await api(h, 'POST', '/workflows/1/cancel', { body: {} });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toEqual({ id: 1, state: 'cancelled', message: 'Workflow #1 is cancelled.' });
    expect(textOf(await h.waitForInThread(root, /Cancelled by/))).toContain(`Cancelled by <@${REQUESTER}>`);
    const { rows } = await h.pool.query("SELECT actor, caller FROM events WHERE type = 'workflow_cancelled'");
    expect(rows).toEqual([{ actor: REQUESTER, caller: 'orchestrator' }]);
    expect((await api(h, 'POST', '/workflows/1/cancel', { body: {} })).status).toBe(409);
    h.slack.assertNoUnexpected();
  });
});

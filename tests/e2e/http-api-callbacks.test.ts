/** The HTTP API's signed callbacks, its rate limit, its OpenAPI document, and that no API call decides a gate. */
import { setTimeout as sleep } from 'node:timers/promises';
import { apiRoutes } from '../../src/api/api-routes';
import { callbackEventSchema } from '../../src/api/api-schemas';
import { verifyCallback } from '../../src/api/callbacks/callback-signing';
import { CHANNEL, Harness, REQUESTER } from '../support/harness';
import { API_ENV, API_SECRET, api, CallbackReceiver, OTHER_SECRET } from '../support/api-client';
import { scriptSchemaChange } from '../support/scripted-agents';

const REQUEST = { request: 'Add a new table for user preferences', requester: REQUESTER, channel: CHANNEL };

describe('HTTP API callbacks, limits and gates', () => {
  let h: Harness;
  let receiver: CallbackReceiver | undefined;
  afterEach(async () => {
    await h?.close();
    await receiver?.close();
    receiver = undefined;
  });

  it('POSTs every state change, signed, retrying a failing receiver with the same idempotency key, once each', async () => {
    receiver = await CallbackReceiver.start([500]);
    h = await Harness.start({ env: API_ENV });
    scriptSchemaChange(h.claude);
    const started = await api(h, 'POST', '/requests', { body: { ...REQUEST, callback_url: receiver.url } });
    expect(started.status).toBe(202);
    const root = await h.root();
    await h.openGate(root, 'API Review');
    await h.waitForState('waiting_gate');
    const pending = async () =>
      Number((await h.pool.query('SELECT count(*) FROM callback_outbox WHERE delivered_at IS NULL')).rows[0].count);
    const deadline = Date.now() + 20000;
    while ((await pending()) > 0 && Date.now() < deadline) await sleep(50);
    expect(await pending()).toBe(0);
    await sleep(500);

    const { received } = receiver;
    const outbox = Number((await h.pool.query('SELECT count(*) FROM callback_outbox')).rows[0].count);
    expect(received[0]!.answered).toBe(500);
    // The failed delivery is retried with its key; another change's delivery may come in between.
    const failedKey = received[0]!.headers['idempotency-key'];
    expect(received.slice(1).filter((r) => r.headers['idempotency-key'] === failedKey)).toHaveLength(1);
    const delivered = received.filter((r) => r.answered === 200);
    const keys = delivered.map((r) => String(r.headers['idempotency-key']));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(outbox);
    expect(received).toHaveLength(outbox + 1);

    const bodies = delivered
      .map((r) => callbackEventSchema.parse(JSON.parse(r.body)))
      .sort((a, b) => a.sequence - b.sequence);
    expect(bodies.map((b) => b.state)).toEqual(['running', 'waiting_gate']);
    expect(bodies.every((b) => b.workflow_id === 1 && b.type === 'workflow.state_changed')).toBe(true);
    expect(JSON.parse(delivered.at(-1)!.body).thread_url).toContain(root.ts.replace('.', ''));
    for (const r of received) {
      const signed = {
        timestamp: String(r.headers['x-infra-request-timestamp']),
        body: r.body,
        signature: String(r.headers['x-infra-signature']),
        nowSeconds: Math.floor(Date.now() / 1000),
      };
      expect(verifyCallback(API_SECRET, signed)).toBe(true);
      expect(verifyCallback(OTHER_SECRET, signed)).toBe(false);
    }
    expect(receiver.unexpected).toEqual([]);
  });

  it('keeps a state change the web role makes in the outbox until a worker delivers it', async () => {
    receiver = await CallbackReceiver.start();
    h = await Harness.start({ env: API_ENV, worker: false });
    await api(h, 'POST', '/requests', { body: { ...REQUEST, callback_url: receiver.url } });
    expect((await api(h, 'POST', '/workflows/1/cancel', { body: {} })).status).toBe(200);
    await sleep(300);
    const { rows } = await h.pool.query("SELECT body->>'state' AS state, delivered_at FROM callback_outbox");
    expect(rows).toEqual([{ state: 'cancelled', delivered_at: null }]);
    expect(receiver.received).toEqual([]);

    await h.startRuntime({ web: false, worker: true });
    const got = await h.slack.waitFor(() => receiver!.received[0], { description: 'the callback' });
    expect(JSON.parse(got.body)).toMatchObject({ workflow_id: 1, state: 'cancelled', event: 'workflow_cancelled' });
    expect(got.headers['idempotency-key']).toMatch(/^wf1-change\d+$/);
  });

  it('gives a callback up after INFRA_API_CALLBACK_ATTEMPTS failed answers, and the workflow goes on regardless', async () => {
    receiver = await CallbackReceiver.start([503, 503, 503, 503, 503, 503]);
    h = await Harness.start({ env: { ...API_ENV, INFRA_API_CALLBACK_ATTEMPTS: '2' } });
    scriptSchemaChange(h.claude);
    await api(h, 'POST', '/requests', { body: { ...REQUEST, callback_url: receiver.url } });
    await h.openGate(await h.root(), 'API Review');
    await h.waitForState('waiting_gate');
    const givenUp = async () =>
      Number((await h.pool.query('SELECT count(*) FROM callback_outbox WHERE given_up_at IS NOT NULL')).rows[0].count);
    const deadline = Date.now() + 20000;
    while ((await givenUp()) < 2 && Date.now() < deadline) await sleep(50);
    const { rows } = await h.pool.query('SELECT attempts, last_error, delivered_at FROM callback_outbox ORDER BY id');
    expect(rows).toEqual([
      { attempts: 2, last_error: 'the receiver answered 503', delivered_at: null },
      { attempts: 2, last_error: 'the receiver answered 503', delivered_at: null },
    ]);
    await sleep(400);
    expect(receiver.received).toHaveLength(4);
  });

  it('answers 429 with Retry-After once a token has used its calls of the minute, and not for another token', async () => {
    const now = new Date('2026-12-01T12:00:10Z');
    h = await Harness.start({
      env: { ...API_ENV, INFRA_API_RATE_LIMIT: '2' },
      worker: false,
      runtime: { now: () => now },
    });
    expect((await api(h, 'GET', '/workflows')).status).toBe(200);
    expect((await api(h, 'GET', '/workflows')).status).toBe(200);
    const limited = await api(h, 'POST', '/requests', { body: REQUEST });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('50');
    expect(String(limited.json.message)).toContain('INFRA_API_RATE_LIMIT');
    expect(Number((await h.pool.query('SELECT count(*) FROM workflows')).rows[0].count)).toBe(0);
    expect((await api(h, 'GET', '/workflows', { token: OTHER_SECRET })).status).toBe(200);
  });

  it('serves the OpenAPI 3.1 document of exactly the API’s routes, none of which decides a gate', async () => {
    h = await Harness.start({ env: API_ENV });
    scriptSchemaChange(h.claude);
    await api(h, 'POST', '/requests', { body: REQUEST });
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    await h.waitForState('waiting_gate');

    const doc = await api(h, 'GET', '/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.webhooks as object)).toEqual(['workflowStateChanged']);
    const paths = doc.json.paths as Record<string, Record<string, unknown>>;
    const operations = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(operations.sort()).toEqual([
      'get /api/v1/workflows',
      'get /api/v1/workflows/{id}',
      'post /api/v1/requests',
      'post /api/v1/workflows/{id}/cancel',
    ]);
    expect(Object.keys(paths).join(' ')).not.toMatch(/gate|approve|decide/i);
    // Every mounted route is one of those, or the document itself: nothing else answers under /api/v1.
    const mounted = apiRoutes(h.runtime.decisions as never).map((r) => `${r.method.toLowerCase()} ${r.path}`);
    expect(mounted.sort()).toEqual([
      'get /api/v1/openapi.json',
      'get /api/v1/workflows',
      'get /api/v1/workflows/:id',
      'post /api/v1/requests',
      'post /api/v1/workflows/:id/cancel',
    ]);

    for (const path of [
      '/workflows/1/gates/1/approve',
      '/workflows/1/approve',
      '/gates/1/approve',
      '/workflows/1/gates/1',
    ]) {
      expect((await api(h, 'POST', path, { body: { decision: 'approve' } })).status).toBe(404);
    }
    expect(await h.workflowState()).toBe('waiting_gate');
    const { rows } = await h.pool.query('SELECT state, decided_by FROM gates');
    expect(rows).toEqual([{ state: 'open', decided_by: null }]);
    expect(JSON.stringify(h.slack.message(CHANNEL, gate.ts)!.blocks)).toContain('gate_approve');
  });
});

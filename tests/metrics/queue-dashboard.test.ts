import { Harness } from '../support/harness';

const TOKEN = 'test-admin-token-0123456789abcdef';

describe('the queue dashboard at /admin/queues', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });
  const url = (path: string) => `http://127.0.0.1:${h.runtime.port}${path}`;
  const bearer = (token = TOKEN) => ({ authorization: `Bearer ${token}` });
  type Listing = Array<{
    name: string;
    readOnlyMode: boolean;
    isPaused: boolean;
    counts: Record<string, number>;
    jobs: Array<{ name: string }>;
  }>;
  /** Bull Board's own API: the queues with their counts and the workflow queue's waiting jobs. */
  const listing = async (): Promise<Listing> => {
    const res = await fetch(url('/admin/queues/api/queues?activeQueue=workflow&status=waiting'), { headers: bearer() });
    expect(res.status).toBe(200);
    return ((await res.json()) as { queues: Listing }).queues;
  };

  it('refuses every request without the token, or with a wrong one, and says how to pass it', async () => {
    h = await Harness.start({ worker: false, env: { INFRA_ADMIN_TOKEN: TOKEN } });
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/js/main.js']) {
      const res = await fetch(url(path));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="infra-admin"');
      expect(await res.text()).toContain('Authorization: Bearer <INFRA_ADMIN_TOKEN>');
    }
    expect((await fetch(url('/admin/queues/api/queues'), { headers: bearer(`${TOKEN}x`) })).status).toBe(401);
    expect((await fetch(url('/admin/queues?token=wrong'))).status).toBe(401);
    expect((await fetch(url('/admin/queues'), { headers: { cookie: `infra_admin=${TOKEN}` } })).status).toBe(401);
  });

  it('lists the workflow queue and its waiting job with the token, and refuses changes while read-only', async () => {
    h = await Harness.start({ worker: false, env: { INFRA_ADMIN_TOKEN: TOKEN } });
    await h.command('Add a table for user preferences');
    // The command is acknowledged before its plan job is queued.
    let queues = await listing();
    for (let i = 0; i < 50 && !queues.find((q) => q.name === 'workflow')?.counts.waiting; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      queues = await listing();
    }
    const workflow = queues.find((q) => q.name === 'workflow');
    expect(workflow?.readOnlyMode).toBe(true);
    expect(workflow?.counts.waiting).toBe(1);
    expect(workflow?.jobs.map((j) => j.name)).toEqual(['plan']);
    expect(queues.map((q) => q.name)).toContain('digest');

    const pause = await fetch(url('/admin/queues/api/queues/workflow/pause'), { method: 'PUT', headers: bearer() });
    expect(pause.status).toBe(405);
    expect(await pause.text()).toContain('INFRA_ADMIN_WRITE=true');
    expect((await listing()).find((q) => q.name === 'workflow')?.isPaused).toBe(false);
  });

  it('lets a browser in with ?token= once: a cookie, and a redirect that drops the token from the address', async () => {
    h = await Harness.start({ worker: false, env: { INFRA_ADMIN_TOKEN: TOKEN } });
    const first = await fetch(url(`/admin/queues?token=${TOKEN}`), { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/admin/queues');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^infra_admin=[0-9a-f]{64}; Path=\/admin\/queues; HttpOnly; SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const page = await fetch(url('/admin/queues'), { headers: { cookie: setCookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('infra queues');
  });

  it('pauses a queue when INFRA_ADMIN_WRITE=true', async () => {
    h = await Harness.start({ worker: false, env: { INFRA_ADMIN_TOKEN: TOKEN, INFRA_ADMIN_WRITE: 'true' } });
    const pause = await fetch(url('/admin/queues/api/queues/workflow/pause'), { method: 'PUT', headers: bearer() });
    expect(pause.status).toBe(200);
    expect((await listing()).find((q) => q.name === 'workflow')?.isPaused).toBe(true);
  });

  it('is not served at all without INFRA_ADMIN_TOKEN', async () => {
    h = await Harness.start({ worker: false });
    expect((await fetch(url('/admin/queues'), { headers: bearer() })).status).toBe(404);
  });
});

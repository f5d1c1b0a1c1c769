import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PEOPLE, startDemo, type Demo } from '../../dev/demo/demo-stack';
import { createLogger } from '../../src/logger';
import type { PageState } from '../../dev/local-slack/channel-page-state';
import { BASE_DATABASE_URL, REDIS_URL } from '../support/harness';

const [REQUESTER, APPROVER] = DEMO_PEOPLE.map((p) => p.id) as [string, string];

describe('the channel page API', () => {
  const suffix = randomBytes(5).toString('hex');
  const workspaceDir = mkdtempSync(join(tmpdir(), 'infra-demo-'));
  let demo: Demo;

  beforeAll(async () => {
    demo = await startDemo({
      postgres: { kind: 'server', url: BASE_DATABASE_URL },
      redisUrl: REDIS_URL,
      databases: { bot: `infra_demo_${suffix}`, target: `infra_demo_tgt_${suffix}` },
      queuePrefix: `infra-demo-test-${suffix}`,
      workspaceDir,
      port: 0,
      env: { LOG_LEVEL: 'silent' },
      logger: createLogger('silent'),
      cleanUpOnStop: true,
    });
  });

  afterAll(async () => {
    await demo?.stop();
    rmSync(workspaceDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown) =>
    fetch(`${demo.pageUrl}page/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const stateFor = async (user: string) =>
    (await (await fetch(`${demo.pageUrl}page/state?user=${user}`)).json()) as PageState;

  it('serves the page and its scripts', async () => {
    const html = await (await fetch(demo.pageUrl)).text();
    const scripts = [...html.matchAll(/<script src="\/([^"]+)"><\/script>/g)].map((m) => m[1]);
    expect(scripts).toEqual(['page/emoji.js', 'page/markup.js', 'page/browser.js']);
    for (const script of scripts) {
      expect((await fetch(`${demo.pageUrl}${script}`)).headers.get('content-type')).toContain('javascript');
    }
  });

  it('signs a typed command for the bot and shows its answer only to the person who typed it', async () => {
    const answer = await post('command', { user: REQUESTER, text: '/infra help' });
    expect(await answer.json()).toEqual({ ok: true, result: { status: 200 } });
    expect((await stateFor(REQUESTER)).private.map((n) => n.text).join('\n')).toMatch(/infra/);
    expect((await stateFor(APPROVER)).private).toEqual([]);
  });

  it("posts today's digest in the channel when asked, once a day, and tells the person who asked", async () => {
    expect((await stateFor(REQUESTER)).tasks).toEqual(["Post today's digest"]);
    expect(await (await post('task', { user: REQUESTER, task: 0 })).json()).toEqual({
      ok: true,
      result: { status: 200 },
    });
    const digest = await demo.slack.waitFor(
      () => demo.slack.channelMessages('C0DEMO0001').find((m) => /Infra digest/.test(m.text)),
      { description: 'the digest' },
    );
    await post('task', { user: REQUESTER, task: 0 });
    const notes = (await stateFor(REQUESTER)).private.map((n) => n.text).filter((t) => t.includes('digest'));
    expect(notes).toEqual([
      ":alarm_clock: Post today's digest: posted in #platform",
      ":alarm_clock: Post today's digest: already posted today (one digest per channel and day)",
    ]);
    expect(
      demo.slack.channelMessages('C0DEMO0001').filter((m) => m.ts === digest.ts || /Infra digest/.test(m.text)),
    ).toHaveLength(1);
    expect(await (await post('task', { user: REQUESTER, task: 5 })).json()).toMatchObject({
      ok: false,
      error: 'There is no such task on this page.',
    });
  });

  it('posts a thread reply into the local Slack before the bot hears of it', async () => {
    await post('command', { user: REQUESTER, text: '/infra Add preview deployments for PRs' });
    const root = await demo.slack.waitFor(
      () => demo.slack.channelMessages('C0DEMO0001').find((m) => /preview deployments/.test(m.text)),
      { description: 'root message' },
    );
    const answer = await post('reply', { user: REQUESTER, threadTs: root.ts, text: 'Previews for every PR, please' });
    expect(answer.status).toBe(200);
    const thread = (await stateFor(APPROVER)).messages.find((m) => m.ts === root.ts)!.replies;
    expect(thread.some((m) => m.user === REQUESTER && m.text === 'Previews for every PR, please')).toBe(true);
  });

  it('refuses a click on a button the message does not have, and a body without a user', async () => {
    const root = demo.slack.channelMessages('C0DEMO0001')[0]!;
    const click = await post('click', { user: APPROVER, ts: root.ts, actionId: 'gate_approve' });
    expect(click.status).toBe(400);
    expect(((await click.json()) as { error: string }).error).toContain('no gate_approve button');
    const bad = await post('command', { text: '/infra help' });
    expect(bad.status).toBe(400);
  });

  it('still records requests it does not know, as the strict fake Slack of the tests', async () => {
    await fetch(`${demo.pageUrl}no-such-page`);
    expect(demo.slack.unexpected).toContain('GET /no-such-page');
  });
});

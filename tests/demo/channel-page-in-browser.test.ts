import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PEOPLE, startDemo, type Demo } from '../../dev/demo/demo-stack';
import { EmbeddedPostgres } from '../../dev/embedded-postgres/embedded-postgres';
import { createLogger } from '../../src/logger';
import { withDatabase } from '../../src/changes/targets/pg-tools';
import { BASE_DATABASE_URL, REDIS_URL } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';
/** The README's screenshot is refreshed on request (UPDATE_DEMO_SCREENSHOT=1); otherwise it goes to the temp folder. */
const SCREENSHOT_DIR =
  process.env.UPDATE_DEMO_SCREENSHOT === '1'
    ? join(__dirname, '..', '..', 'docs')
    : join(tmpdir(), `infra-demo-shot-${randomBytes(4).toString('hex')}`);
const SCREENSHOT = join(SCREENSHOT_DIR, 'demo-thread.png');
const REQUESTER = DEMO_PEOPLE.find((p) => p.role === 'requester')!.id;
const APPROVER = DEMO_PEOPLE.find((p) => p.role === 'approver')!.id;
const STRANGER = DEMO_PEOPLE.find((p) => p.role.startsWith('not allowed'))!.id;
const GATES = ['API Review', 'Branch Test', 'Security', 'Smoke Test'];

/** The browser test needs Debian's chromium; .ci/run installs it, so in CI it always runs. */
const describeWithChromium = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  process.stderr.write(
    `Skipping the browser test of the channel page: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it).\n`,
  );
}

async function hasTable(url: string, table: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('select to_regclass($1) is not null as found', [table]);
    return rows[0].found === true;
  } finally {
    await client.end();
  }
}

async function actAs(page: Page, user: string): Promise<void> {
  await page.selectOption('#user-select', user);
}

/** The demo on this machine's PostgreSQL server (the README's screenshot), and on Postgres embedded in the process (no server at all). */
const POSTGRES_KINDS: Array<[string, 'server' | 'embedded']> = [
  ['a PostgreSQL server', 'server'],
  ['Postgres embedded in the process (PGlite)', 'embedded'],
];

describeWithChromium.each(POSTGRES_KINDS)('the channel page of the local Slack in a browser, on %s', (_label, kind) => {
  const suffix = randomBytes(5).toString('hex');
  const databases = { bot: `infra_demo_${suffix}`, target: `infra_demo_tgt_${suffix}` };
  const workspaceDir = mkdtempSync(join(tmpdir(), 'infra-demo-'));
  const profile = mkdtempSync(join(tmpdir(), 'infra-chromium-'));
  const screenshot = kind === 'server' ? SCREENSHOT : join(tmpdir(), `infra-demo-embedded-${suffix}.png`);
  let embedded: EmbeddedPostgres | undefined;
  let demo: Demo;
  let browser: BrowserContext;

  beforeAll(async () => {
    embedded = kind === 'embedded' ? await EmbeddedPostgres.start() : undefined;
    demo = await startDemo({
      postgres: embedded ? { kind: 'embedded', server: embedded } : { kind: 'server', url: BASE_DATABASE_URL },
      redisUrl: REDIS_URL,
      databases,
      queuePrefix: `infra-demo-test-${suffix}`,
      workspaceDir,
      port: 0,
      env: { LOG_LEVEL: 'silent' },
      logger: createLogger('silent'),
      cleanUpOnStop: true,
    });
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1440, height: 900 },
    });
  });

  afterAll(async () => {
    if (kind === 'server' && process.env.UPDATE_DEMO_SCREENSHOT !== '1')
      rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
    await browser?.close();
    await demo?.stop();
    await embedded?.stop();
    if (kind === 'embedded' && !process.env.KEEP_EMBEDDED_SCREENSHOT) rmSync(screenshot, { force: true });
    rmSync(workspaceDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  const targetUrl = (): string =>
    embedded ? embedded.url(databases.target) : withDatabase(BASE_DATABASE_URL, databases.target);

  it(
    'runs the schema change from /infra to "Workflow complete" through the page, refusing a stranger at a gate and ' +
      "requesting changes at the Branch Test, then posts the day's digest",
    async () => {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(`${demo.pageUrl}?user=${REQUESTER}`);
      await page.fill('#composer', '/infra Add a new table for user preferences');
      await page.press('#composer', 'Enter');

      const root = page.locator('#channel-scroll .msg').first();
      await root.getByText('Add a new table for user preferences').waitFor();
      await root.click();
      const thread = page.locator('#thread-scroll');
      await thread.getByText('(scripted demo model)').first().waitFor();

      for (const [index, title] of GATES.entries()) {
        const gate = thread
          .locator('.msg', { hasText: `Quality gate · ` })
          .filter({ hasText: `: ${title}` })
          .filter({ has: page.locator('[data-action-id="gate_approve"]') });
        await gate.waitFor({ timeout: 30_000 });
        if (index === 0) {
          await actAs(page, STRANGER);
          await gate.locator('[data-action-id="gate_approve"]').click();
          const refusal = thread.locator('.private', { hasText: 'Only the approvers' });
          await refusal.waitFor();
          expect(await refusal.locator('.mention').allTextContents()).toEqual(['@sam', '@lee']);
          await actAs(page, APPROVER);
        }
        if (title === 'Branch Test') {
          // Request changes: the reason goes in the thread, the step runs again, and its gate reopens.
          await gate.locator('[data-action-id="gate_request_changes"]').click();
          await thread.locator('.private', { hasText: 'Reply in this thread with what should change' }).waitFor();
          await page.fill('#thread-composer', 'Default the theme to dark');
          await page.press('#thread-composer', 'Enter');
          await thread.locator('.msg', { hasText: 'Default the theme to dark — attempt 2 running' }).waitFor();
          await gate.filter({ hasText: 'Attempt 2 of this step' }).waitFor({ timeout: 30_000 });
          expect(await gate.textContent()).toContain('after "Default the theme to dark"');
        }
        await gate.locator('[data-action-id="gate_approve"]').click();
        if (title === 'Smoke Test') {
          // The merge gate's Approve changes production: the page asks first, naming what it merges.
          await page.locator('#confirm-dialog').waitFor();
          expect(await page.locator('#confirm-text').textContent()).toContain('merges 1 migration(s) into');
          await page.click('#confirm-ok');
        }
        await gate.waitFor({ state: 'detached', timeout: 30_000 });
      }

      const report = thread
        .locator('.msg', { hasText: 'Workflow complete' })
        .filter({ has: page.locator('[data-action-id="workflow_rollback_production"]') });
      await report.waitFor({ timeout: 30_000 });
      expect(await hasTable(targetUrl(), 'public.user_preferences')).toBe(true);

      await report.locator('[data-action-id="workflow_rollback_production"]').click();
      await page.locator('#confirm-dialog').waitFor();
      expect(await page.locator('#confirm-ok').textContent()).toBe('Roll back');
      await page.click('#confirm-deny');
      expect(await hasTable(targetUrl(), 'public.user_preferences')).toBe(true);

      await page.getByRole('button', { name: "⏰ Post today's digest" }).click();
      await page.locator('#channel-scroll .msg', { hasText: 'Infra digest' }).waitFor({ timeout: 30_000 });
      await page.locator('.private', { hasText: 'posted in #platform' }).first().waitFor();

      mkdirSync(join(screenshot, '..'), { recursive: true });
      await thread.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.screenshot({ path: screenshot });
    },
  );
});

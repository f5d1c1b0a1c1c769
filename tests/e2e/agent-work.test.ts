import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPROVER, Harness } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import type { FakeAnthropicRequest } from '../support/fake-anthropic';
import { HANDOFFS, submit } from '../support/scripted-agents';
import { createTestTarget, dropBranchesOf, type TestTarget } from '../changes/test-target';

interface CallUsage {
  idx: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cost_usd: number;
}

/** Every model call of workflow #1 as the bot recorded it, with the index of its step. */
async function modelCalls(h: Harness): Promise<CallUsage[]> {
  const { rows } = await h.pool.query(
    `SELECT s.idx, e.data->'usage' AS usage FROM events e JOIN steps s ON s.id = (e.data->>'step_id')::bigint WHERE ` +
      `e.workflow_id = 1 AND e.type = 'model_call' ORDER BY e.id`,
  );
  return rows.map((r) => ({ idx: r.idx as number, ...(r.usage as Omit<CallUsage, 'idx'>) }));
}

/** Breakpoints of a request: where cache_control sits. */
function breakpoints(request: FakeAnthropicRequest): string[] {
  const found: string[] = [];
  const tools = request.body.tools ?? [];
  for (const [i, t] of tools.entries()) {
    if (t.cache_control) found.push(i === tools.length - 1 ? 'last tool' : `tool ${i}`);
  }
  if (Array.isArray(request.body.system)) {
    for (const b of request.body.system) if ((b as { cache_control?: unknown }).cache_control) found.push('system');
  }
  const messages = request.body.messages;
  for (const [i, m] of messages.entries()) {
    if (!Array.isArray(m.content)) continue;
    for (const [j, b] of m.content.entries()) {
      if (!b.cache_control) continue;
      found.push(i === messages.length - 1 && j === m.content.length - 1 ? 'last message block' : `message ${i}`);
    }
  }
  return found;
}

describe('agents that do real work on the branch', () => {
  let h: Harness;
  let target: TestTarget;
  beforeEach(async () => {
    target = await createTestTarget();
  });
  afterEach(async () => {
    await h.close();
    await dropBranchesOf(target);
    await target.cleanup();
  });

  it(
    'runs a schema change whose agents read the branch through their tools, with progress, handoffs, cost, cached prompts ' +
      'and files in the thread',
    async () => {
      h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url, INFRA_PROGRESS_INTERVAL_MS: '0' } });
      h.claude.script('api-designer', [{ toolUse: { name: 'list_tables', input: {} } }, submit('api-designer')]);
      h.claude.script('data-migration-specialist', [
        { toolUse: { name: 'create_branch', input: {} } },
        { toolUse: { name: 'list_tables', input: { schemas: ['public', 'auth'] } } },
        {
          toolUse: {
            name: 'execute_sql',
            input: { query: "select column_name from information_schema.columns where table_name = 'profiles'" },
          },
        },
        { toolUse: { name: 'read_artifact', input: { path: 'src/modules/core/types/preferences.ts' } } },
        submit('data-migration-specialist'),
      ]);
      h.claude.script('backend-engineer', [
        { toolUse: { name: 'execute_sql', input: { query: 'select policyname from pg_policies' } } },
        { toolUse: { name: 'list_migrations', input: {} } },
        submit('backend-engineer'),
      ]);
      h.claude.script('devops-engineer', [
        { toolUse: { name: 'list_migrations', input: {} } },
        { toolUse: { name: 'get_logs', input: { limit: 20 } } },
        submit('devops-engineer'),
      ]);

      await h.command('Add a new table for user preferences');
      const root = await h.root();
      for (const gate of ['API Review', 'Branch Test', 'Security', 'Smoke Test'])
        await h.click(await h.openGate(root, gate), 'approve', APPROVER);
      await h.waitForState('succeeded');
      const report = await h.waitForInThread(root, /Workflow complete/);

      // The api-designer looked before any branch existed and was told so; the migration step made the branch and read it.
      const dms = h.claude.requestsFor('data-migration-specialist');
      expect(h.claude.requestsFor('api-designer')[1]!.toolResults[0]).toMatchObject({
        is_error: true,
        text: expect.stringMatching(/no branch yet/),
      });
      expect(dms[1]!.toolResults[0]!.text).toMatch(/^Branch infra-wf-1 is ready \(postgres\)/);
      expect(dms[2]!.toolResults[0]!.text).toMatch(
        /<untrusted-data-[0-9a-f-]{36}>[\s\S]*"name":"users"[\s\S]*"name":"profiles"/,
      );
      expect(dms[3]!.toolResults[0]!.text).toMatch(/untrusted data[\s\S]*"column_name":"username"/);
      expect(dms[4]!.toolResults[0]!.text).toContain(HANDOFFS['api-designer'].artifacts[0].content.trim());
      expect(h.claude.requestsFor('backend-engineer')[2]!.toolResults[0]!.text).toContain('create_user_preferences');

      // Every request caches the tools, the system prompt and the conversation so far, and nothing else.
      for (const request of h.claude.requests)
        expect(breakpoints(request)).toEqual(['last tool', 'system', 'last message block']);

      // Live progress: the step message showed what the agent was doing, then its outcome.
      const thread = h.thread(root);
      const dmsMessage = thread.find((m) => textOf(m).startsWith('[2/5] Invoking data-migration-specialist...'))!;
      const shown = dmsMessage.history.map((v) => v.text);
      expect(shown).toEqual(
        expect.arrayContaining([
          expect.stringContaining('calling create_branch…'),
          expect.stringContaining('calling execute_sql…'),
        ]),
      );
      expect(textOf(dmsMessage)).toMatch(
        /done in [\d.]+ (ms|s)\s+[\d,]+ tokens \([\d,]+ from cache\) · ~(\$\d+\.\d\d|<\$0\.01)/,
      );

      // The orchestrator's handoff format, in the step's own message, with the artifacts attached as files.
      const texts = h.threadTexts(root);
      const designStep = texts.find((t) => t.startsWith('[1/5] Invoking api-designer... done'));
      expect(designStep).toContain('Handoff: api-designer → data-migration-specialist');
      expect(designStep).toContain('src/modules/core/types/preferences.ts');
      expect(texts.find((t) => t.startsWith('[4/5] Invoking devops-engineer... done'))).toContain(
        'Handoff: devops-engineer → Validation',
      );
      expect(texts.filter((t) => t.startsWith('Handoff:'))).toEqual([]);
      const files = h.slack.files.filter((f) => f.threadTs === root.ts).map((f) => f.filename);
      expect(files).toEqual(
        expect.arrayContaining([
          'preferences.ts',
          'migrations.yml',
          expect.stringMatching(/^INFRA-\d{4}-\d{2}-\d{2}-add-a-new-table-for-user-preferences-wf1\.md$/),
          expect.stringMatching(/^migration-test-\d{4}-\d{2}-\d{2}-wf1\.md$/),
          expect.stringMatching(/^INFRA-REPORT-\d{4}-\d{2}-\d{2}-wf1\.md$/),
        ]),
      );
      const titles = h.slack.files.filter((f) => f.threadTs === root.ts).map((f) => f.title);
      expect(new Set(titles).size).toBe(titles.length);

      // The orchestrator's output locations, under the workspace and in Postgres.
      const stored = (await h.pool.query('SELECT path, content FROM artifacts WHERE workflow_id = 1 ORDER BY id'))
        .rows as Array<{ path: string; content: string }>;
      expect(stored.map((a) => a.path)).toEqual([
        expect.stringMatching(/^plans\/INFRA-\d{4}-\d{2}-\d{2}-add-a-new-table-for-user-preferences-wf1\.md$/),
        expect.stringMatching(/^validations\/migration-test-\d{4}-\d{2}-\d{2}-wf1\.md$/),
        expect.stringMatching(/^reports\/INFRA-REPORT-\d{4}-\d{2}-\d{2}-wf1\.md$/),
      ]);
      for (const a of stored) expect(readFileSync(join(h.workspace, a.path), 'utf8')).toBe(a.content);
      expect(stored[0]!.content).toContain(
        '2. **data-migration-specialist** — Write and test the migration (gate: Migration · Branch Test)',
      );
      expect(stored[2]!.content).toMatch(/## Tokens and cost\n- [\d,]+ tokens/);

      // Tokens and cost per step and for the workflow, as recorded per call.
      const calls = await modelCalls(h);
      expect(calls).toHaveLength(h.claude.requests.length);
      const total = calls.reduce(
        (n, c) => n + c.input_tokens + c.output_tokens + c.cache_read_input_tokens + c.cache_creation_input_tokens,
        0,
      );
      expect(textOf(report)).toContain(`${total.toLocaleString('en-US')} tokens`);
      expect(textOf(report)).toMatch(/~(\$\d+\.\d\d|<\$0\.01) \(estimated at list prices\)/);
      const later = calls.filter((c) => c.idx >= 1);
      const input = later.reduce(
        (n, c) => n + c.input_tokens + c.cache_read_input_tokens + c.cache_creation_input_tokens,
        0,
      );
      const fromCache = later.reduce((n, c) => n + c.cache_read_input_tokens, 0);
      expect(fromCache / input).toBeGreaterThan(0.5);
      h.claude.assertNoUnexpected();
      h.slack.assertNoUnexpected();
    },
  );
});

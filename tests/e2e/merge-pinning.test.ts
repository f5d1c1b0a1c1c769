import type { Client } from 'pg';
import { APPROVER, Harness } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { HANDOFFS, scriptSchemaChange, submit } from '../support/scripted-agents';
import {
  createTestTarget,
  hasTable,
  SERVER_URL,
  TARGET_SCHEMA_SQL,
  type TestTarget,
  withConnection,
} from '../changes/test-target';

const SMUGGLED = {
  name: 'grant_everything',
  up_sql: 'create table public.smuggled (id int);',
  down_sql: 'drop table public.smuggled;',
};

async function dropBranches(target: TestTarget): Promise<void> {
  await withConnection(SERVER_URL, async (c: Client) => {
    const { rows } = await c.query(
      `SELECT datname FROM pg_database WHERE datname LIKE 'infra_wf_%' AND shobj_description(oid, 'pg_database') LIKE $1`,
      [`%"target":"${target.name}"%`],
    );
    for (const r of rows) await c.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
  });
}

function submitTool(request: { body: { tools?: Array<Record<string, unknown>> } }): {
  properties: Record<string, unknown>;
  required: string[];
  additionalProperties: unknown;
} {
  return request.body.tools!.find((t) => t.name === 'submit_handoff')!.input_schema as never;
}

describe('only tested, shown migrations reach production', () => {
  let h: Harness;
  let target: TestTarget;
  afterEach(async () => {
    await h.close();
    await dropBranches(target);
    await target.cleanup();
  });

  async function toMergeGate(schemaSql?: string) {
    target = await createTestTarget(schemaSql ? { schemaSql } : {});
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
  }

  it('sends a migration from the devops step back to the model and never merges it', async () => {
    await toMergeGate();
    scriptSchemaChange(h.claude, ['devops-engineer']);
    h.claude.script('devops-engineer', [submit('devops-engineer', { migration: SMUGGLED }), submit('devops-engineer')]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test', 'Security'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    const merge = await h.openGate(root, 'Smoke Test');

    const [first, second] = h.claude.requestsFor('devops-engineer');
    const offered = submitTool(first!);
    expect(Object.keys(offered.properties)).not.toContain('migration');
    expect(offered.required).toEqual(expect.arrayContaining(['summary', 'context', 'pipeline']));
    expect(offered.additionalProperties).toBe(false);
    expect(second!.toolResults[0]).toMatchObject({ is_error: true, text: expect.stringMatching(/migration/) });
    const migrationStep = submitTool(h.claude.requestsFor('data-migration-specialist')[0]!);
    expect(migrationStep.required).toContain('migration');

    expect(textOf(merge)).not.toContain('smuggled');
    await h.click(merge, 'approve', APPROVER);
    await h.waitForState('succeeded');
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(true);
    expect(await hasTable(target.url, 'public.smuggled')).toBe(false);
  });

  it('shows each migration it will merge at the merge gate, with its SQL and its branch-test result', async () => {
    await toMergeGate();
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test', 'Security'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    const text = textOf(await h.openGate(root, 'Smoke Test'));
    const { up_sql, down_sql } = HANDOFFS['data-migration-specialist'].migration;
    expect(text).toContain('Migrations this gate merges');
    expect(text).toMatch(/`create_user_preferences` — branch test passed/);
    expect(text).toContain(up_sql.split('\n')[0]);
    expect(text).toContain(down_sql);
  });

  it('does not merge a migration whose text changed after its branch test, and says why', async () => {
    await toMergeGate();
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test', 'Security'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    const merge = await h.openGate(root, 'Smoke Test');
    await h.pool.query(
      `UPDATE steps SET handoff = jsonb_set(handoff, '{migration,up_sql}', to_jsonb($1::text)) WHERE key = 'migration'`,
      [`${HANDOFFS['data-migration-specialist'].migration.up_sql}\ncreate table public.smuggled (id int);`],
    );
    await h.click(merge, 'approve', APPROVER);
    const notice = await h.waitForInThread(root, /Nothing was merged/);
    expect(textOf(notice)).toMatch(/create_user_preferences.*not the text that passed the branch test/);
    await h.waitForState('failed');
    expect(textOf(await h.waitForInThread(root, /Workflow failed/))).toContain(
      'Nothing was merged: its notice in the thread says why.',
    );
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
    expect(await hasTable(target.url, 'public.smuggled')).toBe(false);
  });

  it('says which migrations a failed merge left on production, by name', async () => {
    await toMergeGate();
    scriptSchemaChange(h.claude, ['backend-engineer']);
    const settings = {
      name: 'create_user_settings',
      up_sql:
        'create table public.user_settings (id int primary key);\nalter table public.user_settings enable row level security;',
      down_sql: 'drop table public.user_settings;',
    };
    h.claude.script('backend-engineer', [submit('backend-engineer', { migration: settings })]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test', 'Security'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    const merge = await h.openGate(root, 'Smoke Test');
    expect(textOf(merge)).toMatch(/Migrations this gate merges\* \(2\)/);
    await withConnection(target.url, (c) => c.query('create table public.user_settings (id int)'));
    await h.click(merge, 'approve', APPROVER);
    const notice = textOf(await h.waitForInThread(root, /Merging to production failed/));
    expect(notice).toContain('already exists');
    expect(notice).toContain(
      "`create_user_preferences` merged before the failure and stay merged; the report's Roll back production button reverts them.",
    );
    expect(notice).not.toContain('Nothing was merged');
    await h.waitForState('failed');
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(true);
    // The error is said once, in that notice: the report and the root point to it.
    const pointer = 'Merging to production failed: its notice in the thread says why and what stayed on production.';
    expect(textOf(await h.waitForInThread(root, /Workflow failed/))).toContain(pointer);
    await h.slack.waitFor(() => textOf(h.slack.message(root.channel, root.ts)!).includes(pointer), {
      description: 'the root points to the notice',
    });
    const saying = h
      .thread(root)
      .filter((m) => (m.blocks ? textOf({ blocks: m.blocks }) : '').includes('already exists'));
    expect(saying).toHaveLength(1);
  });

  it('shows RLS findings about objects the change does not touch apart, as already on production, without failing the gate', async () => {
    await toMergeGate(`${TARGET_SCHEMA_SQL}\nCREATE TABLE public.legacy_notes (id int);`);
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    const security = await h.openGate(root, 'Security');
    const text = textOf(security);
    expect(text).toMatch(
      /\*Pre-existing: already on production\*[\s\S]*• public\.legacy_notes is reachable through the API/,
    );
    expect(text).not.toMatch(/:x: RLS[^\n]*legacy_notes/);
    await h.click(security, 'approve', APPROVER);
    await h.openGate(root, 'Smoke Test');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPROVER, CHANNEL, Harness } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import type { FakeAnthropicRequest } from '../support/fake-anthropic';
import { HANDOFFS, scriptSchemaChange, submit } from '../support/scripted-agents';
import { createTestTarget, dropBranchesOf, hasTable, noBranchesLeft, type TestTarget } from '../changes/test-target';

/** The scripted model's reply that submits `input` as its handoff. */
const submitTurn = (input: Record<string, unknown>) => ({ toolUse: { name: 'submit_handoff', input } });

describe('a migration that fails on the branch', () => {
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

  it('stops the workflow when the migration fails on the branch, merges nothing and removes the branch', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    const workspace = h.workspace;
    scriptFailingMigration({
      summary: 'The migration references public.no_such_table, which does not exist',
      nextSteps: ['Reference auth.users(id) instead'],
      onAnalysis: (request) => expect(JSON.stringify(request.body.messages[0])).toContain('no_such_table'),
    });
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.waitForState('failed');
    const step = await h.waitForInThread(root, /^\[2\/5\] Invoking data-migration-specialist/);
    expect(textOf(step)).toContain('no_such_table');
    // The failure keeps what the gate would have shown: the risk and the lint's findings.
    expect(textOf(step)).toContain(
      'Risk: low — additive only: nothing is dropped, rewritten or locked on an existing table. Lint: no findings.',
    );
    expect(textOf(step)).toContain('nothing was merged');
    await h.waitForInThread(root, /Workflow failed/);
    const note = await h.waitForInThread(root, /Rollback analysis/);
    const { rows: calls } = await h.pool.query(
      `SELECT data FROM events WHERE workflow_id = 1 AND type = 'model_call' AND data->>'purpose' = 'failure_analysis'`,
    );
    expect(calls.map((c) => c.data.agent)).toEqual(['data-migration-specialist']);
    expect(textOf(note)).toContain('The migration references public.no_such_table');
    expect(textOf(note)).toContain('Reference auth.users(id) instead');
    const [file] = readdirSync(join(workspace, 'validations'));
    const record = readFileSync(join(workspace, 'validations', file!), 'utf8');
    expect(file).toMatch(/^migration-test-\d{4}-\d{2}-\d{2}-wf1\.md$/);
    expect(record).toContain('result: FAILED');
    expect(record).toContain('no_such_table');
    expect(await hasTable(target.url, 'public.user_preferences')).toBe(false);
    await noBranchesLeft(target);
  });

  /**
   * Scripts a migration that fails on the branch (it references a table that does not exist), then the
   * analysis of its failure; `onStep` runs at the step's model call, `onAnalysis` at the analysis's.
   */
  function scriptFailingMigration(opts: {
    summary: string;
    nextSteps?: string[];
    onStep?: () => void;
    onAnalysis?: (request: FakeAnthropicRequest) => void;
  }): void {
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    const broken = {
      ...HANDOFFS['data-migration-specialist'].migration,
      up_sql: 'create table public.user_preferences (user_id uuid references public.no_such_table(id));',
    };
    const analysis = {
      summary: opts.summary,
      context: 'user_id must reference auth.users(id).',
      artifacts: [],
      next_steps: opts.nextSteps ?? [],
      constraints: [],
    };
    h.claude.script('data-migration-specialist', [
      () => {
        opts.onStep?.();
        return submitTurn({ ...HANDOFFS['data-migration-specialist'], migration: broken });
      },
      (request) => {
        opts.onAnalysis?.(request);
        return submitTurn(analysis);
      },
    ]);
  }

  /** Runs the workflow to its failure; returns the thread's texts once the workflow's report is in. */
  async function failAndReadThread(): Promise<string[]> {
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.waitForState('failed');
    await h.waitForInThread(root, /Workflow failed/);
    return h.slack.thread(CHANNEL, root.ts).map((m) => textOf(m));
  }

  it('posts the rollback analysis before the report when the reconciler ticks while the failure is being reported', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    // The failed step's files wait 3 s for Slack: six reconciler ticks go by before the workflow ends.
    scriptFailingMigration({
      summary: 'The migration references a table that does not exist',
      onStep: () => h.slack.failNext('files.completeUploadExternal', { status: 429, retryAfter: 3 }),
    });
    const thread = await failAndReadThread();
    const analysis = thread.findIndex((t) => t.includes('Rollback analysis'));
    expect(thread[analysis]).toContain('The migration references a table that does not exist');
    expect(analysis).toBeLessThan(thread.findIndex((t) => t.includes('Workflow failed')));
    expect(thread.filter((t) => t.includes('Workflow failed'))).toHaveLength(1);
  });

  it('finishes reporting the failure, analysis included, on the job’s next attempt when Slack refused a part of it', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    scriptFailingMigration({
      summary: 'The migration references a table that does not exist',
      onStep: () => h.slack.failNext('files.completeUploadExternal', { error: 'internal_error' }),
    });
    const thread = await failAndReadThread();
    expect(thread.find((t) => t.includes('Rollback analysis'))).toContain(
      'The migration references a table that does not exist',
    );
    const shares = h.slack.thread(CHANNEL, (await h.root()).ts).flatMap((m) => m.files ?? []);
    expect(shares.filter((f) => f.name.startsWith('migration-test-'))).toHaveLength(1);
    expect(thread.filter((t) => t.includes('Workflow failed'))).toHaveLength(1);
  });

  it('says a failed migration was destructive, with the lint findings, when the round trip fails', async () => {
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url } });
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    const destructive = {
      ...HANDOFFS['data-migration-specialist'].migration,
      up_sql: 'alter table public.user_preferences drop column theme;',
    };
    const analysis = {
      summary: 'The table does not exist',
      context: '',
      artifacts: [],
      next_steps: [],
      constraints: [],
    };
    h.claude.script('data-migration-specialist', [
      submit('data-migration-specialist', { migration: destructive }),
      () => ({ toolUse: { name: 'submit_handoff', input: analysis } }),
    ]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.waitForState('failed');
    const step = textOf(await h.waitForInThread(root, /^\[2\/5\] Invoking data-migration-specialist/));
    expect(step).toContain('failed at "up"');
    expect(step).toContain('Risk: high — destructive — statement 1: DROP COLUMN theme removes the column and its data');
    expect(step).toContain(
      'Lint: Lint (squawk): ban-drop-column (Dropping a column may break existing clients. (line 1))',
    );
    await noBranchesLeft(target);
  });
});

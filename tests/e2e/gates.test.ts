import { APPROVER, CHANNEL, Harness, REQUESTER, SECOND_APPROVER, STRANGER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { HANDOFFS, scriptSchemaChange, submit } from '../support/scripted-agents';
import { workflowsWithActions } from '../support/workflows-with-actions';

const countRows = async (h: Harness, sql: string): Promise<number> => Number((await h.pool.query(sql)).rows[0].count);

describe('quality gates', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  async function startAtFirstGate(env: Record<string, string> = {}) {
    h = await Harness.start({ env });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    return { root, gate };
  }

  it(
    'shows the gate criteria, its automatic checks and Approve, Reject, Request changes and Rollback buttons with a ' +
      'confirm on Rollback',
    async () => {
      const { gate } = await startAtFirstGate();
      const text = textOf(gate);
      expect(text).toContain('Design: API Review');
      expect(text).toContain('Types defined, contracts clear');
      expect(text).toContain('src/modules/core/types/preferences.ts');
      const buttons = (gate.blocks!.find((b) => b.type === 'actions') as { elements: Array<Record<string, unknown>> })
        .elements;
      expect(buttons.map((b) => [(b.text as { text: string }).text, b.style])).toEqual([
        ['Approve', 'primary'],
        ['Reject', 'danger'],
        ['Request changes', undefined],
        ['Rollback', 'danger'],
      ]);
      expect(buttons[3]!.confirm).toBeDefined();
    },
  );

  it('stops the workflow on Reject, merges nothing and asks the person who rejected for the reason', async () => {
    const { root, gate } = await startAtFirstGate();
    await h.click(gate, 'reject', APPROVER);
    await h.waitForState('rejected');
    await h.waitForInThread(root, /please reply in this thread with the reason/);
    expect(textOf(h.slack.message(CHANNEL, gate.ts))).toContain(`Rejected by <@${APPROVER}>`);
    await h.waitForInThread(root, /Workflow rejected/);
    expect(h.claude.requestsFor('data-migration-specialist')).toHaveLength(0);

    // The requester's reply is not the reason: only the person who rejected gives it, and the requester is told.
    await h.reply(root, 'Why was this rejected?', REQUESTER);
    const note = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === REQUESTER), {
      description: 'the note to the requester',
    });
    expect(note.text).toContain(`This thread is waiting for the reason of <@${APPROVER}> (Reject)`);
    await h.reply(root, 'The table needs a notification_email column too', APPROVER);
    await h.waitForInThread(root, /Reason noted/);
    const events = await h.events();
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['gate_rejected', 'workflow_rejected', 'rejection_reason']),
    );
    expect(events.find((e) => e.type === 'rejection_reason')?.actor).toBe(APPROVER);
    h.slack.assertNoUnexpected();
  });

  it('refuses a click from someone who is not an approver, ephemerally, and changes nothing', async () => {
    const { gate } = await startAtFirstGate();
    await h.click(gate, 'approve', STRANGER);
    const refusal = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === STRANGER), {
      description: 'ephemeral refusal',
    });
    expect(refusal.text).toMatch(/Only the approvers/);
    expect(await h.workflowState()).toBe('waiting_gate');
    expect(JSON.stringify(h.slack.message(CHANNEL, gate.ts)!.blocks)).toContain('gate_approve');
    expect((await h.events()).filter((e) => e.type === 'gate_refused')).toEqual([
      { type: 'gate_refused', actor: STRANGER },
    ]);
  });

  it('does not let the requester approve the gate that merges to production, but lets another approver', async () => {
    h = await Harness.start({ env: { INFRA_APPROVERS: `${REQUESTER},${APPROVER}` } });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const title of ['API Review', 'Branch Test', 'Security']) {
      await h.click(await h.openGate(root, title), 'approve', REQUESTER);
      await h.slack.waitFor(() => h.thread(root).some((m) => textOf(m).includes(`${title} — Approved by`)), {
        description: `${title} approved`,
      });
    }
    const merge = await h.openGate(root, 'Smoke Test');
    // No target is configured here: the merge gate says so instead of claiming it merges to production.
    expect(textOf(merge)).toContain(
      '*What approving this gate does:* nothing will be merged — no target is configured (TARGET_DATABASE_URL or ' +
        'SUPABASE_PROJECT_REF); the approved SQL stays in this thread',
    );
    expect(textOf(merge)).not.toContain('merges the change to production');
    await h.click(merge, 'approve', REQUESTER);
    const refusal = await h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === REQUESTER), {
      description: 'refusal',
    });
    expect(refusal.text).toMatch(/someone else must approve/);
    expect(await h.workflowState()).toBe('waiting_gate');

    await h.click(merge, 'approve', APPROVER);
    await h.waitForState('succeeded');
  });

  it('shows hostile SQL at the Branch Test gate only inside its code block: no fence, mention or link gets out', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    const migration = {
      ...HANDOFFS['data-migration-specialist'].migration,
      up_sql:
        '-- ```\n-- <!channel> <@U0ADMIN> *approve now* <https://evil.example|the real diff>\n-- `````\n' +
        HANDOFFS['data-migration-specialist'].migration.up_sql,
    };
    h.claude.script('data-migration-specialist', [submit('data-migration-specialist', { migration })]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    const gate = await h.openGate(root, 'Branch Test');
    const sections = (gate.blocks ?? []).flatMap((b) => {
      const text = (b as { text?: { text?: string } }).text?.text;
      return text ? [text] : [];
    });
    const up = sections.find((t) => t.includes('*Up SQL: create_user_preferences*'))!;

    expect(up.match(/```/g)).toHaveLength(2);
    expect(up.endsWith('\n```')).toBe(true);
    expect(up).toContain(
      '-- &lt;!channel&gt; &lt;@U0ADMIN&gt; *approve now* &lt;https://evil.example|the real diff&gt;',
    );
    expect(JSON.stringify(gate.blocks)).not.toMatch(/<!channel>|<@U0ADMIN>|<https:\/\/evil/);
    expect(textOf(gate)).toMatch(/\*Risk: :large_green_circle: Low\*/);
  });

  it('turns a double click and two approvers clicking at once into exactly one transition', async () => {
    const { root, gate } = await startAtFirstGate();
    const clicks = await Promise.all([
      h.click(gate, 'approve', APPROVER),
      h.click(gate, 'approve', APPROVER),
      h.click(gate, 'approve', SECOND_APPROVER),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200, 200]);
    await h.openGate(root, 'Branch Test');
    expect(await countRows(h, "select count(*) from events where type = 'gate_approved'")).toBe(1);
    expect(await countRows(h, "select count(*) from events where type = 'workflow_resumed'")).toBe(1);
    const already = await h.slack.waitFor(
      () => h.slack.ephemerals.filter((e) => /already approved/.test(e.text)).length === 2 || undefined,
      { description: 'two "already" notes' },
    );
    expect(already).toBe(true);
    expect(h.threadTexts(root).filter((t) => t.startsWith('[2/5] Invoking data-migration-specialist...'))).toHaveLength(
      1,
    );
    expect(h.claude.requestsFor('data-migration-specialist')).toHaveLength(1);
  });

  it('asks a second approver for a destructive migration, and does not count the same person twice', async () => {
    h = await Harness.start();
    scriptSchemaChange(h.claude, ['data-migration-specialist']);
    const destructive = {
      name: 'drop_profile_bio',
      up_sql: 'alter table public.profiles drop column bio;',
      down_sql: 'alter table public.profiles add column bio text;',
    };
    h.claude.script('data-migration-specialist', [
      submit('data-migration-specialist', { migration: destructive, summary: 'Drop profiles.bio' }),
    ]);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    const gate = await h.openGate(root, 'Branch Test');
    expect(textOf(gate)).toContain('Destructive change: needs 2 approvals from different people (0 of 2)');

    await h.click(gate, 'approve', APPROVER);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, gate.ts)).includes(`(1 of 2: <@${APPROVER}>)`), {
      description: 'first approval shown',
    });
    expect(await h.workflowState()).toBe('waiting_gate');
    await h.click(h.slack.message(CHANNEL, gate.ts)!, 'approve', APPROVER);
    const refusal = await h.slack.waitFor(
      () => h.slack.ephemerals.find((e) => /already approved this gate/.test(e.text)),
      { description: 'same person refused' },
    );
    expect(refusal.user).toBe(APPROVER);
    expect(await h.workflowState()).toBe('waiting_gate');

    await h.click(h.slack.message(CHANNEL, gate.ts)!, 'approve', SECOND_APPROVER);
    await h.openGate(root, 'Security');
    expect(textOf(h.slack.message(CHANNEL, gate.ts))).toContain(`Approved by <@${APPROVER}> and <@${SECOND_APPROVER}>`);
  });

  it('rolls back at a gate: runs the compensations the steps registered, newest first, and marks the workflow rolled back', async () => {
    const undone: string[] = [];
    h = await Harness.start({
      runtime: {
        actions: [
          {
            name: 'create-branch',
            async run(ctx) {
              await ctx.compensate({
                key: `branch-${ctx.workflow.id}`,
                kind: 'delete-branch',
                data: { branch: `infra-${ctx.workflow.id}` },
              });
              return {
                summary: `Branch infra-${ctx.workflow.id} created.`,
                checks: [{ name: 'Branch created', status: 'pass' }],
              };
            },
          },
        ],
        compensators: [
          {
            kind: 'delete-branch',
            async run(data) {
              undone.push(String(data.branch));
            },
          },
        ],
        workflowsDir: workflowsWithActions('schema-change', { migration: ['create-branch'] }),
      },
    });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    const branchGate = await h.openGate(root, 'Branch Test');
    expect(textOf(branchGate)).toContain('Branch created');
    await h.click(branchGate, 'rollback', APPROVER);
    await h.waitForInThread(root, /Rolled back by/);
    await h.waitForState('rolled_back');
    expect(undone).toEqual(['infra-1']);
    expect(textOf(h.slack.message(CHANNEL, branchGate.ts))).toContain(`Rolled back by <@${APPROVER}>`);
    await h.waitForInThread(root, /Workflow rolled back/);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, root.ts)).includes('Rolled back'), {
      description: 'root shows the rollback',
    });
    expect(await countRows(h, 'select count(*) from target_locks')).toBe(0);
  });
});

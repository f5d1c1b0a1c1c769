import { rmSync } from 'node:fs';
import type { Check } from '../../src/domain/records';
import type { StepAction } from '../../src/engine/ports/step-actions';
import { textOf } from '../../dev/local-slack/block-text';
import { APPROVER, CHANNEL, Harness, SECOND_APPROVER } from '../support/harness';
import { scriptSchemaChange } from '../support/scripted-agents';
import { workflowsWithActions } from '../support/workflows-with-actions';

/** An engine action that reports fixed checks, as a parser-based check would. */
function reporting(name: string, checks: Check[]): StepAction {
  return { name, run: async () => ({ checks }) };
}

describe('the gate policy, from the findings', () => {
  let h: Harness;
  let dir: string;
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(actions: StepAction[], at: Record<string, string[]>) {
    dir = workflowsWithActions('schema-change', at);
    h = await Harness.start({ runtime: { actions, workflowsDir: dir } });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    return h.root();
  }

  it('asks two approvers at the merge gate when a step without a gate of its own found a destructive statement', async () => {
    const flagged: Check = {
      name: 'Column dropped',
      status: 'warn',
      detail: 'alter table … drop column bio',
      flags: ['destructive'],
    };
    const root = await start([reporting('flag-destructive', [flagged])], { devops: ['flag-destructive'] });
    for (const title of ['API Review', 'Branch Test', 'Security'])
      await h.click(await h.openGate(root, title), 'approve', APPROVER);
    const merge = await h.openGate(root, 'Smoke Test');
    expect(textOf(merge)).toMatch(/needs 2 approvals from different people \(0 of 2\)/);
    expect(textOf(merge)).toContain('Column dropped');

    await h.click(merge, 'approve', APPROVER);
    await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, merge.ts)).includes(`(1 of 2: <@${APPROVER}>)`), {
      description: 'first approval shown',
    });
    expect(await h.workflowState()).toBe('waiting_gate');
    await h.click(h.slack.message(CHANNEL, merge.ts)!, 'approve', SECOND_APPROVER);
    await h.waitForState('succeeded');
  });

  it(
    'refuses Approve on a failed check, naming it; one Override is not enough; two ' +
      'approvers with reasons let the gate go on',
    async () => {
      const failed: Check = { name: 'Custom policy', status: 'fail', detail: 'the contract exposes emails' };
      const warned: Check = { name: 'Naming', status: 'warn', detail: 'camelCase column' };
      const root = await start([reporting('custom-policy', [failed, warned])], { 'api-design': ['custom-policy'] });
      const gate = await h.openGate(root, 'API Review');
      expect(textOf(gate)).toMatch(/1 check\(s\) failed and block Approve: Custom policy/);
      expect(textOf(gate)).toMatch(/Approving acknowledges 1 warning\(s\): Naming/);
      const override = (
        gate.blocks!.find((b) => b.type === 'actions') as { elements: Array<Record<string, unknown>> }
      ).elements.find((e) => e.action_id === 'gate_override');
      expect(override).toMatchObject({ style: 'danger', confirm: expect.any(Object) });

      await h.click(gate, 'approve', APPROVER);
      const refusal = await h.slack.waitFor(
        () => h.slack.ephemerals.find((e) => e.user === APPROVER && /Custom policy/.test(e.text)),
        { description: 'blocked approval' },
      );
      expect(refusal.text).toMatch(/failed/);
      expect(await h.workflowState()).toBe('waiting_gate');

      await h.clickButton(gate, 'gate_override', APPROVER);
      await h.waitForInThread(root, new RegExp(`<@${APPROVER}>, reply in this thread with your reason for overriding`));
      await h.reply(root, 'The emails are hashed before they reach the API', APPROVER);
      await h.slack.waitFor(() => textOf(h.slack.message(CHANNEL, gate.ts)).includes('The emails are hashed'), {
        description: 'first override shown',
      });
      expect(await h.workflowState()).toBe('waiting_gate');
      await h.clickButton(h.slack.message(CHANNEL, gate.ts)!, 'gate_override', APPROVER);
      await h.slack.waitFor(
        () => h.slack.ephemerals.find((e) => e.user === APPROVER && /already overridden/.test(e.text)),
        { description: 'same person refused' },
      );

      await h.clickButton(h.slack.message(CHANNEL, gate.ts)!, 'gate_override', SECOND_APPROVER);
      await h.waitForInThread(
        root,
        new RegExp(`<@${SECOND_APPROVER}>, reply in this thread with your reason for overriding`),
      );
      expect(await h.workflowState()).toBe('waiting_gate');
      await h.reply(root, 'Agreed with security on 1 Dec', SECOND_APPROVER);
      await h.openGate(root, 'Branch Test');
      const decided = textOf(h.slack.message(CHANNEL, gate.ts));
      expect(decided).toContain(
        `Overridden by <@${APPROVER}> (“The emails are hashed before they reach the API”) and <@${SECOND_APPROVER}> (“Agreed ` +
          'with security on 1 Dec”)',
      );
      const { rows } = await h.pool.query(
        `SELECT type, actor, data FROM events WHERE type LIKE 'gate_overrid%' ORDER BY id`,
      );
      expect(rows.map((r) => [r.type, r.actor])).toEqual([
        ['gate_override_requested', APPROVER],
        ['gate_override_reason', APPROVER],
        ['gate_override_requested', SECOND_APPROVER],
        ['gate_override_reason', SECOND_APPROVER],
        ['gate_overridden', SECOND_APPROVER],
      ]);
      expect(rows[4].data).toMatchObject({ checks: ['Custom policy'], acknowledged_warnings: ['Naming'] });
      expect(await h.workflowState()).toBe('waiting_gate');
    },
  );

  it('records the warnings an approval acknowledges', async () => {
    const root = await start([reporting('naming', [{ name: 'Naming', status: 'warn', detail: 'camelCase column' }])], {
      'api-design': ['naming'],
    });
    await h.click(await h.openGate(root, 'API Review'), 'approve', APPROVER);
    await h.openGate(root, 'Branch Test');
    const { rows } = await h.pool.query(`SELECT data FROM events WHERE type = 'gate_approved'`);
    expect(rows[0].data).toMatchObject({ acknowledged_warnings: ['Naming'] });
  });
});

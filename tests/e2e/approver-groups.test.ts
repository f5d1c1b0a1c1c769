/** INFRA_APPROVER_GROUPS: the members of a Slack user group approve, read from Slack and refreshed. */
import { isApprover } from '../../src/domain/approval-policy';
import { APPROVER, Harness, STRANGER } from '../support/harness';
import { scriptSchemaChange } from '../support/scripted-agents';

const LEAD = 'U0LEAD0001';
const LEADS = { id: 'S0LEADS001', handle: 'platform-leads', name: 'Platform leads' };

describe('approvers from Slack user groups', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  /** Until the bot's last read of the groups says `user` is (or is not) an approver. */
  async function untilApprover(user: string, expected: boolean): Promise<void> {
    await h.slack.waitFor(() => isApprover(h.runtime.decisions.policy, user) === expected, {
      description: `${user} ${expected ? 'an' : 'no longer an'} approver after a refresh`,
      timeoutMs: 10_000,
    });
  }

  const refusalTo = (user: string) =>
    h.slack.waitFor(() => h.slack.ephemerals.find((e) => e.user === user && /Only the approvers/.test(e.text)), {
      description: `the refusal to ${user}`,
    });

  it(
    'lets a member of the group approve and refuses someone outside it, and follows a change of the ' +
      'group after the refresh',
    async () => {
      h = await Harness.start({
        env: {
          INFRA_APPROVERS: APPROVER,
          INFRA_APPROVER_GROUPS: '@platform-leads',
          INFRA_APPROVER_GROUPS_REFRESH: '1s',
        },
      });
      h.slack.setUserGroup({ ...LEADS, users: [LEAD] });
      await untilApprover(LEAD, true);
      scriptSchemaChange(h.claude);
      await h.command('Add a new table for user preferences');
      const root = await h.root();

      const design = await h.openGate(root, 'API Review');
      expect((await h.click(design, 'approve', STRANGER)).status).toBe(200);
      expect((await refusalTo(STRANGER)).text).toContain(`<@${APPROVER}>, <!subteam^${LEADS.id}>`);
      expect(await h.workflowState()).toBe('waiting_gate');
      await h.click(design, 'approve', LEAD);
      const branch = await h.openGate(root, 'Branch Test');

      // The group changes in Slack: the lead leaves, the stranger joins; the next refresh follows it.
      h.slack.setUserGroup({ ...LEADS, users: [STRANGER] });
      await untilApprover(LEAD, false);
      await h.click(branch, 'approve', LEAD);
      await refusalTo(LEAD);
      expect(await h.workflowState()).toBe('waiting_gate');
      await h.click(branch, 'approve', STRANGER);
      await h.openGate(root, 'Security');
      // INFRA_APPROVERS still counts beside the group.
      expect(isApprover(h.runtime.decisions.policy, APPROVER)).toBe(true);
      const decided = await h.pool.query(
        "SELECT kind, state, approvals FROM gates WHERE state = 'approved' ORDER BY id",
      );
      expect(decided.rows.map((g) => g.approvals)).toEqual([[LEAD], [STRANGER]]);
      expect(h.slack.callsTo('usergroups.list').length).toBeGreaterThan(1);
      h.slack.assertNoUnexpected();
    },
  );
});

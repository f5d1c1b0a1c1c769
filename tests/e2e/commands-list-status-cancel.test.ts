/** /infra list, status and cancel of a running workflow, over signed HTTP. */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHANNEL, Harness, REQUESTER, STRANGER } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import type { LocalSlackMessage } from '../../dev/local-slack/local-slack';
import { scriptSchemaChange } from '../support/scripted-agents';

const REQUEST = 'Add a new table for user preferences';

interface AckJson {
  response_type?: string;
  text?: string;
  blocks?: unknown[];
}

const hasButtons = (m: LocalSlackMessage | undefined): boolean =>
  JSON.stringify(m?.blocks ?? []).includes('gate_approve');

describe('/infra subcommands over signed HTTP', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  /** A schema-change workflow #1 waiting at its first gate (API Review). */
  async function startAtFirstGate(): Promise<{ root: LocalSlackMessage; gate: LocalSlackMessage }> {
    h = await Harness.start();
    scriptSchemaChange(h.claude);
    const ack = await h.command(REQUEST);
    expect(ack.status).toBe(200);
    const root = await h.root();
    const gate = await h.openGate(root, 'API Review');
    await h.waitForState('waiting_gate');
    return { root, gate };
  }

  describe('list, status and cancel of a running workflow', () => {
    it('lists the active workflow #1 with its state and requester', async () => {
      await startAtFirstGate();
      const ack = await h.command('list', STRANGER);
      expect(ack.status).toBe(200);
      const json = ack.json as AckJson;
      expect(json.response_type).toBe('ephemeral');
      expect(json.text).toBe('1 active workflow(s)');
      const text = textOf(json);
      expect(text).toContain('*#1*');
      expect(text).toContain('waiting gate');
      expect(text).toContain(`<@${REQUESTER}>`);
      expect(text).toContain(REQUEST);
      h.slack.assertNoUnexpected();
    });

    it('lists nothing once the only workflow has ended', async () => {
      await startAtFirstGate();
      await h.command('cancel 1');
      await h.waitForState('cancelled');
      const json = (await h.command('list')).json as AckJson;
      expect(json.text).toContain('No active workflows');
      h.slack.assertNoUnexpected();
    });

    it('shows the state, every step and the open gate of workflow #1 for /infra status 1', async () => {
      await startAtFirstGate();
      const ack = await h.command('status 1');
      expect(ack.status).toBe(200);
      const json = ack.json as AckJson;
      expect(json.response_type).toBe('ephemeral');
      expect(json.text).toBe('Workflow #1 is waiting gate');
      const text = textOf(json);
      expect(text).toContain('Database schema change');
      expect(text).toMatch(/:white_check_mark: `\[1\/5\]` api-designer/);
      expect(text).toMatch(/:white_circle: `\[2\/5\]` data-migration-specialist/);
      expect(text.match(/`\[\d\/5\]`/g)).toHaveLength(5);
      expect(text).toContain('Waiting at gate *Design: API Review*');
      expect(text).toContain(`Requested by <@${REQUESTER}>`);
      // `#1` reads the same as `1`.
      expect(((await h.command('status #1')).json as AckJson).text).toBe('Workflow #1 is waiting gate');
      h.slack.assertNoUnexpected();
    });

    it('refuses /infra cancel 1 from a stranger ephemerally and leaves the workflow waiting at its gate', async () => {
      const { gate } = await startAtFirstGate();
      const ack = await h.command('cancel 1', STRANGER);
      expect(ack.status).toBe(200);
      const refusal = await h.slack.waitFor(
        () => h.slack.responses.find((r) => /Only the requester/.test(r.text ?? '')),
        { description: 'refusal on the response_url' },
      );
      expect(refusal.response_type).toBe('ephemeral');
      expect(refusal.text).toBe(`Only the requester (<@${REQUESTER}>) or an approver can cancel workflow #1.`);

      await sleep(300);
      expect(await h.workflowState()).toBe('waiting_gate');
      expect(hasButtons(h.slack.message(CHANNEL, gate.ts))).toBe(true);
      expect((await h.events()).map((e) => e.type)).not.toContain('workflow_cancelled');
      h.slack.assertNoUnexpected();
    });

    it('cancels workflow #1 for its requester: Postgres says cancelled, the thread says who, and the report closes it', async () => {
      const { root } = await startAtFirstGate();
      const ack = await h.command('cancel 1', REQUESTER);
      expect(ack.status).toBe(200);
      expect(ack.text).toBe('');

      const done = await h.slack.waitFor(() => h.slack.responses.find((r) => /cancelled/.test(r.text ?? '')), {
        description: 'cancel confirmation',
      });
      expect(done.response_type).toBe('ephemeral');
      expect(done.text).toBe('Workflow #1 is cancelled.');
      expect(await h.workflowState()).toBe('cancelled');
      expect(await h.events()).toContainEqual({ type: 'workflow_cancelled', actor: REQUESTER });

      const notice = await h.waitForInThread(root, /Cancelled by/);
      expect(textOf(notice)).toContain(`Cancelled by <@${REQUESTER}>`);
      const report = await h.waitForInThread(root, /Workflow cancelled/);
      expect(textOf(report)).toContain('API Review: expired');

      const { rows } = await h.pool.query<{ state: string }>('select state from gates where workflow_id = 1');
      expect(rows).toEqual([{ state: 'expired' }]);
      const steps = await h.pool.query<{ state: string }>('select state from steps where workflow_id = 1 order by idx');
      expect(steps.rows.map((s) => s.state)).toEqual(['succeeded', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);

      // Cancelling again changes nothing and says so.
      await h.command('cancel 1', REQUESTER);
      const again = await h.slack.waitFor(() => h.slack.responses.find((r) => /already cancelled/.test(r.text ?? '')), {
        description: 'second cancel answer',
      });
      expect(again.text).toBe('Workflow #1 is already cancelled; nothing to cancel.');
      expect(h.threadTexts(root).filter((t) => /Cancelled by/.test(t))).toHaveLength(1);
      h.slack.assertNoUnexpected();
    });

    it('removes the buttons of the open gate when the workflow is cancelled', async () => {
      const { gate } = await startAtFirstGate();
      await h.command('cancel 1', REQUESTER);
      await h.waitForState('cancelled');
      await h.slack.waitFor(() => !hasButtons(h.slack.message(CHANNEL, gate.ts)), {
        description: 'gate buttons removed',
        timeoutMs: 3000,
      });
      expect(textOf(h.slack.message(CHANNEL, gate.ts))).toContain('Closed');
      h.slack.assertNoUnexpected();
    });
  });
});

import { Harness } from '../support/harness';
import { scriptSchemaChange } from '../support/scripted-agents';

describe('a workflow queued behind the target lock', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('is left alone by the reconciler while another workflow holds the target: one waiting notice, one event', async () => {
    h = await Harness.start(); // the harness reconciles every 500 ms
    scriptSchemaChange(h.claude);
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const first = await h.root(1);
    await h.openGate(first, 'API Review');
    await h.command('Add a new table for audit entries');
    const second = await h.root(2);
    await h.waitForInThread(second, /^Waiting: workflow #1/);

    await new Promise((r) => setTimeout(r, 3000)); // six reconcile ticks
    const { rows } = await h.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE workflow_id = 2 AND type = 'waiting_for_target'",
    );
    expect({ waitingEvents: rows[0]!.n, state: await h.workflowState(2) }).toEqual({
      waitingEvents: 1,
      state: 'planned',
    });
    expect(h.threadTexts(second).filter((t) => /^Waiting: workflow #1/.test(t))).toHaveLength(1);
  }, 60_000);
});

import type { Pool } from 'pg';
import { InvalidTransitionError } from '../../src/domain/errors';
import { createPool } from '../../src/store/db';
import { decideGate, getGate, openGate } from '../../src/store/gates-repo';
import { migrate } from '../../src/store/migrate';
import { getStep, insertSteps, listSteps, transitionStep } from '../../src/store/steps-repo';
import { getWorkflow, insertWorkflow, transitionWorkflow } from '../../src/store/workflows-repo';
import { createTestDatabase } from '../support/harness';

describe('the repositories refuse a transition the table does not allow', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 2);
    await migrate(pool);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  async function events(workflowId: number): Promise<string[]> {
    const { rows } = await pool.query<{ type: string }>('SELECT type FROM events WHERE workflow_id = $1 ORDER BY id', [
      workflowId,
    ]);
    return rows.map((r) => r.type);
  }

  async function succeededWorkflow() {
    const w = await insertWorkflow(pool, {
      request: 'add a table',
      requester: 'U0REQUEST1',
      teamId: 'T1',
      channelId: 'C1',
      target: 'db',
    });
    await transitionWorkflow(pool, w.id, ['planned'], 'running', { type: 'workflow_started', actor: null });
    await transitionWorkflow(pool, w.id, ['running'], 'succeeded', { type: 'workflow_succeeded', actor: null });
    return w;
  }

  it('refuses to move a succeeded workflow back to running, leaving the row and the events as they were', async () => {
    const w = await succeededWorkflow();
    const move = transitionWorkflow(pool, w.id, ['succeeded'], 'running', {
      type: 'workflow_resumed',
      actor: 'U0APPROVE1',
    });
    await expect(move).rejects.toThrow(InvalidTransitionError);
    await expect(move).rejects.toThrow(`A workflow may not move from succeeded to running (workflow ${w.id})`);
    expect((await getWorkflow(pool, w.id))!.state).toBe('succeeded');
    expect(await events(w.id)).toEqual(['workflow_requested', 'workflow_started', 'workflow_succeeded']);
  });

  it('refuses a list of expected states with one the table forbids, even when the row is in an allowed one', async () => {
    const w = await insertWorkflow(pool, {
      request: 'add a table',
      requester: 'U0REQUEST1',
      teamId: 'T1',
      channelId: 'C1',
      target: 'db',
    });
    await expect(
      transitionWorkflow(pool, w.id, ['planned', 'rejected'], 'running', { type: 'workflow_started', actor: null }),
    ).rejects.toThrow('may not move from rejected to running');
    expect((await getWorkflow(pool, w.id))!.state).toBe('planned');
  });

  it('lets a rolled-back move happen after success, as the production rollback does', async () => {
    const w = await succeededWorkflow();
    const moved = await transitionWorkflow(pool, w.id, ['succeeded', 'failed'], 'rolled_back', {
      type: 'workflow_rolled_back',
      actor: 'U0APPROVE1',
    });
    expect(moved?.state).toBe('rolled_back');
  });

  it('refuses to run a succeeded step again', async () => {
    const w = await succeededWorkflow();
    await insertSteps(pool, w.id, [
      { key: 'a', title: 'A', tasks: ['t'], on_failure: 'stop', outputs: [], optional_outputs: [], actions: [] },
    ]);
    const step = (await listSteps(pool, w.id))[0]!;
    await transitionStep(pool, step, ['pending'], 'running');
    await transitionStep(pool, step, ['running'], 'succeeded');
    await expect(transitionStep(pool, step, ['succeeded'], 'running')).rejects.toThrow(
      `A step may not move from succeeded to running (step ${step.id})`,
    );
    expect((await getStep(pool, step.id))!.state).toBe('succeeded');
  });

  it('refuses to reopen a gate and decides an open one once', async () => {
    const w = await succeededWorkflow();
    await insertSteps(pool, w.id, [
      { key: 'a', title: 'A', tasks: ['t'], on_failure: 'stop', outputs: [], optional_outputs: [], actions: [] },
    ]);
    const step = (await listSteps(pool, w.id))[0]!;
    const gate = await openGate(pool, {
      workflowId: w.id,
      stepId: step.id,
      kind: 'api_review',
      merges: false,
      checks: [],
    });
    await expect(decideGate(pool, gate.id, 'open' as never, 'U0APPROVE1')).rejects.toThrow(
      `A gate may not move from any state to open (gate ${gate.id})`,
    );
    expect((await decideGate(pool, gate.id, 'rejected', 'U0APPROVE1'))?.state).toBe('rejected');
    expect(await decideGate(pool, gate.id, 'approved', 'U0APPROVE1')).toBeUndefined();
    expect((await getGate(pool, gate.id))!.state).toBe('rejected');
  });
});

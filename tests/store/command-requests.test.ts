/** /infra requests recorded by group commit: one statement for the requests that arrive together. */
import { Pool } from 'pg';
import { type CommandRequest, RequestRecorder, recordRequests } from '../../src/store/command-requests';
import { migrate } from '../../src/store/migrate';
import { createTestDatabase } from '../support/harness';

const request = (n: number, triggerId = `trigger-${n}`): CommandRequest => ({
  triggerId,
  request: `Add table number ${n}`,
  requester: `U${n}`,
  teamId: 'T1',
  channelId: 'C1',
  target: 'prod',
});

describe('recording /infra requests', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  let statements: number;
  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    await migrate(pool);
    statements = 0;
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    (pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
      if (String(args[0]).includes('INSERT INTO slack_commands')) statements++;
      return query(...args);
    };
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  it('gives each of 40 requests that arrive together its own workflow and event, in fewer statements than requests', async () => {
    const recorder = new RequestRecorder(pool);
    const workflows = await Promise.all(Array.from({ length: 40 }, (_, n) => recorder.record(request(n))));

    expect(workflows.map((w) => w?.request)).toEqual(Array.from({ length: 40 }, (_, n) => `Add table number ${n}`));
    expect(workflows.map((w) => w?.requester)).toEqual(Array.from({ length: 40 }, (_, n) => `U${n}`));
    expect(new Set(workflows.map((w) => w?.id)).size).toBe(40);
    expect(statements).toBeLessThan(40);
    const events = await pool.query(
      `SELECT workflow_id, actor, data FROM events WHERE type = 'workflow_requested' ORDER BY workflow_id`,
    );
    expect(events.rows).toHaveLength(40);
    for (const w of workflows) {
      const event = events.rows.find((e) => Number(e.workflow_id) === w!.id);
      expect(event).toMatchObject({ actor: w!.requester, data: { request: w!.request, target: 'prod' } });
    }
  });

  it('records a request alone, at once, when nothing else is in flight', async () => {
    const recorder = new RequestRecorder(pool);
    const workflow = await recorder.record(request(1));
    expect(workflow).toMatchObject({ request: 'Add table number 1', state: 'planned' });
    expect(statements).toBe(1);
  });

  it('starts nothing for a replayed trigger_id, in the same statement or a later one', async () => {
    const [first, twin, other] = await recordRequests(pool, [request(1, 'same'), request(2, 'same'), request(3)]);
    expect(first?.request).toBe('Add table number 1');
    expect(twin).toBeUndefined();
    expect(other?.request).toBe('Add table number 3');
    expect(await recordRequests(pool, [request(4, 'same')])).toEqual([undefined]);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM workflows');
    expect(rows[0].n).toBe(2);
  });

  it('fails every request of a statement that fails, and records the next ones when Postgres answers again', async () => {
    const recorder = new RequestRecorder(pool);
    await pool.query('ALTER TABLE workflows RENAME TO workflows_away');
    const failed = await Promise.allSettled([recorder.record(request(1)), recorder.record(request(2))]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await pool.query('ALTER TABLE workflows_away RENAME TO workflows');
    // The failed statement recorded nothing, its trigger_ids included: the same commands may be sent again.
    expect((await recorder.record(request(1)))?.request).toBe('Add table number 1');
  });
});

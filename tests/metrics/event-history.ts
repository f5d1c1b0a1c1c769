import type { Pool } from 'pg';
import { createPool } from '../../src/store/db';
import { migrate } from '../../src/store/migrate';
import { createTestDatabase } from '../support/harness';

/** A migrated database of its own for one test, and helpers to write a history by hand. */
export class EventHistory {
  private constructor(
    readonly pool: Pool,
    private readonly db?: { drop: () => Promise<void> },
  ) {}

  /** Writes into a database someone else owns (a harness's); `close()` leaves it alone. */
  static on(pool: Pool): EventHistory {
    return new EventHistory(pool);
  }

  static async create(): Promise<EventHistory> {
    const db = await createTestDatabase();
    const pool = createPool(db.url, 4);
    await migrate(pool);
    return new EventHistory(pool, db);
  }

  /** A workflow row; `target` names what its production changes change. */
  async workflow(
    opts: {
      target?: string;
      state?: string;
      channel?: string;
      rootTs?: string;
      request?: string;
      createdAt?: string;
    } = {},
  ): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO workflows (request, requester, team_id, channel_id, root_ts, target, state, created_at)
       VALUES ($1, 'U0REQUEST1', 'T0TEAM0001', $2, $3, $4, $5, COALESCE($6::timestamptz, now())) RETURNING id`,
      [
        opts.request ?? 'Add a table',
        opts.channel ?? 'C0INFRA001',
        opts.rootTs ?? null,
        opts.target ?? 'default',
        opts.state ?? 'succeeded',
        opts.createdAt ?? null,
      ],
    );
    return Number(rows[0]!.id);
  }

  async event(workflowId: number, type: string, at: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.pool.query('INSERT INTO events (workflow_id, type, data, created_at) VALUES ($1, $2, $3, $4)', [
      workflowId,
      type,
      JSON.stringify(data),
      at,
    ]);
  }

  /**
   * A workflow requested `leadMinutes` (default 120) before `at`, that merged `migrations` at `at` and
   * succeeded a minute later.
   */
  async mergedWorkflow(
    at: string,
    opts: { target?: string; migrations?: string[]; request?: string; rootTs?: string; leadMinutes?: number } = {},
  ): Promise<number> {
    const id = await this.workflow({
      target: opts.target,
      request: opts.request,
      rootTs: opts.rootTs,
      createdAt: plusMinutes(at, -(opts.leadMinutes ?? 120)),
    });
    for (const name of opts.migrations ?? ['m1']) {
      await this.event(id, 'migration_tested', at, { name });
      await this.event(id, 'migration_merged', at, { name });
    }
    await this.event(id, 'workflow_succeeded', plusMinutes(at, 1));
    return id;
  }

  /** An open gate of the workflow, opened at `at` (the workflow should be `waiting_gate`). */
  async openGate(workflowId: number, kind: string, at: string, opts: { merges?: boolean } = {}): Promise<void> {
    const step = await this.pool.query<{ id: string }>(
      `INSERT INTO steps (workflow_id, idx, key, agent, title, state) VALUES ($1, 0, 'design', 'api-designer', 'Design the ` +
        `data contract', 'succeeded') RETURNING id`,
      [workflowId],
    );
    await this.pool.query(
      'INSERT INTO gates (workflow_id, step_id, kind, merges, created_at) VALUES ($1, $2, $3, $4, $5)',
      [workflowId, step.rows[0]!.id, kind, opts.merges ?? false, at],
    );
  }

  async close(): Promise<void> {
    if (!this.db) return;
    await this.pool.end();
    await this.db.drop();
  }
}

export function plusMinutes(iso: string, minutes: number): string {
  return new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();
}

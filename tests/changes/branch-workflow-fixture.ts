import { Pool } from 'pg';
import { migrate } from '../../src/store/migrate';
import { createTestDatabase } from '../support/harness';
import { createTestTarget, type TestTarget } from './test-target';

/** A change target, the bot's migrated database and one workflow row on that target's branch server. */
export interface BranchWorkflow {
  target: TestTarget;
  pool: Pool;
  workflowId: number;
}

/**
 * Makes a {@link BranchWorkflow} before each test of the describe block it is called in, and removes it
 * after; read its fields in a test or in a later beforeEach.
 */
export function branchWorkflowPerTest(): BranchWorkflow {
  const current = {} as BranchWorkflow & { db: { url: string; drop: () => Promise<void> } };
  beforeEach(async () => {
    current.target = await createTestTarget();
    current.db = await createTestDatabase();
    current.pool = new Pool({ connectionString: current.db.url, max: 2 });
    current.pool.on('error', () => undefined);
    await migrate(current.pool);
    current.workflowId = current.target.newWorkflowId();
    await current.pool.query(
      `INSERT INTO workflows (id, request, requester, team_id, channel_id, target) VALUES ($1, 'r', 'U1', 'T1', 'C1', 't')`,
      [current.workflowId],
    );
  });
  afterEach(async () => {
    await current.pool.end();
    await current.db.drop();
    await current.target.cleanup();
  });
  return current;
}

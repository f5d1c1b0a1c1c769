import { APPROVER, Harness } from '../support/harness';
import { textOf } from '../../dev/local-slack/block-text';
import { scriptSchemaChange } from '../support/scripted-agents';
import { createTestTarget, dropBranchesOf, type TestTarget } from '../changes/test-target';

const DAY = 86_400_000;

interface AckJson {
  text?: string;
  blocks?: unknown[];
}

function dropBranches(target: TestTarget): Promise<void> {
  return dropBranchesOf(target);
}

describe('metrics from the events a real workflow records', () => {
  let h: Harness;
  let target: TestTarget;
  beforeEach(async () => {
    target = await createTestTarget();
  });
  afterEach(async () => {
    await h.close();
    await dropBranches(target);
    await target.cleanup();
  });

  it('counts a branch-tested, merged and then rolled-back migration in every metric the next day', async () => {
    const tomorrow = () => new Date(Date.now() + DAY);
    h = await Harness.start({ env: { TARGET_DATABASE_URL: target.url }, runtime: { now: tomorrow } });
    scriptSchemaChange(h.claude);
    await h.command('Add a new table for user preferences');
    const root = await h.root();
    for (const gate of ['API Review', 'Branch Test', 'Security', 'Smoke Test'])
      await h.click(await h.openGate(root, gate), 'approve', APPROVER);
    const report = await h.waitForInThread(root, /Workflow complete/);
    await h.clickButton(report, 'workflow_rollback_production', APPROVER);
    await h.waitForInThread(root, /Rolled back by/);
    await h.waitForState('rolled_back');
    const deleted = async () => (await h.events()).some((e) => e.type === 'branch_deleted');
    for (let i = 0; i < 100 && !(await deleted()); i++) await new Promise((r) => setTimeout(r, 100));

    const text = textOf((await h.command('metrics')).json as AckJson);
    expect(text).toContain('Migration success rate:* 100 % (1 of 1 merged)');
    expect(text).toContain('(1 production merge)');
    expect(text).toContain('Mean time to recovery:* _no data_ (1 failure, none recovered yet)');
    expect(text).toMatch(/Branch lifespan:\* median \d+ s · p90 \d+ s \(1 branch\)/);
    expect(text).toContain('Rollback frequency:* 100 % (1 of 1 merges rolled back)');
  });
});

import { ActionFailedError } from '../../src/domain/errors';
import { snapshotSchema } from '../../src/changes/checks/schema-snapshot';
import { branchServerUrl, createTestTarget, hasTable, type TestTarget, withConnection } from './test-target';

let target: TestTarget;

beforeEach(async () => {
  target = await createTestTarget();
});

afterEach(async () => {
  await target.cleanup();
});

async function databaseExists(name: string): Promise<boolean> {
  const { rows } = await withConnection(branchServerUrl(), (c) =>
    c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]),
  );
  return rows.length === 1;
}

describe('branches', () => {
  test('a branch is a new database with the target schema and none of its data', async () => {
    const workflowId = target.newWorkflowId();
    const branch = await target.provider.createBranch(workflowId);

    expect(branch).toMatchObject({ id: `infra_wf_${workflowId}`, name: `infra-wf-${workflowId}`, workflowId });
    expect(branch.databaseUrl).toMatch(new RegExp(`/infra_wf_${workflowId}$`));
    const onTarget = await withConnection(target.url, (c) => snapshotSchema(c, 'all'));
    const onBranch = await withConnection(branch.databaseUrl, (c) => snapshotSchema(c, 'all'));
    expect(onBranch).toEqual(onTarget);
    expect(Object.keys(onBranch.tables)).toEqual(['auth.users', 'public.profiles']);
    const counts = await withConnection(branch.databaseUrl, (c) =>
      c.query(
        'SELECT (SELECT count(*) FROM auth.users)::int AS users, (SELECT count(*) FROM public.profiles)::int AS profiles',
      ),
    );
    expect(counts.rows[0]).toEqual({ users: 0, profiles: 0 });
  });

  test('creating a branch twice returns the same branch, and get and list find it', async () => {
    const workflowId = target.newWorkflowId();
    const first = await target.provider.createBranch(workflowId);
    const second = await target.provider.createBranch(workflowId);

    expect(second).toEqual(first);
    expect(await target.provider.getBranch(workflowId)).toEqual(first);
    expect(await target.provider.listBranches()).toEqual([first]);
    expect(Date.now() - first.createdAt.getTime()).toBeLessThan(60_000);
  });

  test('two concurrent creations of one branch build it once and return the same branch', async () => {
    const workflowId = target.newWorkflowId();
    const [a, b] = await Promise.all([
      target.provider.createBranch(workflowId),
      target.provider.createBranch(workflowId),
    ]);

    expect(b).toEqual(a);
    expect(await hasTable(a.databaseUrl, 'public.profiles')).toBe(true);
  });

  test('a branch database left unfinished by an interrupted attempt is built again', async () => {
    const workflowId = target.newWorkflowId();
    await withConnection(branchServerUrl(), (c) => c.query(`CREATE DATABASE infra_wf_${workflowId}`));

    expect(await target.provider.getBranch(workflowId)).toBeUndefined();
    const branch = await target.provider.createBranch(workflowId);
    expect(await hasTable(branch.databaseUrl, 'public.profiles')).toBe(true);
  });

  test('deleting a branch drops its database and its two roles, and deleting it again is fine', async () => {
    const workflowId = target.newWorkflowId();
    await target.provider.createBranch(workflowId);

    await target.provider.deleteBranch(workflowId);
    expect(await databaseExists(`infra_wf_${workflowId}`)).toBe(false);
    const roles = await withConnection(branchServerUrl(), (c) =>
      c.query('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`infra_wf_${workflowId}_%`]),
    );
    expect(roles.rows).toEqual([]);
    expect(await target.provider.getBranch(workflowId)).toBeUndefined();
    await expect(target.provider.deleteBranch(workflowId)).resolves.toBeUndefined();
  });

  test('a branch of another target on the same server is neither listed nor taken over', async () => {
    const other = await createTestTarget();
    try {
      const workflowId = other.newWorkflowId();
      await other.provider.createBranch(workflowId);

      expect(await target.provider.listBranches()).toEqual([]);
      await expect(target.provider.createBranch(workflowId)).rejects.toThrow(
        /is a branch of infra_tgt_\w+, not infra_tgt_/,
      );
      await expect(target.provider.deleteBranch(workflowId)).rejects.toThrow(ActionFailedError);
      expect(await databaseExists(`infra_wf_${workflowId}`)).toBe(true);
    } finally {
      await other.cleanup();
    }
  });
});

describe('runSql', () => {
  test('read-only SQL cannot write, even after a COMMIT', async () => {
    const branch = await target.provider.createBranch(target.newWorkflowId());

    await expect(
      target.provider.runSql(branch, `INSERT INTO auth.users VALUES (gen_random_uuid())`, { readOnly: true }),
    ).rejects.toThrow(/cannot execute INSERT in a read-only transaction/);
    await expect(
      target.provider.runSql(branch, `COMMIT; INSERT INTO auth.users VALUES (gen_random_uuid())`, { readOnly: true }),
    ).rejects.toThrow(/one statement at a time/);
    const { rows } = await target.provider.runSql(branch, 'SELECT count(*)::int AS n FROM auth.users', {
      readOnly: true,
    });
    expect(rows).toEqual([{ n: 0 }]);
  });

  test('writable SQL runs on the branch only, with a row cap and a statement timeout', async () => {
    const branch = await target.provider.createBranch(target.newWorkflowId());

    await target.provider.runSql(
      branch,
      `INSERT INTO auth.users VALUES (gen_random_uuid()); INSERT INTO auth.users VALUES (gen_random_uuid());`,
    );
    const capped = await target.provider.runSql(branch, 'SELECT g FROM generate_series(1, 50) g', { rowLimit: 10 });
    expect(capped.rows).toHaveLength(10);
    expect(capped.rowCount).toBe(50);
    await expect(target.provider.runSql(branch, 'SELECT pg_sleep(5)', { timeoutMs: 100 })).rejects.toThrow(
      /canceling statement due to statement timeout/,
    );
    const onTarget = await withConnection(target.url, (c) => c.query('SELECT count(*)::int AS n FROM auth.users'));
    expect(onTarget.rows[0]).toEqual({ n: 1 });
    await expect(target.provider.runSql({ ...branch, id: target.name }, 'SELECT 1')).rejects.toThrow(
      /not a branch database/,
    );
  });
});

import { SupabaseBranchProvider } from '../../src/changes/targets/supabase-branch-provider';
import { SupabaseManagementApi } from '../../src/changes/targets/supabase-management-api';
import { startFakeSupabaseApi, type FakeSupabaseApi } from '../support/fake-supabase-api';
import { failure, providerOn } from './supabase-branch-provider-fixture';

let fake: FakeSupabaseApi;

const provider = (accessToken?: string, timeoutMs?: number) => providerOn(fake, accessToken, timeoutMs);

beforeEach(async () => {
  fake = await startFakeSupabaseApi({ readsUntilReady: 3 });
});

afterEach(async () => {
  await fake.close();
});

describe('SupabaseBranchProvider', () => {
  it('creates a branch named after the workflow and waits until it is ready', async () => {
    const branch = await provider().createBranch(12);

    const stored = fake.branchNamed('infra-wf-12');
    expect(stored?.status).toBe('MIGRATIONS_PASSED');
    expect(branch).toMatchObject({ id: stored?.id, name: 'infra-wf-12', workflowId: 12 });
    expect(branch.createdAt).toBeInstanceOf(Date);
    expect(branch.databaseUrl).toBe(
      `postgresql://postgres:branch-db-pass@db.${stored?.project_ref}.supabase.co:5432/postgres`,
    );
    const posts = fake.requestsTo(`/v1/projects/${fake.projectRef}/branches`, 'POST');
    expect(posts.map((r) => r.body)).toEqual([{ branch_name: 'infra-wf-12' }]);
    expect(fake.requestsTo(`/v1/projects/${fake.projectRef}/branches`, 'GET').length).toBeGreaterThanOrEqual(3);
    fake.assertNoUnexpected();
  });

  it('reuses the branch on a second create instead of making another', async () => {
    const bot = provider();
    const first = await bot.createBranch(7);
    const second = await bot.createBranch(7);

    expect(second.id).toBe(first.id);
    expect(fake.requestsTo(`/v1/projects/${fake.projectRef}/branches`, 'POST')).toHaveLength(1);
    fake.assertNoUnexpected();
  });

  it('fails without retry when the branch migrations fail', async () => {
    fake.addBranch('infra-wf-9', { endStatus: 'MIGRATIONS_FAILED' });

    const error = await failure(provider().createBranch(9));

    expect(error.message).toContain('MIGRATIONS_FAILED');
    expect(error.retryable).toBe(false);
    fake.assertNoUnexpected();
  });

  it('lists only the bot branches, not production nor branches people made', async () => {
    fake.addBranch('feature-login');
    fake.addBranch('infra-wf-3');
    fake.addBranch('infra-wf-x');

    const branches = await provider().listBranches();

    expect(branches.map((b) => [b.name, b.workflowId])).toEqual([['infra-wf-3', 3]]);
    fake.assertNoUnexpected();
  });

  it("runs SQL on the branch's own project ref and never on the production project", async () => {
    const bot = provider();
    const branch = await bot.createBranch(4);
    const ref = fake.branchNamed('infra-wf-4')?.project_ref;
    fake.onQuery = () => [{ n: 1 }, { n: 2 }, { n: 3 }];

    const result = await bot.runSql(branch, 'select n from t', { rowLimit: 2 });
    await bot.runSql(branch, 'insert into t values (4)', { readOnly: false });

    expect(result).toEqual({ rows: [{ n: 1 }, { n: 2 }], rowCount: 3 });
    const queries = fake.requests.filter((r) => r.path.endsWith('/database/query'));
    expect(queries.map((r) => r.path)).toEqual([
      `/v1/projects/${ref}/database/query`,
      `/v1/projects/${ref}/database/query`,
    ]);
    expect(queries.map((r) => r.body)).toEqual([
      { query: 'select n from t', read_only: true },
      { query: 'insert into t values (4)', read_only: false },
    ]);
    expect(fake.requestsTo(`/v1/projects/${fake.projectRef}/database/query`)).toHaveLength(0);
    fake.assertNoUnexpected();
  });

  it('refuses SQL on a branch that is not one of the bot branches', async () => {
    const main = fake.branchNamed('main')!;
    const error = await failure(
      provider().runSql(
        { id: main.id, name: 'main', workflowId: 0, createdAt: new Date(), databaseUrl: '' },
        'select 1',
      ),
    );

    expect(error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
    fake.assertNoUnexpected();
  });

  it('refuses SQL on a bot-named branch whose id resolves to the production project', async () => {
    const main = fake.branchNamed('main')!;
    const error = await failure(
      provider().runSql(
        { id: main.id, name: 'infra-wf-1', workflowId: 1, createdAt: new Date(), databaseUrl: '' },
        'select 1',
      ),
    );

    expect(error.message).toContain('production');
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/branches/${main.id}`]);
    fake.assertNoUnexpected();
  });

  it('gives up with a retryable error when the branch is not ready by the deadline', async () => {
    fake.addBranch('infra-wf-11', { readsUntilReady: 1_000 });
    let clock = 0;
    const api = new SupabaseManagementApi({ baseUrl: fake.baseUrl, accessToken: fake.accessToken });
    const bot = new SupabaseBranchProvider({
      api,
      projectRef: fake.projectRef,
      pollIntervalMs: 1_000,
      readyTimeoutMs: 5_000,
      now: () => clock,
      sleep: async (ms) => void (clock += ms),
    });

    const error = await failure(bot.createBranch(11));

    expect(error.retryable).toBe(true);
    expect(error.message).toContain('not ready after 5 s');
    expect(fake.requestsTo(`/v1/projects/${fake.projectRef}/branches`, 'GET')).toHaveLength(6);
    fake.assertNoUnexpected();
  });

  it('deletes the branch, and deleting a missing branch is not an error', async () => {
    const bot = provider();
    await bot.createBranch(5);

    await bot.deleteBranch(5);
    await bot.deleteBranch(5);

    expect(fake.branchNamed('infra-wf-5')).toBeUndefined();
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    fake.assertNoUnexpected();
  });

  it('tolerates the API answering 404 when the branch vanished between listing and deleting', async () => {
    const stored = fake.addBranch('infra-wf-6');
    fake.failNext(`/v1/branches/${stored.id}`, {
      method: 'DELETE',
      status: 404,
      body: { message: 'Branch not found' },
    });

    await expect(provider().deleteBranch(6)).resolves.toBeUndefined();
    fake.assertNoUnexpected();
  });

  it('merge calls the merge endpoint of that branch only', async () => {
    const bot = provider();
    await bot.createBranch(8);
    const stored = fake.branchNamed('infra-wf-8')!;

    const answer = await bot.merge(8);

    expect(answer.workflowRunId).toEqual(expect.any(String));
    expect(fake.requestsTo(`/v1/branches/${stored.id}/merge`, 'POST').map((r) => r.body)).toEqual([{}]);
    expect(stored.merges).toBe(1);
    expect(fake.branchNamed('main')?.merges).toBe(0);
    fake.assertNoUnexpected();
  });

  it('applies migrations and reads their history on the branch, and resets it', async () => {
    const bot = provider();
    await bot.createBranch(10);
    const stored = fake.branchNamed('infra-wf-10')!;

    await bot.applyMigration(10, { name: 'add_index', query: 'create index i on t (a)' });
    await bot.reset(10);

    expect(await bot.listMigrations(10)).toEqual([{ version: '20250101000000', name: 'add_index' }]);
    expect(await bot.listMigrations()).toEqual([]);
    expect(
      fake.requestsTo(`/v1/projects/${stored.project_ref}/database/migrations`, 'POST').map((r) => r.body),
    ).toEqual([{ name: 'add_index', query: 'create index i on t (a)' }]);
    expect(stored.resets).toBe(1);
    fake.assertNoUnexpected();
  });
});

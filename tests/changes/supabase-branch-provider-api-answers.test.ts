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
  it('gives a clear non-retryable error when branching is disabled (422)', async () => {
    fake.branchingEnabled = false;

    const error = await failure(provider().createBranch(1));

    expect(error.retryable).toBe(false);
    expect(error.message).toContain('enable branching for the project in the Supabase dashboard');
    expect(error.message).toContain('HTTP 422: Preview branching is not enabled for this project');
    fake.assertNoUnexpected();
  });

  it('says to check SUPABASE_ACCESS_TOKEN on 401 and never shows the token', async () => {
    const wrongToken = 'sbp_wrong_token_do_not_leak_42';

    const error = await failure(provider(wrongToken).listBranches());

    expect(error.message).toContain('check SUPABASE_ACCESS_TOKEN');
    expect(error.message).not.toContain(wrongToken);
    expect(error.message).not.toContain(fake.accessToken);
    expect(error.retryable).toBe(false);
    expect(fake.requests[0]?.authorization).toBe(`Bearer ${wrongToken}`);
    fake.assertNoUnexpected();
  });

  it('marks 503 and 429 answers as retryable', async () => {
    fake.failNext(`/v1/projects/${fake.projectRef}/branches`, {
      status: 503,
      body: { message: 'Service Unavailable' },
    });
    fake.failNext(`/v1/projects/${fake.projectRef}/database/backups`, {
      status: 429,
      body: { message: 'Too Many Requests' },
    });

    const unavailable = await failure(provider().listBranches());
    const limited = await failure(provider().backups());

    expect([unavailable.retryable, limited.retryable]).toEqual([true, true]);
    expect(unavailable.message).toContain('HTTP 503');
    fake.assertNoUnexpected();
  });

  it('marks an unreachable API as retryable', async () => {
    const origin = fake.baseUrl;
    await fake.close();
    const api = new SupabaseManagementApi({ baseUrl: origin, accessToken: fake.accessToken });

    const error = await failure(new SupabaseBranchProvider({ api, projectRef: fake.projectRef }).listBranches());

    expect(error.retryable).toBe(true);
    expect(error.message).not.toContain(fake.accessToken);
  });

  it('marks a request that gets no answer in time as retryable', async () => {
    const hang: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const api = new SupabaseManagementApi({
      baseUrl: fake.baseUrl,
      accessToken: fake.accessToken,
      fetch: hang,
      timeoutMs: 20,
    });

    const error = await failure(new SupabaseBranchProvider({ api, projectRef: fake.projectRef }).listBranches());

    expect(error.retryable).toBe(true);
    expect(error.message).toContain('no answer within 20 ms');
    fake.assertNoUnexpected();
  });

  it('rejects an answer that does not have the documented shape', async () => {
    fake.failNext(`/v1/projects/${fake.projectRef}/branches`, { status: 200, body: [{ id: 1 }] });

    const error = await failure(provider().listBranches());

    expect(error.message).toContain('unexpected answer');
    expect(error.retryable).toBe(false);
    fake.assertNoUnexpected();
  });

  it('parses security advisors and the last backup point', async () => {
    fake.lints = [
      {
        name: 'rls_disabled_in_public',
        title: 'RLS Disabled in Public',
        level: 'ERROR',
        facing: 'EXTERNAL',
        categories: ['SECURITY'],
        description: 'Detects tables without RLS.',
        detail: 'Table `public.t` is public, but RLS has not been enabled.',
        remediation: 'https://supabase.com/docs/guides/database/database-linter?lint=0013_rls_disabled_in_public',
        metadata: { schema: 'public', name: 't', type: 'table' },
        cache_key: 'rls_disabled_in_public_public_t',
      },
    ];
    fake.backupList = [
      { is_physical_backup: true, status: 'COMPLETED', inserted_at: '2025-01-01T00:00:00.000Z' },
      { is_physical_backup: true, status: 'PENDING', inserted_at: '2025-01-03T00:00:00.000Z' },
      { is_physical_backup: true, status: 'COMPLETED', inserted_at: '2025-01-02T00:00:00.000Z' },
    ];
    const bot = provider();

    const lints = await bot.securityAdvisors();
    const backups = await bot.backups();

    expect(lints).toEqual([
      expect.objectContaining({
        name: 'rls_disabled_in_public',
        level: 'ERROR',
        title: 'RLS Disabled in Public',
        remediation: expect.stringContaining('database-linter'),
      }),
    ]);
    expect(backups).toEqual({
      pitrEnabled: false,
      last: { insertedAt: new Date('2025-01-03T00:00:00.000Z'), status: 'PENDING', physical: true },
      lastCompleted: { insertedAt: new Date('2025-01-02T00:00:00.000Z'), physical: true },
    });
    fake.assertNoUnexpected();
  });

  it('queries the production logs with the SQL as a query parameter', async () => {
    const rows = await provider().logs('select event_message from postgres_logs limit 1', {
      isoTimestampStart: '2025-01-01T00:00:00Z',
    });

    expect(rows).toEqual([{ timestamp: 1735689600000000, event_message: 'connection received' }]);
    const [request] = fake.requestsTo(`/v1/projects/${fake.projectRef}/analytics/endpoints/logs.all`);
    expect(request?.query).toEqual({
      sql: 'select event_message from postgres_logs limit 1',
      iso_timestamp_start: '2025-01-01T00:00:00Z',
    });
    fake.assertNoUnexpected();
  });

  it('the fake records requests without a bearer token, with unknown paths or with bodies the API does not take', async () => {
    await fetch(`${fake.baseUrl}/v1/projects/${fake.projectRef}/branches`);
    await fetch(`${fake.baseUrl}/v1/projects/${fake.projectRef}/nope`, {
      headers: { authorization: `Bearer ${fake.accessToken}` },
    });
    await fetch(`${fake.baseUrl}/v1/projects/${fake.projectRef}/branches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'infra-wf-1' }),
    });

    expect(fake.unexpected).toHaveLength(3);
    expect(() => fake.assertNoUnexpected()).toThrow(/without an "Authorization: Bearer <token>" header/);
    expect(fake.requests.map((r) => r.status)).toEqual([401, 404, 400]);
  });

  it('sends the bearer token on every request', async () => {
    const bot = provider();
    const branch = await bot.createBranch(2);
    await bot.runSql(branch, 'select 1');
    await bot.securityAdvisors(2);
    await bot.merge(2);
    await bot.deleteBranch(2);

    expect(fake.requests.length).toBeGreaterThan(6);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${fake.accessToken}`)).toBe(true);
    fake.assertNoUnexpected();
  });
});

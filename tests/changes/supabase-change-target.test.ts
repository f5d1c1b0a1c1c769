import { SupabaseBranchProvider } from '../../src/changes/targets/supabase-branch-provider';
import { supabaseChangeTarget } from '../../src/changes/targets/supabase-change-target';
import { SupabaseManagementApi } from '../../src/changes/targets/supabase-management-api';
import { TargetApplyError } from '../../src/changes/targets/target-apply-error';
import { startFakeSupabaseApi, type FakeSupabaseApi } from '../support/fake-supabase-api';

let fake: FakeSupabaseApi;

function target() {
  const api = new SupabaseManagementApi({ baseUrl: fake.baseUrl, accessToken: fake.accessToken });
  const provider = new SupabaseBranchProvider({
    api,
    projectRef: fake.projectRef,
    pollIntervalMs: 1,
    readyTimeoutMs: 5_000,
  });
  return supabaseChangeTarget({ api, provider, projectRef: fake.projectRef });
}

async function rejection(promise: Promise<unknown>): Promise<TargetApplyError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TargetApplyError);
  return error as TargetApplyError;
}

beforeEach(async () => {
  fake = await startFakeSupabaseApi();
});

afterEach(async () => {
  await fake.close();
});

describe('the Supabase target', () => {
  it('refuses to merge a migration with a COMMIT in it, sending nothing to Supabase', async () => {
    const error = await rejection(
      target().merge(1, {
        name: 'half',
        up_sql: 'create table a (id int); commit; create table b (id int);',
        down_sql: 'drop table b; drop table a;',
      }),
    );

    expect(error.applied).toBe('none');
    expect(error.message).toContain('the policy forbids statement 2 (line 1) `commit`');
    expect(fake.requests).toEqual([]);
  });

  it('refuses to merge a statement that cannot run in a transaction, since Supabase applies a migration as one', async () => {
    const error = await rejection(
      target().merge(1, { name: 'idx', up_sql: 'create index concurrently i on t (a);', down_sql: 'drop index i;' }),
    );

    expect(error.message).toContain(
      'statement 1 (line 1) `create index concurrently i on t (a)` cannot run inside a transaction',
    );
    expect(fake.requests).toEqual([]);
  });

  it('refuses to revert with a forbidden down, sending nothing to Supabase', async () => {
    const error = await rejection(
      target().revert(1, {
        name: 'notes',
        up_sql: 'create table notes (id int);',
        down_sql: "drop table notes; copy (select 1) to program 'id';",
      }),
    );

    expect(error.message).toContain('COPY … PROGRAM runs a shell command');
    expect(fake.requests).toEqual([]);
  });
});

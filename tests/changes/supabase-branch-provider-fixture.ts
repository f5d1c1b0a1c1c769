import { ActionFailedError } from '../../src/domain/errors';
import { SupabaseBranchProvider } from '../../src/changes/targets/supabase-branch-provider';
import { SupabaseManagementApi } from '../../src/changes/targets/supabase-management-api';
import type { FakeSupabaseApi } from '../support/fake-supabase-api';

/** A branch provider talking to `fake`, polling fast. */
export function providerOn(
  fake: FakeSupabaseApi,
  accessToken = fake.accessToken,
  timeoutMs?: number,
): SupabaseBranchProvider {
  const api = new SupabaseManagementApi({
    baseUrl: fake.baseUrl,
    accessToken,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return new SupabaseBranchProvider({ api, projectRef: fake.projectRef, pollIntervalMs: 1, readyTimeoutMs: 5_000 });
}

/** The ActionFailedError the promise rejects with. */
export async function failure(promise: Promise<unknown>): Promise<ActionFailedError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActionFailedError);
  return error as ActionFailedError;
}

import { FunctionsClient } from '@supabase/functions-js';
import type { EdgeFunctionHost, FunctionInvocation } from './change-target';
import type { EdgeFunctionSource } from '../checks/edge-functions';
import type { SupabaseBranchProvider } from './supabase-branch-provider';
import type { SupabaseManagementApi } from './supabase-management-api';

/** Options of {@link supabaseEdgeFunctions}. */
export interface SupabaseEdgeFunctionsOptions {
  api: SupabaseManagementApi;
  provider: SupabaseBranchProvider;
  projectRef: string;
  /** A project's API URL with `{ref}` in it (SUPABASE_PROJECT_URL), e.g. `https://{ref}.supabase.co`. */
  projectUrl: string;
  /** Limit of one invocation; default 30 s (Edge Functions' own wall-clock limit is longer). */
  invokeTimeoutMs?: number;
}

const LOGS_SQL = 'select timestamp, event_message from function_logs order by timestamp desc limit 20';

/** Log timestamps are microseconds since the epoch. */
function logLine(row: Record<string, unknown>): string {
  const micros = Number(row.timestamp);
  const at = Number.isFinite(micros) ? new Date(micros / 1000).toISOString() : String(row.timestamp);
  return `${at} ${String(row.event_message ?? '').trim()}`;
}

function deployMetadata(fn: EdgeFunctionSource) {
  return { entrypoint_path: fn.entrypoint, name: fn.slug, verify_jwt: true };
}

/** Edge Functions on Supabase: deployed through the Management API, invoked through supabase-js's functions client. */
export function supabaseEdgeFunctions(opts: SupabaseEdgeFunctionsOptions): EdgeFunctionHost {
  const { api, provider, projectRef } = opts;
  const urlOf = (ref: string) => opts.projectUrl.replace('{ref}', ref);
  return {
    async deployToBranch(workflowId, fn) {
      const deployed = await api.deployFunction(
        await provider.branchRef(workflowId),
        fn.slug,
        fn.files,
        deployMetadata(fn),
      );
      return { version: deployed.version };
    },
    async invokeOnBranch(workflowId, slug, body): Promise<FunctionInvocation> {
      const ref = await provider.branchRef(workflowId);
      // supabase-js's own functions client, without the rest of createClient (whose realtime client needs a
      // WebSocket that Node 20 lacks); it sends the anon key as `apikey` and bearer token, as a browser would.
      const key = await api.anonKey(ref);
      const client = new FunctionsClient(`${urlOf(ref).replace(/\/+$/, '')}/functions/v1`, {
        headers: { apikey: key, Authorization: `Bearer ${key}` },
      });
      const { data, error } = await client.invoke(slug, {
        body: body as Record<string, unknown>,
        timeout: opts.invokeTimeoutMs ?? 30_000,
      });
      if (!error)
        return {
          ok: true,
          status: 200,
          detail: (typeof data === 'string' ? data : (JSON.stringify(data) ?? '')).slice(0, 300),
        };
      const response = (error as { context?: unknown }).context;
      if (response instanceof Response) {
        const text = await response.text().catch(() => '');
        return { ok: false, status: response.status, detail: text.slice(0, 300) || error.message };
      }
      return { ok: false, detail: error.message };
    },
    async branchLogs(workflowId, since) {
      const rows = await api.logs(await provider.branchRef(workflowId), LOGS_SQL, {
        isoTimestampStart: since.toISOString(),
        isoTimestampEnd: new Date().toISOString(),
      });
      return rows.map(logLine);
    },
    async listProduction() {
      return (await api.listFunctions(projectRef)).map((f) => f.slug);
    },
    async deployToProduction(fn) {
      const deployed = await api.deployFunction(projectRef, fn.slug, fn.files, deployMetadata(fn));
      return { version: deployed.version };
    },
    async deleteFromProduction(slug) {
      await api.deleteFunction(projectRef, slug);
    },
  };
}

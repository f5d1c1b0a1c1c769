import { z } from 'zod';
import type { FakeSupabaseApi } from './fake-supabase-api';
import { actionBody, createBranchBody } from './fake-supabase-branches';

/** The body of `POST …/database/query`. */
const queryBody = z.strictObject({
  query: z.string().min(1),
  parameters: z.array(z.unknown()).optional(),
  read_only: z.boolean().optional(),
});
/** The body of `POST …/database/migrations`. */
const migrationBody = z.strictObject({
  query: z.string().min(1),
  name: z.string().optional(),
  rollback: z.string().optional(),
});
export type FakeQueryBody = z.infer<typeof queryBody>;
export type FakeMigrationBody = z.infer<typeof migrationBody>;

type Answer = { status: number; body?: unknown };

/** One endpoint of the fake: a request matching `method` and `pattern` goes to `handle` with the pattern's groups. */
type FakeSupabaseRoute = {
  method: string;
  pattern: RegExp;
  /** The JSON body the endpoint takes; a request with a body and no schema is unexpected. */
  bodySchema?: z.ZodType;
  /** The endpoint takes a multipart body, handed over raw with its content type. */
  multipart?: true;
  handle: (m: string[], body: unknown, q: Record<string, string>) => Answer | Promise<Answer>;
};

/** The Management API endpoints the bot uses, answered by `api`; nothing else exists. */
export function fakeSupabaseRoutes(api: FakeSupabaseApi): FakeSupabaseRoute[] {
  return [
    { method: 'GET', pattern: /^\/v1\/projects\/([^/]+)\/branches$/, handle: ([ref]) => api.branching.list(ref!) },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/branches$/,
      bodySchema: createBranchBody,
      handle: ([ref], b) => api.branching.create(ref!, b as z.infer<typeof createBranchBody>),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/branches\/([^/]+)$/,
      handle: ([id]) => api.branching.withBranch(id!, (b) => ({ status: 200, body: api.branching.details(b) })),
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/branches\/([^/]+)$/,
      handle: ([id]) => api.branching.withBranch(id!, (b) => api.branching.remove(b)),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/branches\/([^/]+)\/merge$/,
      bodySchema: actionBody,
      handle: ([id]) => api.branching.withBranch(id!, (b) => api.branching.action(b, 'merges')),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/branches\/([^/]+)\/reset$/,
      bodySchema: actionBody,
      handle: ([id]) => api.branching.withBranch(id!, (b) => api.branching.action(b, 'resets')),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/query$/,
      bodySchema: queryBody,
      handle: ([ref], b) => api.query(ref!, b as FakeQueryBody),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/migrations$/,
      handle: ([ref]) => api.onProject(ref!, () => ({ status: 200, body: api.migrations.get(ref!) ?? [] })),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/migrations$/,
      bodySchema: migrationBody,
      handle: ([ref], b) => api.onProjectAsync(ref!, () => api.applyMigration(ref!, b as FakeMigrationBody)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/advisors\/security$/,
      handle: ([ref]) => api.onProject(ref!, () => ({ status: 200, body: { lints: api.lints } })),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/analytics\/endpoints\/logs\.all$/,
      handle: ([ref], _b, q) => api.onProject(ref!, () => api.logs(ref!, q)),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/projects\/([^/]+)\/functions\/deploy$/,
      multipart: true,
      handle: ([ref], b, q) =>
        api.onProjectAsync(ref!, () => {
          const m = b as { raw: string; contentType?: string };
          return api.functions.deploy(ref!, q.slug, Buffer.from(m.raw, 'utf8'), m.contentType);
        }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/functions$/,
      handle: ([ref]) => api.onProject(ref!, () => api.functions.list(ref!)),
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/projects\/([^/]+)\/functions\/([^/]+)$/,
      handle: ([ref, slug]) => api.onProject(ref!, () => api.functions.remove(ref!, slug!)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/api-keys$/,
      handle: ([ref]) => api.onProject(ref!, () => api.functions.apiKeys(ref!)),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/projects\/([^/]+)\/database\/backups$/,
      handle: ([ref]) =>
        api.onProject(ref!, () => ({
          status: 200,
          body: {
            region: 'us-east-1',
            walg_enabled: true,
            pitr_enabled: false,
            backups: api.backupList,
            physical_backup_data: {},
          },
        })),
    },
  ];
}

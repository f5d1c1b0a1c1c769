/** zod schemas of the Management API answers the bot reads (sources in supabase-management-api.ts), and their types. */
import { z } from 'zod';

/** A preview branch as listed/created (`BranchResponse`, fields the bot uses); `project_ref` is the branch's own project. */
export const branchSchema = z.object({
  id: z.string(),
  name: z.string(),
  project_ref: z.string(),
  parent_project_ref: z.string(),
  is_default: z.boolean(),
  status: z.string(),
  created_at: z.string(),
});
/**
 * Connection details of a branch (`BranchDetailResponse`); `status` is the project status (COMING_UP,
 * ACTIVE_HEALTHY...); `jwt_secret` is dropped.
 */
export const branchDetailsSchema = z.object({
  ref: z.string(),
  status: z.string(),
  db_host: z.string(),
  db_port: z.number().int(),
  db_user: z.string().optional(),
  db_pass: z.string().optional(),
  postgres_version: z.string().optional(),
});
export const actionSchema = z.object({ workflow_run_id: z.string().optional(), message: z.string() });
export const rowsSchema = z.array(z.record(z.string(), z.unknown()));
export const migrationsSchema = z.array(z.object({ version: z.string(), name: z.string().optional() }));
/** One advisor lint (`V1ProjectAdvisorsResponse.lints[]`); `level` is ERROR, WARN or INFO. */
export const lintSchema = z.object({
  name: z.string(),
  title: z.string(),
  level: z.string(),
  facing: z.string().optional(),
  categories: z.array(z.string()),
  description: z.string(),
  detail: z.string(),
  remediation: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  cache_key: z.string().optional(),
});
export const advisorsSchema = z.object({ lints: z.array(lintSchema) });
export const logsSchema = z.object({
  result: rowsSchema.optional(),
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
});
/** `V1BackupsResponse`. */
export const backupsSchema = z.object({
  region: z.string(),
  walg_enabled: z.boolean(),
  pitr_enabled: z.boolean(),
  backups: z.array(z.object({ is_physical_backup: z.boolean(), status: z.string(), inserted_at: z.string() })),
  physical_backup_data: z
    .object({
      earliest_physical_backup_date_unix: z.number().optional(),
      latest_physical_backup_date_unix: z.number().optional(),
    })
    .optional(),
});

/** A deployed Edge Function (`FunctionResponse`, fields the bot uses). */
export const functionSchema = z.object({
  id: z.string(),
  slug: z.string(),
  version: z.number().int(),
  status: z.string(),
});
export const apiKeysSchema = z.array(z.object({ name: z.string(), api_key: z.string().nullable().optional() }));

export type SupabaseFunction = z.infer<typeof functionSchema>;
export type SupabaseBranch = z.infer<typeof branchSchema>;
export type SupabaseBranchDetails = z.infer<typeof branchDetailsSchema>;
export type SupabaseLint = z.infer<typeof lintSchema>;
export type SupabaseBackups = z.infer<typeof backupsSchema>;
export type SupabaseMigration = z.infer<typeof migrationsSchema>[number];
/** Answer of merge/reset (`BranchUpdateResponse`). */
export type BranchActionAnswer = z.infer<typeof actionSchema>;

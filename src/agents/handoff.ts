import { z } from 'zod';

/** A file the agent proposes: a TypeScript interface, migration SQL, a CI workflow, a report. */
export const artifactSchema = z.object({
  path: z.string().min(1).max(300),
  kind: z.enum(['typescript', 'sql', 'yaml', 'markdown', 'json', 'text']),
  content: z.string().max(200_000),
});
export type Artifact = z.infer<typeof artifactSchema>;

/** The data-migration-specialist's typed output: a migration and the SQL that undoes it. */
export const migrationSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]+$/, 'snake_case, e.g. create_user_preferences'),
  up_sql: z.string().min(1),
  down_sql: z.string().min(1),
});
export type Migration = z.infer<typeof migrationSchema>;

/**
 * The seed's handoff format (context, artifacts, next steps, constraints) plus a summary for the
 * thread and each role's typed output. Validated with zod; an invalid one goes back to the model.
 */
export const handoffSchema = z.object({
  summary: z.string().min(1).max(2000),
  context: z.string().min(1).max(20_000),
  artifacts: z.array(artifactSchema).max(30).default([]),
  next_steps: z.array(z.string().min(1)).max(30).default([]),
  constraints: z.array(z.string().min(1)).max(30).default([]),
  migration: migrationSchema.optional(),
  /** Read-only queries the engine runs on the branch at the Smoke Test gate; each must succeed. */
  smoke_tests: z.array(z.object({ name: z.string().min(1).max(120), sql: z.string().min(1).max(5000) })).max(20).optional(),
  /** Calls the engine makes to the Edge Functions it deployed on the branch; each must answer 2xx. */
  function_checks: z
    .array(z.object({ name: z.string().min(1).max(120), function: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'the function slug, e.g. track-progress'), body: z.unknown().optional() }))
    .max(20)
    .optional(),
});
export type Handoff = z.infer<typeof handoffSchema>;

/** Token counts of one model call or a sum of them, as the Messages API reports them. */
export const usageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative().default(0),
  cache_creation_input_tokens: z.number().int().nonnegative().default(0),
});
export type Usage = z.infer<typeof usageSchema>;

export const ZERO_USAGE: Usage = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
  };
}

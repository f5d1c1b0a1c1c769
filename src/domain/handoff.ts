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

/** The api-designer's typed output: the types and endpoints the implementers build to. */
export const contractSchema = z.object({
  types: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'PascalCase, e.g. UserPreferences'),
        path: z.string().min(1).max(300),
      }),
    )
    .min(1, 'name at least one TypeScript type and the artifact path that defines it')
    .max(50),
  endpoints: z
    .array(
      z.object({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
        path: z.string().regex(/^\//, 'start the path with /'),
        auth: z.enum(['anon', 'authenticated', 'service_role']),
        summary: z.string().min(1).max(300),
      }),
    )
    .max(30)
    .default([]),
});

/** The backend-engineer's typed output: one entry per row level security policy its SQL creates. */
export const policySchema = z.object({
  table: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  command: z.enum(['select', 'insert', 'update', 'delete', 'all']),
  roles: z.array(z.string().min(1)).min(1, 'name the roles, e.g. authenticated'),
});

/** The devops-engineer's typed output: the CI/CD files it proposes and what a person must set up. */
export const pipelineSchema = z.object({
  files: z.array(z.string().min(1).max(300)).min(1, 'list the workflow files you propose').max(30),
  secrets: z
    .array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'UPPER_SNAKE_CASE, e.g. SUPABASE_ACCESS_TOKEN'))
    .max(30)
    .default([]),
  environments: z.array(z.string().min(1)).max(10).default([]),
});

/** Typed outputs a workflow step can require of its agent (`outputs` in workflows/*.yml). */
export const ROLE_OUTPUTS = {
  contract: 'contract { types: [{ name, path }], endpoints: [{ method, path, auth, summary }] }',
  migration: 'migration { name, up_sql, down_sql }',
  policies: 'policies: [{ table, name, command, roles }] (an empty list when the step creates none)',
  pipeline: 'pipeline { files, secrets, environments }',
} as const;
export const roleOutputSchema = z.enum(
  Object.keys(ROLE_OUTPUTS) as [keyof typeof ROLE_OUTPUTS, ...Array<keyof typeof ROLE_OUTPUTS>],
);
export type RoleOutput = z.infer<typeof roleOutputSchema>;

const smokeTestsSchema = z
  .array(z.object({ name: z.string().min(1).max(120), sql: z.string().min(1).max(5000) }))
  .max(20);
const functionChecksSchema = z
  .array(
    z.object({
      name: z.string().min(1).max(120),
      function: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'the function slug, e.g. track-progress'),
      body: z.unknown().optional(),
    }),
  )
  .max(20);

/** What every step's handoff has: the orchestrator's format plus a summary for the thread. */
const commonShape = {
  summary: z.string().min(1).max(2000),
  context: z.string().min(1).max(20_000),
  artifacts: z.array(artifactSchema).max(30).default([]),
  next_steps: z.array(z.string().min(1)).max(30).default([]),
  constraints: z.array(z.string().min(1)).max(30).default([]),
  /**
   * Read-only queries the engine runs on the branch at the Smoke Test gate; each must succeed. Any step
   * may propose them: they run on the branch only, never on production.
   */
  smoke_tests: smokeTestsSchema.optional(),
  /** Calls the engine makes to the Edge Functions it deployed on the branch; each must answer 2xx. Branch only, like smoke_tests. */
  function_checks: functionChecksSchema.optional(),
};

/** The schema of each typed output, keyed as in {@link ROLE_OUTPUTS}. */
const outputSchemas = {
  contract: contractSchema,
  migration: migrationSchema,
  policies: z.array(policySchema).max(50),
  pipeline: pipelineSchema,
} as const;

/**
 * Any stored handoff: the common fields plus every typed output, optional. Used to read handoffs back
 * from the database; what a step may hand off is {@link handoffSchemaFor}.
 */
export const handoffSchema = z.object({
  ...commonShape,
  contract: outputSchemas.contract.optional(),
  migration: outputSchemas.migration.optional(),
  policies: outputSchemas.policies.optional(),
  pipeline: outputSchemas.pipeline.optional(),
});
export type Handoff = z.infer<typeof handoffSchema>;

/** The typed outputs of one step: those it must hand off, and those it may. Every other typed output is absent. */
export interface StepOutputs {
  required: readonly RoleOutput[];
  optional?: readonly RoleOutput[];
}

/**
 * The handoff schema of one step, which is also the `submit_handoff` input schema the model sees: the
 * common fields, the step's required outputs (required), its optional outputs (optional), and nothing
 * else — a handoff with any other key (a `migration` from a step that does not test one, say) is
 * invalid and goes back to the model.
 */
export function handoffSchemaFor(outputs: StepOutputs): z.ZodType<Handoff> {
  const required = new Set(outputs.required);
  const optional = (outputs.optional ?? []).filter((o) => !required.has(o));
  const shape: Record<string, z.ZodType> = { ...commonShape };
  for (const output of required) shape[output] = requiredOutput(output);
  for (const output of optional) shape[output] = outputSchemas[output].optional();
  const allowed = [...required, ...optional];
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `this step may not hand off ${issue.keys.join(', ')}: ` +
          (allowed.length ? `its typed outputs are ${allowed.join(', ')}` : 'it has no typed outputs') +
          `; remove ${issue.keys.length > 1 ? 'them' : 'it'}`
        : undefined,
  }) as unknown as z.ZodType<Handoff>;
}

/** A typed output that must be present, with a message that says so when it is missing. */
function requiredOutput(output: RoleOutput): z.ZodType {
  const error = (issue: { input?: unknown }) =>
    issue.input === undefined ? `this step requires ${ROLE_OUTPUTS[output]}` : undefined;
  if (output === 'policies') return z.array(policySchema, { error }).max(50);
  return z.object(outputSchemas[output].shape, { error });
}

/** Token counts of one model call or a sum of them, as the Messages API reports them. */
export const usageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative().default(0),
  cache_creation_input_tokens: z.number().int().nonnegative().default(0),
  /** Estimated cost in US dollars at list prices (`model-prices.ts`); 0 in rows stored before it was recorded. */
  cost_usd: z.number().nonnegative().default(0),
});
export type Usage = z.infer<typeof usageSchema>;

export const ZERO_USAGE: Usage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  cost_usd: 0,
};

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
    cost_usd: a.cost_usd + b.cost_usd,
  };
}

/** Every token the calls processed: uncached input, cache writes, cache reads and output. */
export function totalTokens(usage: Usage): number {
  return usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens + usage.output_tokens;
}

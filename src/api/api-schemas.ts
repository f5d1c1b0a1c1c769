import { z } from 'zod';
import { gateKindSchema } from '../domain/gate-kinds';
import { MAX_REQUEST_LENGTH, MIN_REQUEST_WORDS } from '../domain/request-text';
import { gateStateSchema, stepStateSchema, workflowStateSchema } from '../domain/states';

/**
 * The HTTP API's bodies and answers. The routes validate with these and the OpenAPI document is
 * generated from them (`openapi-document.ts`), so the two cannot drift apart.
 */

const slackUserId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,20}$/, 'a Slack user id such as U0123ABCD (Profile → ⋮ → Copy member ID)')
  .meta({ description: 'A Slack user id', example: 'U0123ABCD' });

export const createRequestSchema = z
  .strictObject({
    request: z
      .string()
      .trim()
      .min(1, 'say what you need, e.g. "Add a new table for user preferences"')
      .max(MAX_REQUEST_LENGTH, `at most ${MAX_REQUEST_LENGTH} characters; put details in a thread reply`)
      .refine((t) => t.split(/\s+/).filter(Boolean).length >= MIN_REQUEST_WORDS, {
        message: `a sentence of at least ${MIN_REQUEST_WORDS} words, e.g. "Add a new table for user preferences"`,
      })
      .meta({ example: 'Add a new table for user preferences' }),
    requester: slackUserId.meta({
      description: 'The Slack user the workflow is for: they may cancel it and answer its agents',
    }),
    channel: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,20}$/, 'a Slack channel id such as C0123ABCD that the bot is a member of')
      .meta({ description: 'The channel the thread is posted in', example: 'C0123ABCD' }),
    callback_url: z
      .url({ protocol: /^https?$/, error: 'an absolute https:// URL' })
      .max(2000)
      .optional()
      .meta({ description: 'Each state change of the workflow is POSTed here, signed (see the README)' }),
  })
  .meta({ id: 'CreateRequest' });

export const acceptedSchema = z
  .object({
    id: z.number().int(),
    state: workflowStateSchema,
    thread_url: z.url().nullable().meta({ description: 'Null until the plan job has posted the thread' }),
  })
  .meta({ id: 'Accepted' });

const usage = z
  .object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_read_input_tokens: z.number().int(),
    cache_creation_input_tokens: z.number().int(),
    cost_usd: z.number().meta({ description: 'Estimated at list prices' }),
  })
  .meta({ id: 'Usage' });

const time = z.iso.datetime();

const step = z.object({
  index: z.number().int(),
  key: z.string(),
  title: z.string(),
  agent: z.string().nullable(),
  state: stepStateSchema,
  summary: z.string().nullable(),
  error: z.string().nullable(),
  usage: usage.nullable(),
  started_at: time.nullable(),
  finished_at: time.nullable(),
});

const gate = z.object({
  kind: gateKindSchema,
  step_index: z.number().int(),
  state: gateStateSchema,
  decided_by: z
    .string()
    .nullable()
    .meta({ description: 'The Slack user who decided it; gates are decided in Slack only' }),
  decided_at: time.nullable(),
  approvals: z.array(z.string()).meta({ description: 'The approvers so far (a gate may need two)' }),
  checks: z.array(
    z.object({ name: z.string(), status: z.enum(['pass', 'warn', 'fail']), detail: z.string().optional() }),
  ),
});

const artifact = z.object({
  path: z.string(),
  kind: z.string(),
  source: z.string(),
  content: z.string(),
  created_at: time,
});

export const workflowSummarySchema = z
  .object({
    id: z.number().int(),
    state: workflowStateSchema,
    kind: z.string().nullable(),
    request: z.string(),
    requester: z.string(),
    channel: z.string(),
    thread_url: z.url().nullable(),
    error: z.string().nullable(),
    created_at: time,
    updated_at: time,
    finished_at: time.nullable(),
  })
  .meta({ id: 'WorkflowSummary' });

export const workflowDetailSchema = workflowSummarySchema
  .extend({
    caller: z.string().meta({ description: 'The name of the API token that started it' }),
    steps: z.array(step),
    gates: z.array(gate),
    artifacts: z.array(artifact),
    report: z.string().nullable().meta({ description: 'The closing report (Markdown), once the workflow has ended' }),
    usage: usage.meta({ description: 'Every model call of the workflow, summed, with its estimated cost' }),
  })
  .meta({ id: 'WorkflowDetail' });

export const listQuerySchema = z.strictObject({
  state: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(workflowStateSchema))
    .optional()
    .meta({ description: 'Only these states, comma separated, e.g. running,waiting_gate' }),
  limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1 to 100' }),
  cursor: z
    .string()
    .regex(/^\d{1,15}$/, 'the next_cursor of the previous page')
    .transform(Number)
    .optional()
    .meta({ description: 'The previous page’s next_cursor; omit it for the first (newest) page' }),
});

export const workflowListSchema = z
  .object({
    workflows: z.array(workflowSummarySchema),
    next_cursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last' }),
  })
  .meta({ id: 'WorkflowList' });

export const cancelBodySchema = z
  .strictObject({
    by: slackUserId
      .optional()
      .meta({ description: 'Who cancels: the requester (the default) or an approver, as for /infra cancel' }),
  })
  .meta({ id: 'CancelRequest' });

export const cancelledSchema = z
  .object({ id: z.number().int(), state: workflowStateSchema, message: z.string() })
  .meta({ id: 'Cancelled' });

export const errorSchema = z
  .object({
    error: z.string().meta({ description: 'A stable code, e.g. unauthorized, invalid_body, rate_limited' }),
    message: z.string(),
    issues: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() }))
      .optional()
      .meta({ description: 'The zod issues of a 400' }),
  })
  .meta({ id: 'Error' });
export type ApiError = z.infer<typeof errorSchema>;

/** The body of a callback POST (built in `src/store/callback-outbox-repo.ts`, numbered at delivery). */
export const callbackEventSchema = z
  .strictObject({
    type: z.literal('workflow.state_changed'),
    workflow_id: z.number().int(),
    state: workflowStateSchema,
    event: z.string().meta({ description: 'The event that recorded the change, e.g. workflow_started' }),
    at: time,
    thread_url: z.url().nullable(),
    sequence: z
      .number()
      .int()
      .meta({ description: 'Orders the changes of one workflow; retries may arrive out of order' }),
  })
  .meta({ id: 'CallbackEvent' });

export const idParamSchema = z.object({
  id: z
    .string()
    .regex(/^\d{1,15}$/)
    .meta({ example: '12' }),
});

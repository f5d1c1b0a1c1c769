import { BadRequestError, RequestTooLongError } from '../domain/errors';
import type { Workflow } from '../domain/records';
import { MAX_REQUEST_LENGTH, MIN_REQUEST_WORDS, requestTextProblem } from '../domain/request-text';
import { insertWorkflow, type NewWorkflow } from '../store/workflows-repo';
import type { DecisionDeps } from './deps';

/**
 * Starts a workflow from a request, for `/infra <request>` and `POST /api/v1/requests` alike: the
 * request text passes the same checks, the workflow row and its `workflow_requested` event are written,
 * and the plan job is queued; the plan job posts the thread in the workflow's channel.
 */
export async function startRequest(
  deps: Pick<DecisionDeps, 'pool' | 'queue'>,
  request: NewWorkflow,
): Promise<Workflow> {
  const text = request.request.trim();
  const problem = requestTextProblem(text);
  if (problem === 'too_long') throw new RequestTooLongError(text.length, MAX_REQUEST_LENGTH);
  if (problem === 'too_few_words')
    throw new BadRequestError(
      `A request is a sentence of at least ${MIN_REQUEST_WORDS} words, e.g. "Add a new table for user preferences".`,
    );
  const workflow = await insertWorkflow(deps.pool, { ...request, request: text });
  await deps.queue.enqueue({ name: 'plan', data: { workflowId: workflow.id } });
  return workflow;
}

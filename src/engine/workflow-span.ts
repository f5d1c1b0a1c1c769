import { trace } from '@opentelemetry/api';
import type { Workflow } from '../domain/records';
import { TRACER_NAME, contextOf, inSpan } from '../domain/telemetry';

const tracer = trace.getTracer(TRACER_NAME);

/**
 * Runs `fn` as a span `name` in the workflow's own trace, whichever process runs it: how a gate click
 * or a thread reply that the web role answers joins the trace its request started. A workflow without
 * a trace (tracing off, or started before it was on) just runs `fn`.
 */
export function inWorkflowSpan<T>(
  workflow: Pick<Workflow, 'id' | 'trace_parent'>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const parent = contextOf(workflow.trace_parent);
  if (!parent) return fn();
  return inSpan(tracer, name, { attributes: { 'infra.workflow_id': workflow.id } }, fn, { parent });
}

import { type Tracer, context, trace } from '@opentelemetry/api';
import type { Pool } from 'pg';
import type { WorkflowJob } from '../domain/jobs';
import type { DueJobQueue } from '../engine/ports/job-queue';
import { contextOf, formatTraceParent, inSpan } from '../domain/telemetry';
import { claimTraceParent, workflowTraceParent } from '../store/workflow-traces';

/**
 * One trace per workflow, across processes: the queue every role enqueues through, with each job added
 * under the workflow's root span. The first job of a workflow (its plan, queued where the request came
 * in) starts the trace with a span `workflow #<id>` and keeps its traceparent on the workflow's row; a
 * later job, whether a click in the web role, the worker or the reconciler queues it, is added under
 * that span, or where it was added when that is in the workflow's trace already. BullMQ's telemetry
 * (bullmq-otel) carries the context from the add to the worker's job.
 */
export class TracedJobQueue implements DueJobQueue {
  constructor(
    private readonly inner: DueJobQueue,
    private readonly tracer: Tracer,
    private readonly pool: Pool,
  ) {}

  enqueue(job: WorkflowJob, opts?: { dedupeSuffix?: string }): Promise<void> {
    return this.inTrace(job, () => this.inner.enqueue(job, opts));
  }

  enqueueDue(job: WorkflowJob): Promise<boolean> {
    return this.inTrace(job, () => this.inner.enqueueDue(job));
  }

  private async inTrace<T>(job: WorkflowJob, add: () => Promise<T>): Promise<T> {
    const id = job.data.workflowId;
    const stored = await workflowTraceParent(this.pool, id);
    const joined = contextOf(stored);
    // Already in the workflow's trace (a click's span, a step's job): the job nests where it was added.
    const active = trace.getSpanContext(context.active());
    if (joined && active?.traceId === trace.getSpanContext(joined)?.traceId) return add();
    if (joined) return context.with(joined, add);
    const attributes = { 'infra.workflow_id': id, 'infra.first_job': job.name };
    return inSpan(this.tracer, `workflow #${id}`, { root: true, attributes }, async (span) => {
      const mine = formatTraceParent(span.spanContext());
      const kept = stored === undefined ? undefined : await claimTraceParent(this.pool, id, mine);
      // Another process started the workflow's trace first: this job joins that one.
      const other = kept === mine ? undefined : contextOf(kept);
      return other ? await context.with(other, add) : await add();
    });
  }
}

import type { z } from 'zod';
import type { Gate, Step, Workflow } from '../domain/records';
import { workflowUsage } from '../domain/workflow-usage';
import { listArtifacts } from '../store/artifacts-repo';
import { threadUrl } from '../store/callback-outbox-repo';
import type { Queryable } from '../store/db';
import { listEvents } from '../store/events';
import { listGates } from '../store/gates-repo';
import { listSteps } from '../store/steps-repo';
import type { workflowDetailSchema, workflowSummarySchema } from './api-schemas';

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** A workflow as GET /api/v1/workflows lists it. */
export function workflowSummary(w: Workflow): z.infer<typeof workflowSummarySchema> {
  return {
    id: w.id,
    state: w.state,
    kind: w.kind,
    request: w.request,
    requester: w.requester,
    channel: w.channel_id,
    thread_url: threadUrl(w.channel_id, w.root_ts),
    error: w.error,
    created_at: w.created_at.toISOString(),
    updated_at: w.updated_at.toISOString(),
    finished_at: iso(w.finished_at),
  };
}

const stepView = (s: Step) => ({
  index: s.idx,
  key: s.key,
  title: s.title,
  agent: s.agent,
  state: s.state,
  summary: s.summary,
  error: s.error,
  usage: s.usage,
  started_at: iso(s.started_at),
  finished_at: iso(s.finished_at),
});

const gateView = (g: Gate, steps: Step[]) => ({
  kind: g.kind,
  step_index: steps.find((s) => s.id === g.step_id)?.idx ?? -1,
  state: g.state,
  decided_by: g.decided_by,
  decided_at: iso(g.decided_at),
  approvals: g.approvals,
  checks: g.checks.map((c) => ({ name: c.name, status: c.status, ...(c.detail ? { detail: c.detail } : {}) })),
});

/** A workflow as GET /api/v1/workflows/{id} shows it: everything the thread and its report show. */
export async function workflowDetail(
  db: Queryable,
  w: Workflow,
  caller: string,
): Promise<z.infer<typeof workflowDetailSchema>> {
  const [steps, gates, events, artifacts] = await Promise.all([
    listSteps(db, w.id),
    listGates(db, w.id),
    listEvents(db, w.id),
    listArtifacts(db, w.id),
  ]);
  return {
    ...workflowSummary(w),
    caller,
    steps: steps.map(stepView),
    gates: gates.map((g) => gateView(g, steps)),
    artifacts: artifacts.map((a) => ({
      path: a.path,
      kind: a.kind,
      source: a.source,
      content: a.content,
      created_at: a.created_at.toISOString(),
    })),
    report: artifacts.find((a) => a.path.startsWith('reports/'))?.content ?? null,
    usage: workflowUsage(steps, events),
  };
}

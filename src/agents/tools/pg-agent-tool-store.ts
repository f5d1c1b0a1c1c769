import type { AgentToolStore, WorkflowArtifact } from './agent-tool-store';
import { handoffSchema } from '../../domain/handoff';
import { listArtifacts } from '../../store/artifacts-repo';
import { registerCompensation } from '../../store/compensations-repo';
import type { Queryable } from '../../store/db';
import { eventRowSchema, parseRows } from '../../domain/records';
import { listSteps } from '../../store/steps-repo';

/** The workflow tools' view of the bot's database: finished steps' handoffs, stored files, events. */
export function pgAgentToolStore(db: Queryable): AgentToolStore {
  const handoffs = async (workflowId: number) =>
    (await listSteps(db, workflowId)).flatMap((s) =>
      s.state === 'succeeded' && s.handoff
        ? [{ agent: s.agent ?? 'engine', handoff: handoffSchema.parse(s.handoff) }]
        : [],
    );
  return {
    async artifacts(workflowId) {
      const fromSteps: WorkflowArtifact[] = (await handoffs(workflowId)).flatMap((h) =>
        h.handoff.artifacts.map((a) => ({ ...a, source: h.agent })),
      );
      const stored = (await listArtifacts(db, workflowId)).map((a) => ({
        path: a.path,
        kind: a.kind,
        content: a.content,
        source: a.source,
      }));
      return [...stored, ...fromSteps];
    },
    async migrations(workflowId) {
      return (await handoffs(workflowId)).flatMap((h) =>
        h.handoff.migration ? [{ agent: h.agent, migration: h.handoff.migration }] : [],
      );
    },
    async branchCreating(workflowId, stepId) {
      await registerCompensation(db, {
        workflowId,
        stepId,
        key: 'branch',
        kind: 'delete-branch',
        data: { workflowId },
      });
    },
    async events(workflowId, limit) {
      const { rows } = await db.query(
        'SELECT * FROM (SELECT * FROM events WHERE workflow_id = $1 ORDER BY id DESC LIMIT $2) e ORDER BY id',
        [workflowId, limit],
      );
      return parseRows(eventRowSchema, rows).map((e) => ({
        type: e.type,
        at: e.created_at.toISOString(),
        actor: e.actor,
        data: e.data,
      }));
    },
  };
}

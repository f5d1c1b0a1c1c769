import { inTransaction } from '../../store/db';
import { listEvents, recordEvent } from '../../store/events';
import { answerQuestion, findOpenQuestion } from '../../store/questions-repo';
import { bumpGeneration, getStep, transitionStep } from '../../store/steps-repo';
import { findWorkflowByThread, transitionWorkflow } from '../../store/workflows-repo';
import { mayTalkToAgents, whoMayAnswer } from '../../domain/approval-policy';
import type { DecisionDeps } from '../deps';
import type { Workflow } from '../../domain/records';
import { inWorkflowSpan } from '../workflow-span';
import { noteOverrideReason } from '../gates/gate-override';
import { noteChangesReason } from '../gates/request-changes';
import { awaitedReasons, notTheReasonNote } from '../gates/awaited-reasons';

export interface ThreadReply {
  channel: string;
  threadTs: string;
  user: string;
  text: string;
}

export type ReplyOutcome =
  | 'answer'
  | 'not_allowed'
  | 'rejection_reason'
  | 'override_reason'
  | 'changes_reason'
  | 'comment'
  | 'ignored';

/**
 * A person's reply in a workflow's thread. From the requester or an approver while a step waits for
 * an answer, it resumes that step; anyone else who replies then is told privately who may answer.
 * After a rejection, the first reply from the person who rejected is the reason; from an approver
 * whose Override awaits its reason, it is that reason; from an approver who clicked Request changes,
 * it is what should change, and the step runs again. Anything else is recorded as a comment; the
 * next agent reads only those of the requester and the approvers.
 */
export async function handleThreadReply(deps: DecisionDeps, reply: ThreadReply): Promise<ReplyOutcome> {
  const workflow = await findWorkflowByThread(deps.pool, reply.channel, reply.threadTs);
  if (!workflow) return 'ignored';
  return inWorkflowSpan(workflow, 'thread reply', () => replyTo(deps, workflow, reply));
}

async function replyTo(deps: DecisionDeps, workflow: Workflow, reply: ThreadReply): Promise<ReplyOutcome> {
  const question = workflow.state === 'waiting_reply' ? await findOpenQuestion(deps.pool, workflow.id) : undefined;
  const mayAnswer = mayTalkToAgents(deps.policy, workflow, reply.user);
  if (question && !mayAnswer) {
    await recordEvent(deps.pool, workflow.id, 'thread_comment', reply.user, { text: reply.text });
    const agent = (await getStep(deps.pool, question.step_id))?.agent ?? 'the agent';
    await deps.slack.ephemeral(
      reply.channel,
      reply.user,
      deps.views.refusalMessage(
        `Only ${whoMayAnswer(deps.policy, workflow)} can answer ${agent}'s question, so your reply was not ` +
          `passed on to it. The question stays open.`,
      ),
      reply.threadTs,
    );
    return 'not_allowed';
  }
  if (question && mayAnswer) {
    const step = await inTransaction(deps.pool, async (tx) => {
      const answered = await answerQuestion(tx, question.id, reply.text, reply.user);
      if (!answered) return undefined;
      const moved = await transitionStep(
        tx,
        { id: question.step_id, workflow_id: workflow.id },
        ['waiting_reply'],
        'pending',
      );
      await transitionWorkflow(tx, workflow.id, ['waiting_reply'], 'running', {
        type: 'workflow_resumed',
        actor: reply.user,
      });
      return moved ? bumpGeneration(tx, question.step_id) : undefined;
    });
    if (step) {
      await deps.queue.enqueue({
        name: 'step',
        data: { workflowId: workflow.id, stepId: step.id, generation: step.generation },
      });
      return 'answer';
    }
  }
  if (await noteOverrideReason(deps, workflow, reply)) return 'override_reason';
  if (await noteChangesReason(deps, workflow, reply)) return 'changes_reason';
  if (workflow.state === 'rejected') {
    const events = await listEvents(deps.pool, workflow.id);
    const rejectedBy = [...events].reverse().find((e) => e.type === 'workflow_rejected')?.actor;
    if (rejectedBy === reply.user && !events.some((e) => e.type === 'rejection_reason')) {
      await recordEvent(deps.pool, workflow.id, 'rejection_reason', reply.user, { text: reply.text });
      await deps.slack.post(
        `wf:${workflow.id}:reason-noted`,
        { channel: reply.channel, threadTs: reply.threadTs },
        deps.views.noticeMessage(
          `Reason noted, <@${reply.user}>. <@${workflow.requester}>, start a new request when you are ready.`,
        ),
      );
      return 'rejection_reason';
    }
  }
  await recordEvent(deps.pool, workflow.id, 'thread_comment', reply.user, { text: reply.text });
  // Someone else replied while the thread waits for a reason: tell them, privately, it was not taken as one.
  const note = notTheReasonNote(await awaitedReasons(deps, workflow), reply.user);
  if (note) await deps.slack.ephemeral(reply.channel, reply.user, deps.views.refusalMessage(note), reply.threadTs);
  return 'comment';
}

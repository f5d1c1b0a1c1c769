import { markReminded, listOverdueQuestions } from '../../store/questions-repo';
import { getStep } from '../../store/steps-repo';
import { getWorkflow } from '../../store/workflows-repo';
import type { EngineDeps } from '../deps';
import { afterEnd, endWorkflow } from '../lifecycle';

/**
 * Questions nobody answered: when half of INFRA_REPLY_TIMEOUT has passed, one reminder in the thread
 * mentioning the requester; when all of it has passed, the workflow stops (nothing merged) with a
 * message saying why. Run by the reconciler; the reminder is a conditional update, so it is posted once.
 */
export async function expireUnansweredQuestions(deps: EngineDeps, now = new Date()): Promise<void> {
  const timeout = deps.replyTimeoutMs;
  for (const question of await listOverdueQuestions(deps.pool, new Date(now.getTime() - timeout / 2))) {
    const workflow = await getWorkflow(deps.pool, question.workflow_id);
    if (!workflow?.root_ts) continue;
    const agent = (await getStep(deps.pool, question.step_id))?.agent ?? 'the agent';
    const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts };
    const stopsAt = new Date(question.created_at.getTime() + timeout);
    if (stopsAt <= now) {
      const error =
        `Nobody answered ${agent}'s question within ${deps.views.duration(timeout)} (INFRA_REPLY_TIMEOUT), so ` +
        `the workflow stopped; nothing was merged. Start a new request with the answer in it.`;
      if (
        await endWorkflow(
          deps,
          workflow.id,
          'failed',
          { type: 'question_timed_out', actor: null, error, data: { question_id: question.id } },
          { from: ['waiting_reply'] },
        )
      ) {
        await deps.slack.post(
          `question:${question.id}:timed-out`,
          thread,
          deps.views.noticeMessage(`:hourglass: ${error}`),
        );
        await afterEnd(deps, workflow.id);
      }
    } else if (question.reminded_at === null && (await markReminded(deps.pool, question.id))) {
      await deps.slack.post(
        `question:${question.id}:reminder`,
        thread,
        deps.views.questionReminderMessage(agent, workflow.requester, question.question, stopsAt),
      );
    }
  }
}

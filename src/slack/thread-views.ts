import type { ThreadViews } from '../engine/ports/thread-views';
import { errorMessage, noticeMessage, refusalMessage } from '../views/command-responses';
import { duration, escapeMrkdwn } from '../views/format';
import { gateDecidedMessage, gateOpenMessage } from '../views/gate-message';
import { handoffMessage } from '../views/handoff-message';
import { migrationFiles } from '../views/merge-migrations';
import { planMessage, preflightMessage, waitingForTargetMessage } from '../views/plan-message';
import { reportMessage } from '../views/report-message';
import { rootMessage } from '../views/root-message';
import {
  questionMessage,
  questionReminderMessage,
  stepDoneMessage,
  stepFailedMessage,
  stepHeadline,
  stepRunningMessage,
  stepWaitingMessage,
} from '../views/step-message';
import { planDocument, reportDocument } from '../views/workflow-documents';

/** The Block Kit views the engine posts through; the composition roots hand this to the engine. */
export const slackThreadViews: ThreadViews = {
  noticeMessage,
  refusalMessage,
  errorMessage,
  escapeMrkdwn,
  duration,
  rootMessage,
  planMessage,
  preflightMessage,
  waitingForTargetMessage,
  stepHeadline,
  stepRunningMessage,
  stepDoneMessage,
  stepFailedMessage,
  stepWaitingMessage,
  questionMessage,
  questionReminderMessage,
  handoffMessage,
  gateOpenMessage,
  gateDecidedMessage,
  migrationFiles,
  reportMessage,
  planDocument,
  reportDocument,
};

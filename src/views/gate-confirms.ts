import type { ConfirmationDialog } from '@slack/types';
import type { Gate } from '../domain/records';
import { escapeMrkdwn } from './format';

/** Slack's limits on a confirm dialog: title 100 characters, text 300, buttons 30. */
const TEXT_LIMIT = 300;

function within(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), limit / 2))}…`;
}

/** A confirm dialog: Slack shows it before the click reaches the bot. */
export function confirmDialog(dialog: {
  title: string;
  text: string;
  confirm: string;
  danger: boolean;
}): ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: within(dialog.title, 100) },
    text: { type: 'mrkdwn', text: within(dialog.text, TEXT_LIMIT) },
    confirm: { type: 'plain_text', text: within(dialog.confirm, 30) },
    deny: { type: 'plain_text', text: 'Cancel' },
    ...(dialog.danger ? { style: 'danger' as const } : {}),
  };
}

/** What the merge gate's approval does, in a sentence (its merge plan), or the generic statement for an old gate. */
function mergePlan(gate: Gate): string {
  const detail = gate.checks.find((c) => c.merge_plan)?.detail;
  return detail === undefined ? 'it merges the change to production' : escapeMrkdwn(detail);
}

/** The merge gate's Approve: names what approving merges, or that it merges nothing. */
export function approveMergeConfirm(gate: Gate): ConfirmationDialog {
  const last = gate.approvals_needed - gate.approvals.length <= 1;
  return confirmDialog({
    title: last ? 'Approve and merge to production?' : 'Approve (merge follows the last approval)?',
    text:
      `Approving this gate: ${mergePlan(gate)}.` +
      (last ? '' : ` This change needs ${gate.approvals_needed} approvals; the merge runs after the last one.`),
    confirm: last ? 'Approve and merge' : 'Approve',
    danger: true,
  });
}

/** Override of failed checks: who must follow, and at the merge gate what the last override merges. */
export function overrideConfirm(gate: Gate, failed: string): ConfirmationDialog {
  return confirmDialog({
    title: 'Override failed checks?',
    text:
      `You go on despite: ${failed}. A second approver must override too, and each of you gives the reason ` +
      `in the thread.${gate.merges ? ` Once both have, this gate is approved: ${mergePlan(gate)}.` : ''}`,
    confirm: 'Override',
    danger: true,
  });
}

/** Rollback at a gate: undoes the workflow's steps; nothing was merged yet, so production is not touched. */
export function rollbackConfirm(): ConfirmationDialog {
  return confirmDialog({
    title: 'Roll back this workflow?',
    text:
      'This undoes everything this workflow has done so far (its branch, its CI branch and pull request) and ' +
      'stops it. Nothing has been merged to production yet, so production is not changed.',
    confirm: 'Roll back',
    danger: true,
  });
}

import type { Button, ConfirmationDialog, KnownBlock } from '@slack/types';
import type { Check, Gate } from '../domain/records';
import { GATES } from '../domain/gate-kinds';
import { OVERRIDES_NEEDED, gatePolicy } from '../domain/gate-policy';
import { ActionIds } from '../domain/action-ids';
import { checkCodeBlocks } from './check-code-blocks';
import type { SlackMessage } from '../domain/message';
import { context, escapeMrkdwn, section, slackDate, user } from './format';
import {
  checkLines,
  lineSections,
  listed,
  mergeLine,
  mergePlanBlocks,
  riskBlocks,
  withinBlockLimit,
} from './gate-body';
import { mergeMigrationBlocks } from './merge-migrations';
import { approveMergeConfirm, overrideConfirm, rollbackConfirm } from './gate-confirms';

function title(gate: Gate): string {
  const info = GATES[gate.kind];
  return `Quality gate · ${info.stage}: ${info.title}`;
}

/** The gate's checks in its list: those about the change, then the findings already on production, apart. */
function checkBlocks(gate: Gate): KnownBlock[] {
  const { existing } = gatePolicy({ checks: gate.checks, merges: gate.merges });
  const about = listed(gate.checks.filter((c) => !c.existing));
  const shownElsewhere = gate.checks.some((c) => !c.existing && !listed([c]).length);
  return [
    ...(about.length
      ? lineSections('*Automatic checks*', checkLines(about))
      : shownElsewhere
        ? []
        : [section('*Automatic checks*\n_No automatic checks for this gate._')]),
    ...(existing.length
      ? lineSections(
          '*Pre-existing: already on production* — about objects this change does not touch; shown for ' +
            'follow-up, they do not block this gate',
          checkLines(listed(existing)),
        )
      : []),
  ];
}

/** What the approver decides on: the risk, the SQL and files, the checks, and at the merge gate what it merges. */
function bodyBlocks(gate: Gate): KnownBlock[] {
  return [
    ...riskBlocks(gate.checks),
    ...checkCodeBlocks(gate.checks),
    ...checkBlocks(gate),
    ...(gate.merges ? mergeMigrationBlocks(gate.migrations) : []),
    ...(gate.merges ? mergePlanBlocks(gate.checks) : []),
  ];
}

function names(checks: Check[]): string {
  return checks.map((c) => escapeMrkdwn(c.name)).join(', ');
}

/** Who has overridden so far, with their reasons (or that the reason is awaited). */
function overrideLine(gate: Gate): string {
  const each = gate.overrides.map(
    (o) =>
      `${user(o.user)} (${o.reason === undefined ? 'reason awaited in the thread' : `“${escapeMrkdwn(o.reason)}”`})`,
  );
  return `:rotating_light: Overridden so far by ${each.join(', ')}: needs ${OVERRIDES_NEEDED} different approvers, each with a reason.`;
}

function secondApproverLine(gate: Gate): string {
  const flags = new Set(
    gatePolicy({ checks: gate.checks, merges: gate.merges }).secondApprover.flatMap((c) => c.flags ?? []),
  );
  const what =
    flags.has('destructive') || !flags.size
      ? 'Destructive change'
      : 'Unanalysable change (code the engine cannot see into)';
  const so = gate.approvals.length ? `: ${gate.approvals.map(user).join(', ')}` : '';
  return (
    `:warning: ${what}: needs ${gate.approvals_needed} approvals from different people ` +
    `(${gate.approvals.length} of ${gate.approvals_needed}${so}).`
  );
}

/** A danger-style gate button whose click Slack confirms in a dialog first. */
function confirmedButton(actionId: string, label: string, gateId: number, confirm: ConfirmationDialog): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: label },
    style: 'danger',
    value: String(gateId),
    confirm,
  };
}

/** The Request changes button, offered while the step has attempts left; its reason is asked in the thread. */
function requestChangesButton(gate: Gate): Button {
  return {
    type: 'button',
    action_id: ActionIds.requestChanges,
    text: { type: 'plain_text', text: 'Request changes' },
    value: String(gate.id),
  };
}

/**
 * An open gate: criteria, automatic check results (findings already on production apart), the
 * migrations a merge gate will merge, and Approve / Reject / Request changes / Rollback — plus
 * Override when a failed check blocks Approve. `noChanges` says why Request changes is not offered
 * (the step's last attempt); without it the button is there.
 */
export function gateOpenMessage(gate: Gate, approversNote: string, noChanges?: string): SlackMessage {
  const info = GATES[gate.kind];
  const policy = gatePolicy({ checks: gate.checks, merges: gate.merges });
  const override = confirmedButton(
    ActionIds.override,
    'Override',
    gate.id,
    overrideConfirm(gate, names(policy.blocking)),
  );
  const buttons: KnownBlock = {
    type: 'actions',
    block_id: `gate-${gate.id}`,
    elements: [
      {
        type: 'button',
        action_id: ActionIds.approve,
        text: { type: 'plain_text', text: 'Approve' },
        style: 'primary',
        value: String(gate.id),
        // The merge gate's approval changes production: Slack asks first, naming what it merges.
        ...(gate.merges ? { confirm: approveMergeConfirm(gate) } : {}),
      },
      {
        type: 'button',
        action_id: ActionIds.reject,
        text: { type: 'plain_text', text: 'Reject' },
        style: 'danger',
        value: String(gate.id),
      },
      ...(noChanges ? [] : [requestChangesButton(gate)]),
      ...(policy.blocking.length ? [override] : []),
      confirmedButton(ActionIds.rollback, 'Rollback', gate.id, rollbackConfirm()),
    ],
  };
  const head = [section(`:raised_hand: *${title(gate)}*\nCriteria: ${escapeMrkdwn(info.criteria)}`)];
  const tail: KnownBlock[] = [
    ...(policy.blocking.length
      ? [
          context(
            `:no_entry: ${policy.blocking.length} check(s) failed and block Approve: ${names(policy.blocking)}. ` +
              `Fix the cause and start again, or ${OVERRIDES_NEEDED} different approvers click Override, ` +
              'each giving a reason in the thread.',
          ),
        ]
      : []),
    ...(gate.overrides.length ? [context(overrideLine(gate))] : []),
    ...(policy.warnings.length
      ? [context(`:warning: Approving acknowledges ${policy.warnings.length} warning(s): ${names(policy.warnings)}.`)]
      : []),
    ...(gate.merges ? [context(mergeLine(gate.checks))] : []),
    ...(gate.approvals_needed > 1 ? [context(secondApproverLine(gate))] : []),
    ...(gate.attempt > 1 ? [context(`:repeat: Attempt ${gate.attempt} of this step.`)] : []),
    buttons,
    ...(noChanges ? [context(escapeMrkdwn(noChanges))] : []),
    context(approversNote),
  ];
  return {
    text: `${title(gate)} — waiting for approval`,
    blocks: withinBlockLimit(head, bodyBlocks(gate), tail),
  };
}

const DECIDED: Record<Exclude<Gate['state'], 'open'>, string> = {
  approved: ':white_check_mark: Approved',
  rejected: ':no_entry: Rejected',
  rolled_back: ':rewind: Rolled back',
  expired: ':heavy_multiplication_x: Closed',
  changes_requested: ':repeat: Changes requested',
};

/** A decided gate: who and when, and what was decided on (the code stays); the buttons are gone. */
export function gateDecidedMessage(gate: Gate): SlackMessage {
  if (gate.state === 'open') throw new Error('gateDecidedMessage needs a decided gate');
  const approvers =
    gate.state === 'approved' && gate.approvals.length > 1 ? gate.approvals : gate.decided_by ? [gate.decided_by] : [];
  const who = approvers.length ? ` by ${approvers.map(user).join(' and ')}` : '';
  const when = gate.decided_at ? ` on ${slackDate(gate.decided_at)}` : '';
  const overridden =
    gate.state === 'approved' &&
    gate.overrides.length >= OVERRIDES_NEEDED &&
    gate.overrides.every((o) => o.reason !== undefined);
  const why = overridden
    ? `\n:rotating_light: Overridden by ${gate.overrides.map((o) => `${user(o.user)} (“${escapeMrkdwn(o.reason!)}”)`).join(' and ')}`
    : gate.state === 'changes_requested'
      ? `: ${escapeMrkdwn(gate.reason ?? '')} — attempt ${gate.attempt + 1} running`
      : '';
  return {
    text: `${title(gate)} — ${DECIDED[gate.state].replace(/^:[a-z_]+: /, '')}${gate.decided_by ? ` by <@${gate.decided_by}>` : ''}`,
    blocks: withinBlockLimit(
      [section(`*${title(gate)}*`)],
      [
        ...riskBlocks(gate.checks),
        ...checkCodeBlocks(gate.checks),
        ...lineSections('', checkLines(listed(gate.checks.filter((c) => !c.existing)))),
        ...(gate.checks.some((c) => c.existing)
          ? lineSections(
              '*Pre-existing: already on production*',
              checkLines(listed(gate.checks.filter((c) => c.existing))),
            )
          : []),
      ],
      [section(`${DECIDED[gate.state]}${who}${when}${why}`)],
    ),
  };
}

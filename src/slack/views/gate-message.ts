import type { KnownBlock } from '@slack/types';
import type { Check, Gate } from '../../store/rows';
import { GATES } from '../../workflow/gate-kinds';
import { ActionIds } from '../ids';
import { checkCodeBlocks } from './check-code-blocks';
import { SlackMessage } from '../message';
import { context, escape, section, slackDate, user } from './format';

const ICON: Record<Check['status'], string> = { pass: ':white_check_mark:', warn: ':warning:', fail: ':x:' };

function checkLines(checks: Check[]): string {
  if (!checks.length) return '_No automatic checks for this gate._';
  return checks.map((c) => `${ICON[c.status]} ${escape(c.name)}${c.detail ? ` — ${escape(c.detail)}` : ''}`).join('\n');
}

function title(gate: Gate): string {
  const info = GATES[gate.kind];
  return `Quality gate · ${info.stage}: ${info.title}`;
}

/** An open gate: criteria, automatic check results (with any code they show), and Approve / Reject / Rollback. */
export function gateOpenMessage(gate: Gate, approversNote: string): SlackMessage {
  const info = GATES[gate.kind];
  const failed = gate.checks.filter((c) => c.status === 'fail').length;
  const buttons: KnownBlock = {
    type: 'actions',
    block_id: `gate-${gate.id}`,
    elements: [
      { type: 'button', action_id: ActionIds.approve, text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: String(gate.id) },
      { type: 'button', action_id: ActionIds.reject, text: { type: 'plain_text', text: 'Reject' }, style: 'danger', value: String(gate.id) },
      {
        type: 'button',
        action_id: ActionIds.rollback,
        text: { type: 'plain_text', text: 'Rollback' },
        style: 'danger',
        value: String(gate.id),
        confirm: {
          title: { type: 'plain_text', text: 'Roll back?' },
          text: { type: 'mrkdwn', text: 'This undoes everything this workflow has done so far and stops it.' },
          confirm: { type: 'plain_text', text: 'Roll back' },
          deny: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
        },
      },
    ],
  };
  return {
    text: `${title(gate)} — waiting for approval`,
    blocks: [
      section(`:raised_hand: *${title(gate)}*\nCriteria: ${escape(info.criteria)}`),
      section(`*Automatic checks*\n${checkLines(gate.checks)}`),
      ...checkCodeBlocks(gate.checks),
      ...(failed ? [context(`:warning: ${failed} check(s) failed: approving overrides them.`)] : []),
      ...(gate.merges ? [context(':rotating_light: Approving this gate merges the change to production.')] : []),
      ...(gate.approvals_needed > 1
        ? [context(`:warning: Destructive change: needs ${gate.approvals_needed} approvals from different people (${gate.approvals.length} of ${gate.approvals_needed}${gate.approvals.length ? `: ${gate.approvals.map(user).join(', ')}` : ''}).`)]
        : []),
      buttons,
      context(approversNote),
    ],
  };
}

const DECIDED: Record<Exclude<Gate['state'], 'open'>, string> = {
  approved: ':white_check_mark: Approved',
  rejected: ':no_entry: Rejected',
  rolled_back: ':rewind: Rolled back',
  expired: ':heavy_multiplication_x: Closed',
};

/** A decided gate: who and when, and what was decided on (the code stays); the buttons are gone. */
export function gateDecidedMessage(gate: Gate): SlackMessage {
  if (gate.state === 'open') throw new Error('gateDecidedMessage needs a decided gate');
  const approvers = gate.state === 'approved' && gate.approvals.length > 1 ? gate.approvals : gate.decided_by ? [gate.decided_by] : [];
  const who = approvers.length ? ` by ${approvers.map(user).join(' and ')}` : '';
  const when = gate.decided_at ? ` on ${slackDate(gate.decided_at)}` : '';
  return {
    text: `${title(gate)} — ${DECIDED[gate.state].replace(/^:[a-z_]+: /, '')}${gate.decided_by ? ` by <@${gate.decided_by}>` : ''}`,
    blocks: [
      section(`*${title(gate)}*\n${checkLines(gate.checks)}`),
      ...checkCodeBlocks(gate.checks),
      section(`${DECIDED[gate.state]}${who}${when}`),
    ],
  };
}

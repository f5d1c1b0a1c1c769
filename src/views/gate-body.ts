import type { KnownBlock } from '@slack/types';
import type { Check, RiskLevel } from '../domain/records';
import { SECTION_LIMIT, context, escapeMrkdwn, section } from './format';

/** Slack refuses a message of more than 50 blocks. */
export const BLOCK_LIMIT = 50;

const ICON: Record<Check['status'], string> = { pass: ':white_check_mark:', warn: ':warning:', fail: ':x:' };

const RISK: Record<RiskLevel, string> = {
  high: ':red_circle: High',
  medium: ':large_orange_circle: Medium',
  low: ':large_green_circle: Low',
};

/** Checks the gate shows in its list; the risk, the merge plan and code-carrying checks have their own sections. */
export function listed(checks: Check[]): Check[] {
  return checks.filter((c) => c.risk === undefined && !c.merge_plan && c.code === undefined);
}

/** One line per check (and one indented bullet per item it lists); a finding already on production gets no red cross. */
export function checkLines(checks: Check[]): string[] {
  return checks.flatMap((c) => [
    `${c.existing && c.status !== 'pass' ? ':grey_exclamation:' : ICON[c.status]} ${escapeMrkdwn(c.name)}` +
      (c.detail ? ` — ${escapeMrkdwn(c.detail)}` : ''),
    ...(c.items ?? []).map((item) => `     • ${escapeMrkdwn(item)}`),
  ]);
}

/**
 * `title` and `lines` as sections of at most Slack's 3,000 characters, cut between lines (a line
 * longer than a section is cut with a mark), so no section is clipped mid-line.
 */
export function lineSections(title: string, lines: string[]): KnownBlock[] {
  const out: string[] = [];
  let current = title;
  for (const raw of lines) {
    const line = raw.length > SECTION_LIMIT - 100 ? `${raw.slice(0, SECTION_LIMIT - 102)}…` : raw;
    if (current.length + 1 + line.length > SECTION_LIMIT) {
      out.push(current);
      current = line;
    } else current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(current);
  return out.map((text) => section(text));
}

/** The gate's risk level and why, when one of its checks rates the change. */
export function riskBlocks(checks: Check[]): KnownBlock[] {
  const rated = checks.find((c) => c.risk !== undefined);
  if (!rated?.risk) return [];
  return [section(`*Risk: ${RISK[rated.risk]}* — ${escapeMrkdwn(rated.detail ?? '')}`)];
}

/** What approving the merge gate will do, when the merge gate's contents say it. */
export function mergePlanBlocks(checks: Check[]): KnownBlock[] {
  const plan = checks.find((c) => c.merge_plan);
  if (!plan) return [];
  return lineSections(
    `:rotating_light: *What approving this gate does:* ${escapeMrkdwn(plan.detail ?? '')}`,
    (plan.items ?? []).map((item) => `• ${escapeMrkdwn(item)}`),
  );
}

/** The merge gate's one-line statement for its footer: what approving merges, or that it merges nothing. */
export function mergeLine(checks: Check[]): string {
  const plan = checks.find((c) => c.merge_plan);
  return plan?.detail
    ? `:rotating_light: Approving this gate: ${escapeMrkdwn(plan.detail)}`
    : ':rotating_light: Approving this gate merges the change to production.';
}

/**
 * `head`, `body` and `tail` in at most 50 blocks: when they do not fit, the body's last blocks go and
 * a note says how many sections were cut and where the whole is.
 */
export function withinBlockLimit(head: KnownBlock[], body: KnownBlock[], tail: KnownBlock[]): KnownBlock[] {
  if (head.length + body.length + tail.length <= BLOCK_LIMIT) return [...head, ...body, ...tail];
  const room = Math.max(0, BLOCK_LIMIT - head.length - tail.length - 1);
  const cut = body.length - room;
  return [
    ...head,
    ...body.slice(0, room),
    context(
      `:scissors: ${cut} more section(s) are not shown: a Slack message holds at most ${BLOCK_LIMIT} blocks. ` +
        'The validation record and the files attached in this thread hold everything.',
    ),
    ...tail,
  ];
}

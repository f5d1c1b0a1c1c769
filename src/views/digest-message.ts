import type { KnownBlock } from '@slack/types';
import type { Failure, Merge, Metrics, WaitingGate } from '../domain/metrics';
import { GATES } from '../domain/gate-kinds';
import type { SlackMessage } from '../domain/message';
import { context, escapeMrkdwn, header, section, slackDate, shorten } from './format';
import { humanDuration, metricLines, todayLine, windowLabel } from './metrics-format';
import { workflowLink } from './thread-link';

/** Everything one day's digest shows; built by the digest job, drawn by {@link digestMessage}. */
export interface Digest {
  /** The local date of the digest, `YYYY-MM-DD`. */
  day: string;
  timeZone: string;
  now: Date;
  current: Metrics;
  previous: Metrics;
  /** Today so far: from the last local midnight to `now`. */
  today: Metrics;
  waiting: WaitingGate[];
  /** Workflows merged to production since the previous digest. */
  merged: Merge[];
  /** Failures since the previous digest. */
  failures: Failure[];
  /** The 30 days of the chart had nothing to draw, so no chart is attached. */
  chartEmpty: boolean;
  /** Nothing happened since the previous digest and nothing waits: the short digest. */
  quiet: boolean;
}

/** Lines listed in one section at most; the rest are counted. */
const MAX_LINES = 15;

const FAILURE_WORDS: Record<Failure['type'], string> = {
  workflow_failed: 'failed',
  merge_failed: 'failed to merge',
  workflow_rolled_back: 'rolled back',
};

/** `Monday 30 November 2026`. */
export function dayLabel(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(date);
  return `${part({ weekday: 'long' })} ${part({ day: 'numeric' })} ${part({ month: 'long' })} ${part({ year: 'numeric' })}`;
}

function listed<T>(items: T[], line: (item: T) => string): string {
  const shown = items.slice(0, MAX_LINES).map(line);
  if (items.length > MAX_LINES) shown.push(`…and ${items.length - MAX_LINES} more`);
  return shown.join('\n');
}

function waitingLine(now: Date, g: WaitingGate): string {
  const gate = GATES[g.kind];
  return (
    `• ${workflowLink(g.workflow_id, g.channel_id, g.root_ts)} at *${gate.stage} · ${gate.title}* ` +
    `for ${humanDuration(now.getTime() - g.opened_at.getTime())} — ${escapeMrkdwn(shorten(g.request, 80))}`
  );
}

function mergeLine(m: Merge): string {
  const what = [
    m.migrations ? `${m.migrations} migration${m.migrations === 1 ? '' : 's'}` : '',
    m.functions ? `${m.functions} Edge Function${m.functions === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return (
    `• ${workflowLink(m.workflow_id, m.channel_id, m.root_ts)} merged ${what.join(' and ')} ${slackDate(m.at)}` +
    ` — ${escapeMrkdwn(m.request.slice(0, 80))}`
  );
}

function failureLine(f: Failure): string {
  const why = f.type !== 'workflow_rolled_back' && f.error ? `: ${escapeMrkdwn(shorten(f.error, 120))}` : '';
  return `• ${workflowLink(f.workflow_id, f.channel_id, f.root_ts)} ${FAILURE_WORDS[f.type]} ${slackDate(f.at)}${why}`;
}

/** The daily digest: the five metrics against the previous week, what waits at a gate, and what failed. */
export function digestMessage(d: Digest): SlackMessage {
  const title = `Infra digest · ${dayLabel(d.day)}`;
  if (d.quiet) {
    return {
      text: `${title}: a quiet day`,
      blocks: [
        section(
          `:sunny: *${title}* — a quiet day: nothing ran since the last digest, nothing waits at a gate and nothing failed.`,
        ),
        context('`/infra metrics` shows the last 7 or 30 days.'),
      ],
    };
  }
  const blocks: KnownBlock[] = [
    header(`:bar_chart: ${title}`),
    section(
      `*Last ${d.current.days} days* (${windowLabel(d.current, d.timeZone)}), against the ${d.current.days} ` +
        `days before\n${metricLines(d.current, d.previous).join('\n')}`,
    ),
    section(todayLine(d.today, d.timeZone)),
    { type: 'divider' },
    section(
      d.waiting.length
        ? `*Waiting at a gate (${d.waiting.length})*\n${listed(d.waiting, (g) => waitingLine(d.now, g))}`
        : '*Waiting at a gate:* nothing.',
    ),
    section(
      d.merged.length
        ? `*Merged since the last digest (${d.merged.length})*\n${listed(d.merged, mergeLine)}`
        : '*Merged since the last digest:* nothing.',
    ),
    section(
      d.failures.length
        ? `*Failures since the last digest (${d.failures.length})*\n${listed(d.failures, failureLine)}`
        : '*Failures since the last digest:* none.',
    ),
    context(
      `Days are counted in ${d.timeZone}. ` +
        (d.chartEmpty
          ? 'No chart today: nothing was merged and nothing failed in the last 30 days.'
          : 'The chart of the last 30 days is in the thread.'),
    ),
  ];
  const summary =
    `${d.merged.length} merged, ${d.failures.length} failure(s) since the last digest, ` +
    `${d.waiting.length} waiting at a gate`;
  return { text: `${title}: ${summary}`, blocks };
}

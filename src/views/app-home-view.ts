import type { HomeView, KnownBlock } from '@slack/types';
import type { WaitingGate } from '../domain/metrics';
import type { Metrics } from '../domain/metrics';
import type { Workflow } from '../domain/records';
import { GATES } from '../domain/gate-kinds';
import { context, escapeMrkdwn, header, section, shorten } from './format';
import { humanDuration, metricLines, windowLabel } from './metrics-format';
import { workflowLink } from './thread-link';

/** What the Home tab shows one person. */
export interface AppHome {
  now: Date;
  timeZone: string;
  /** Open gates this person may decide and has not approved yet. */
  gatesForMe: WaitingGate[];
  active: Workflow[];
  current: Metrics;
  previous: Metrics;
}

const MAX_LINES = 20;

/** The App Home tab: the gates waiting for me, the active workflows, the metrics of the last 7 days. */
export function appHomeView(home: AppHome): HomeView {
  const gates = home.gatesForMe.slice(0, MAX_LINES).map((g) => {
    const gate = GATES[g.kind];
    return (
      `• ${workflowLink(g.workflow_id, g.channel_id, g.root_ts)} *${gate.stage} · ${gate.title}* — ` +
      `waiting ${humanDuration(home.now.getTime() - g.opened_at.getTime())} · ${escapeMrkdwn(shorten(g.request, 80))}`
    );
  });
  const active = home.active
    .slice(0, MAX_LINES)
    .map(
      (w) =>
        `• ${workflowLink(w.id, w.channel_id, w.root_ts)} ${w.state.replace('_', ' ')} ` +
        `· ${escapeMrkdwn(w.plan?.title ?? 'planning')} · <@${w.requester}> — ${escapeMrkdwn(shorten(w.request, 80))}`,
    );
  const blocks: KnownBlock[] = [
    header('Infra orchestrator'),
    section(
      gates.length
        ? `*Gates waiting for you (${home.gatesForMe.length})*\n${gates.join('\n')}`
        : '*Gates waiting for you:* none.',
    ),
    section(
      active.length
        ? `*Active workflows (${home.active.length})*\n${active.join('\n')}`
        : '*Active workflows:* none. Start one with `/infra <request>`.',
    ),
    { type: 'divider' },
    section(
      `*Metrics · last ${home.current.days} days* ` +
        `(${windowLabel(home.current, home.timeZone)})\n${metricLines(home.current, home.previous).join('\n')}`,
    ),
    context(`Updated ${home.now.toISOString().slice(0, 16).replace('T', ' ')} UTC · days counted in ${home.timeZone}`),
  ];
  return { type: 'home', blocks };
}

import type { Metrics } from '../domain/metrics';
import type { SlackMessage } from '../domain/message';
import { context, section } from './format';
import { metricLines, todayLine, windowLabel } from './metrics-format';

/**
 * `/infra metrics [7d|30d]`: the five metrics of the window and the change against the one before, and
 * today so far beside them (the window's days are full days, so today is not in them).
 */
export function metricsMessage(current: Metrics, previous: Metrics, today: Metrics, timeZone: string): SlackMessage {
  return {
    text: `Metrics of the last ${current.days} days`,
    blocks: [
      section(
        `*Metrics · last ${current.days} days* (${windowLabel(current, timeZone)})\n${metricLines(current, previous).join('\n')}`,
      ),
      section(todayLine(today, timeZone)),
      context(
        `Full days in ${timeZone}; changes are against the ${current.days} days before. Definitions are in the README.`,
      ),
    ],
  };
}

import type { Queryable } from '../store/db';
import { axisDate, chartIsEmpty, chartSpec } from './chart-spec';
import { chartData } from './chart-data';
import { type RenderedChart, renderChart } from './chart-render';

/** Days of the chart posted with each digest. */
export const CHART_DAYS = 30;

/**
 * The digest's chart of the `CHART_DAYS` full days before today, or null when those days have nothing
 * to draw (no merge, no failed change): the digest then says so instead of posting an empty image.
 */
export async function digestChart(
  db: Queryable,
  q: { now: Date; timeZone: string; fontDir: string },
): Promise<RenderedChart | null> {
  const data = await chartData(db, { now: q.now, timeZone: q.timeZone, days: CHART_DAYS });
  if (chartIsEmpty(data)) return null;
  const first = data.days[0]?.day;
  const last = data.days.at(-1)?.day;
  const span = first && last ? ` · ${axisDate(first)} – ${axisDate(last)} (${q.timeZone})` : '';
  return renderChart(chartSpec(data, `Production changes, last ${CHART_DAYS} days${span}`), q.fontDir);
}

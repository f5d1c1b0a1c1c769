import type { DailyPoint } from './metric-queries';

/** Colours of the two series, as the digest's title names them. */
export const MERGE_COLOUR = '#2e7dc8';
export const FAILURE_COLOUR = '#d63e3e';
/** The font the chart is drawn in; {@link renderChart} loads this family's file explicitly. */
export const CHART_FONT = 'DejaVu Sans';

const MERGES = 'Production merges';
const FAILURES = 'Failed or rolled back';
/** Width of each panel's plot in SVG pixels. */
const PLOT_WIDTH = 640;

/** The lead time of one merged workflow: from its request to its first production merge. */
export interface LeadTime {
  workflowId: number;
  mergedAt: Date;
  ms: number;
}

/** What the chart shows: one point per local day, and the merged workflows' lead times. */
export interface ChartData {
  days: DailyPoint[];
  leadTimes: LeadTime[];
}

/** True when the period has nothing to draw: no merge, no failed change, no lead time. */
export function chartIsEmpty(data: ChartData): boolean {
  return data.leadTimes.length === 0 && data.days.every((d) => d.deployments === 0 && d.failures === 0);
}

/** `30 Nov`: how a day is written on the x axis. */
export function axisDate(day: string): string {
  const date = new Date(`${day}T12:00:00Z`);
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
}

/**
 * The digest's chart as a Vega-Lite spec: the days as stacked bars (merges below, failures on top) with
 * dates, counts, a legend and a title; under it a small panel of lead times, request to merge, one bar
 * per merged workflow. Dates arrive as labels already (`30 Nov`), so the axis does not depend on the
 * renderer's time zone.
 */
export function chartSpec(data: ChartData, title: string): Record<string, unknown> {
  const bars = data.days.flatMap((d) => [
    { day: axisDate(d.day), series: MERGES, count: d.deployments, order: 0 },
    { day: axisDate(d.day), series: FAILURES, count: d.failures, order: 1 },
  ]);
  const dayOrder = data.days.map((d) => axisDate(d.day));
  const leads = data.leadTimes.map((l) => ({ workflow: `#${l.workflowId}`, hours: l.ms / 3_600_000 }));
  const highest = Math.max(1, ...data.days.map((d) => d.deployments + d.failures));
  const dailyPanel = {
    title: { text: 'Per day', anchor: 'start', fontSize: 13 },
    width: PLOT_WIDTH,
    height: 220,
    data: { values: bars },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'day',
        type: 'ordinal',
        sort: dayOrder,
        title: 'Day',
        axis: { labelAngle: -45, labelOverlap: false },
      },
      y: {
        field: 'count',
        type: 'quantitative',
        stack: 'zero',
        title: 'Count',
        scale: { domain: [0, highest] },
        axis: { tickMinStep: 1, format: 'd' },
      },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: [MERGES, FAILURES], range: [MERGE_COLOUR, FAILURE_COLOUR] },
        legend: { title: null, orient: 'top', direction: 'horizontal', labelLimit: 400 },
      },
      order: { field: 'order', type: 'quantitative' },
    },
  };
  const leadPanel = {
    title: { text: 'Lead time, request to merge, per merged workflow', anchor: 'start', fontSize: 13 },
    width: PLOT_WIDTH,
    height: 90,
    data: { values: leads },
    mark: { type: 'bar', color: MERGE_COLOUR, size: 14 },
    encoding: {
      x: { field: 'workflow', type: 'ordinal', sort: null, title: 'Workflow', axis: { labelAngle: 0 } },
      y: { field: 'hours', type: 'quantitative', title: 'Hours' },
    },
  };
  // Without a merge there is no lead time to draw: the title says so and the panel is left out.
  const subtitle = leads.length ? undefined : 'Lead time: no workflow merged in this period';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 16, ...(subtitle ? { subtitle } : {}) },
    background: 'white',
    padding: 16,
    config: { font: CHART_FONT, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
    vconcat: leads.length ? [dailyPanel, leadPanel] : [dailyPanel],
    spacing: 28,
  };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { renderChart, PNG_SCALE } from '../../src/metrics/chart-render';
import { chartSpec, type ChartData } from '../../src/metrics/chart-spec';
import { digestChart } from '../../src/metrics/digest-chart';
import { leadTimes } from '../../src/metrics/chart-data';
import { EventHistory } from './event-history';

const FONTS = process.env.INFRA_CHART_FONT_DIR ?? '/usr/share/fonts/truetype/dejavu';
const HOUR = 3_600_000;

/** Thirty days of November: merges most days, a failure every week, two lead times. */
function november(): ChartData {
  const days = Array.from({ length: 30 }, (_, i) => ({
    day: `2026-11-${String(i + 1).padStart(2, '0')}`,
    deployments: i % 4,
    failures: i % 7 === 0 ? 1 : 0,
  }));
  return {
    days,
    leadTimes: [
      { workflowId: 12, mergedAt: new Date('2026-11-12T10:00:00Z'), ms: 5 * HOUR },
      { workflowId: 14, mergedAt: new Date('2026-11-20T10:00:00Z'), ms: 26 * HOUR },
    ],
  };
}

const svgSize = (svg: string) => {
  const [, width, height] = /<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/.exec(svg)!;
  return [Number(width), Number(height)];
};

/** Share of pixels that are neither white nor near-white. */
function inkedShare(png: PNG): number {
  let inked = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i]! < 235 || png.data[i + 1]! < 235 || png.data[i + 2]! < 235) inked++;
  }
  return inked / (png.width * png.height);
}

/** Pixels of the merges' blue and the failures' red. */
function colourCount(png: PNG, [r, g, b]: [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i]! - r) < 8 && Math.abs(png.data[i + 1]! - g) < 8 && Math.abs(png.data[i + 2]! - b) < 8) n++;
  }
  return n;
}

describe('the digest chart, drawn from a Vega-Lite spec', () => {
  it('renders a PNG twice the size of its SVG, with bars in blue and red covering a good part of it', async () => {
    const chart = await renderChart(chartSpec(november(), 'Production changes, last 30 days'), FONTS);
    const png = PNG.sync.read(chart.png);
    const [width, height] = svgSize(chart.svg);
    expect([png.width, png.height]).toEqual([width! * PNG_SCALE, height! * PNG_SCALE]);
    expect([chart.width, chart.height]).toEqual([png.width, png.height]);
    expect(png.width).toBeGreaterThan(1200);
    expect(inkedShare(png)).toBeGreaterThan(0.1);
    expect(colourCount(png, [0x2e, 0x7d, 0xc8])).toBeGreaterThan(png.width * png.height * 0.05);
    expect(colourCount(png, [0xd6, 0x3e, 0x3e])).toBeGreaterThan(1000);
    if (process.env.UPDATE_CHART_IMAGE) writeFileSync(join(__dirname, '../../docs/digest-chart.png'), chart.png);
  });

  it('writes the title, axis titles, every date, the counts, the legend and the lead-time panel into the SVG', async () => {
    const { svg } = await renderChart(chartSpec(november(), 'Production changes, last 30 days'), FONTS);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual(
      expect.arrayContaining(['Production changes, last 30 days', 'Day', 'Count', 'Production merges']),
    );
    expect(texts).toContain('Failed or rolled back');
    for (let d = 1; d <= 30; d++) expect(texts).toContain(`${d} Nov`);
    expect(texts).toEqual(expect.arrayContaining(['0', '1', '2', '3', '4']));
    expect(texts).toEqual(
      expect.arrayContaining(['Lead time, request to merge, per merged workflow', 'Workflow', 'Hours', '#12', '#14']),
    );
    expect(svg).toContain('font-family="DejaVu Sans"');
  });

  it('draws a period of failures without merges, and says in its title that nothing merged', async () => {
    const data = { days: [{ day: '2026-11-29', deployments: 0, failures: 2 }], leadTimes: [] };
    const { svg, png } = await renderChart(chartSpec(data, 'Production changes'), FONTS);
    expect(svg).toContain('Lead time: no workflow merged in this period');
    expect(svg).toContain('29 Nov');
    expect(colourCount(PNG.sync.read(png), [0xd6, 0x3e, 0x3e])).toBeGreaterThan(1000);
  });

  it('says how to get the font when its folder lacks it', async () => {
    await expect(renderChart(chartSpec(november(), 'x'), '/nonexistent-fonts')).rejects.toThrow(
      /apt-get install fonts-dejavu-core.*INFRA_CHART_FONT_DIR/,
    );
  });

  describe('from the events', () => {
    let h: EventHistory;
    beforeEach(async () => {
      h = await EventHistory.create();
    });
    afterEach(async () => {
      await h.close();
    });
    const now = new Date('2026-11-30T10:00:00Z');

    it('draws nothing when the 30 days had no merge and no failure', async () => {
      await h.mergedWorkflow('2026-10-20T10:00:00Z');
      await h.mergedWorkflow('2026-11-30T08:00:00Z');
      expect(await digestChart(h.pool, { now, timeZone: 'UTC', fontDir: FONTS })).toBeNull();
    });

    it('measures lead time from the request to the first production merge, per workflow merged in the period', async () => {
      const slow = await h.mergedWorkflow('2026-11-10T10:00:00Z', { leadMinutes: 26 * 60 });
      const quick = await h.mergedWorkflow('2026-11-20T10:00:00Z', { leadMinutes: 45, migrations: ['a', 'b'] });
      await h.mergedWorkflow('2026-11-30T09:00:00Z');
      const leads = await leadTimes(h.pool, { now, timeZone: 'UTC', days: 30 });
      expect(leads.map((l) => [l.workflowId, l.ms])).toEqual([
        [slow, 26 * HOUR],
        [quick, 45 * 60_000],
      ]);
      const chart = await digestChart(h.pool, { now, timeZone: 'UTC', fontDir: FONTS });
      expect(chart?.svg).toContain(`#${slow}`);
      expect(chart?.svg).toContain('31 Oct – 29 Nov (UTC)');
    });
  });
});

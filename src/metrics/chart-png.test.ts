import { PNG } from 'pngjs';
import { CHART_HEIGHT, CHART_WIDTH, chartPng } from './chart-png';

const days = (n: number, f: (i: number) => { deployments: number; failures: number }) =>
  Array.from({ length: n }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, ...f(i) }));

const pixel = (png: PNG, x: number, y: number) =>
  Array.from(png.data.subarray((png.width * y + x) * 4, (png.width * y + x) * 4 + 3));

describe('chartPng', () => {
  it('decodes as a PNG of the chart size', () => {
    const png = PNG.sync.read(chartPng(days(30, (i) => ({ deployments: i % 4, failures: i % 7 === 0 ? 1 : 0 }))));
    expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  });

  it('draws the highest day as a bar up to the top of the plot, failures in red on top', () => {
    const png = PNG.sync.read(
      chartPng(days(2, (i) => (i === 1 ? { deployments: 1, failures: 1 } : { deployments: 0, failures: 0 }))),
    );
    const x = Math.round(CHART_WIDTH * 0.75);
    expect(pixel(png, x, CHART_HEIGHT - 20)).toEqual([46, 125, 200]);
    expect(pixel(png, x, 20)).toEqual([214, 62, 62]);
    expect(pixel(png, Math.round(CHART_WIDTH * 0.25), CHART_HEIGHT - 20)).toEqual([255, 255, 255]);
  });

  it('draws an empty history as an empty chart rather than failing', () => {
    const png = PNG.sync.read(chartPng([]));
    expect(png.width).toBe(CHART_WIDTH);
  });
});

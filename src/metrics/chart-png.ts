import { PNG } from 'pngjs';
import type { DailyPoint } from './metric-queries';

/** Size of the digest's chart in pixels. */
export const CHART_WIDTH = 720;
export const CHART_HEIGHT = 240;

type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [255, 255, 255];
const GRID: Rgb = [226, 228, 232];
const AXIS: Rgb = [120, 124, 130];
const DEPLOYMENT: Rgb = [46, 125, 200];
const FAILURE: Rgb = [214, 62, 62];
const MARGIN = 16;

/**
 * A bar chart of the days as a PNG: for each day a blue bar of production merges with the day's failed
 * or rolled-back production changes stacked on it in red; a light line marks every whole count (every
 * fifth when counts are high). No text: the digest message carries the numbers.
 */
export function chartPng(points: DailyPoint[]): Buffer {
  const png = new PNG({ width: CHART_WIDTH, height: CHART_HEIGHT, colorType: 2 });
  fill(png, 0, 0, CHART_WIDTH, CHART_HEIGHT, BACKGROUND);
  const plot = { left: MARGIN, right: CHART_WIDTH - MARGIN, top: MARGIN, bottom: CHART_HEIGHT - MARGIN };
  const highest = Math.max(1, ...points.map((p) => p.deployments + p.failures));
  const scale = (plot.bottom - plot.top) / highest;
  const step = highest > 20 ? 5 : 1;
  for (let n = step; n <= highest; n += step) {
    fill(
      png,
      plot.left,
      Math.round(plot.bottom - n * scale),
      plot.right,
      Math.round(plot.bottom - n * scale) + 1,
      GRID,
    );
  }
  const slot = (plot.right - plot.left) / Math.max(1, points.length);
  const barWidth = Math.max(1, Math.floor(slot * 0.7));
  points.forEach((p, i) => {
    const x = Math.round(plot.left + i * slot + (slot - barWidth) / 2);
    const deployed = Math.round(p.deployments * scale);
    const failed = Math.round(p.failures * scale);
    fill(png, x, plot.bottom - deployed, x + barWidth, plot.bottom, DEPLOYMENT);
    fill(png, x, plot.bottom - deployed - failed, x + barWidth, plot.bottom - deployed, FAILURE);
  });
  fill(png, plot.left, plot.bottom, plot.right, plot.bottom + 1, AXIS);
  return PNG.sync.write(png, { colorType: 2 });
}

/** Paints the rectangle [x0, x1) × [y0, y1), clipped to the image. */
function fill(png: PNG, x0: number, y0: number, x1: number, y1: number, [r, g, b]: Rgb): void {
  for (let y = Math.max(0, y0); y < Math.min(png.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(png.width, x1); x++) {
      const at = (png.width * y + x) << 2;
      png.data[at] = r;
      png.data[at + 1] = g;
      png.data[at + 2] = b;
      png.data[at + 3] = 255;
    }
  }
}

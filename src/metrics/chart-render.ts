import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { CHART_FONT } from './chart-spec';

/** The font files the chart loads, in the folder INFRA_CHART_FONT_DIR names (Debian's fonts-dejavu-core). */
export const CHART_FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];
/** Pixels of the PNG per SVG pixel: Slack shows the image sharp on high-density screens. */
export const PNG_SCALE = 2;

/** The chart drawn: its SVG, its PNG and the PNG's size in pixels. */
export interface RenderedChart {
  svg: string;
  png: Buffer;
  width: number;
  height: number;
}

type VegaModule = typeof import('vega');
/** vega-lite's types resolve only under node16 module resolution; `compile` is all the chart needs. */
interface VegaLiteModule {
  compile(spec: unknown): { spec: import('vega').Spec };
}

// vega and vega-lite are ES modules with top-level await, which CommonJS cannot require; a real
// import() (that TypeScript's CommonJS output would turn into require) loads them. The source is made
// unique per module instance: V8 caches a compiled Function by its source, with the import() context of
// its first compilation, and under jest that is another test file's (torn down) environment.
const importEsm = new Function('specifier', `return import(specifier); // ${randomUUID()}`) as (
  specifier: string,
) => Promise<unknown>;
let loaded: Promise<[VegaModule, VegaLiteModule]> | undefined;
/**
 * Loads vega and vega-lite once. The digest worker awaits it at start-up, so no job is left loading
 * them when the process stops (jest refuses an import after its test file ends).
 */
export const loadChartLibraries = (): Promise<[VegaModule, VegaLiteModule]> => {
  // One after the other: jest's ES module loader fails on two graphs sharing modules loaded at once.
  loaded ??= (async () => {
    const vega = (await importEsm('vega')) as VegaModule;
    return [vega, (await importEsm('vega-lite')) as VegaLiteModule];
  })();
  return loaded;
};

/** The font files to load, or an error that says how to get them. */
export function chartFonts(fontDir: string): string[] {
  const files = CHART_FONT_FILES.map((f) => join(fontDir, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(
      `The digest chart needs the font ${missing.join(', ')}: install it (apt-get install fonts-dejavu-core) ` +
        'or point INFRA_CHART_FONT_DIR at a folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf.',
    );
  }
  return files;
}

/**
 * Compiles the Vega-Lite spec, renders it to SVG with Vega (no canvas: text widths are Vega's
 * estimates, the same on every machine), and rasterises the SVG with resvg using only the given font
 * files, never the system's, so the PNG is the same on a laptop and in the Docker image.
 */
export async function renderChart(spec: Record<string, unknown>, fontDir: string): Promise<RenderedChart> {
  const fontFiles = chartFonts(fontDir);
  const [vega, vegaLite] = await loadChartLibraries();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const rendered = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: 'white',
  }).render();
  return { svg, png: rendered.asPng(), width: rendered.width, height: rendered.height };
}

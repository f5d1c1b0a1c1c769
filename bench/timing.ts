import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Runs `fn` and returns its value with the wall time it took, in milliseconds. */
export async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

/** Rounds to one decimal place, as the results files record milliseconds and MiB. */
export const round = (n: number): number => Math.round(n * 10) / 10;

/** Median (lower middle), nearest-rank 95th percentile and maximum of the samples, rounded. */
export function summary(values: number[]): { median: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
  return { median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]!) };
}

/** Writes bench/results/<name>.json: when and where it was measured, then the benchmark's own fields. */
export function writeResults(name: string, fields: Record<string, unknown>): void {
  const result = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, ...fields };
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * Compiles the bot into dist/ (`npm run build`: tsc, then the schema migrations copied beside it), so a
 * benchmark runs the bot as production does (`node dist/main.js`), without ts-node in the process.
 */
export function buildDist(): void {
  const root = join(__dirname, '..');
  const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('npm run build failed');
  cpSync(join(root, 'src/store/migrations'), join(root, 'dist/store/migrations'), { recursive: true });
}

/**
 * `npm run bench`: runs every benchmark, one process each and one after another (so they do not load
 * the machine for each other), then writes bench/results/summary.md from the JSON files they wrote.
 * BENCH_ONLY=ack-latency,busy-channel runs a subset. Exits non-zero when a benchmark failed; the
 * summary still lists the figures of those that ran.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { summaryRows } from './summary-rows';

const BENCHMARKS = ['ack-latency', 'busy-channel', 'many-workflows', 'chaos', 'pipeline-stages', 'embedded-postgres'];

function main(): number {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
  const failed: string[] = [];
  const durations: Record<string, number> = {};
  for (const name of BENCHMARKS.filter((b) => !only || only.includes(b))) {
    console.log(`\n=== ${name} ===`);
    const started = performance.now();
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, `${name}.ts`)], {
      stdio: 'inherit',
    });
    durations[name] = Math.round((performance.now() - started) / 1000);
    if (run.status !== 0) failed.push(name);
  }
  const results: Record<string, unknown> = {};
  for (const name of [...BENCHMARKS, 'busy-channel-slack-rate']) {
    const file = join(__dirname, 'results', `${name}.json`);
    if (existsSync(file)) results[name] = JSON.parse(readFileSync(file, 'utf8'));
  }
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()}. Each row names the JSON file it comes from;`,
    'the date of each file is when that benchmark last ran.',
    '',
    '| figure | value | target | from |',
    '|---|---|---|---|',
    ...summaryRows(results).map((r) => `| ${r.figure} | ${r.value} | ${r.target} | \`${r.file}.json\` (${r.date}) |`),
    '',
    Object.keys(durations).length
      ? `Run times this time (s): ${Object.entries(durations)
          .map(([name, s]) => `${name} ${s}`)
          .join(', ')}.`
      : 'No benchmark ran this time (BENCH_ONLY named none): the figures are those of the files.',
    failed.length ? `\nFailed: ${failed.join(', ')} (see the output above).` : '',
  ];
  writeFileSync(join(__dirname, 'results', 'summary.md'), `${lines.join('\n')}\n`);
  // The results are committed: leave them as the house formatter writes them, so `npm run lint` passes.
  spawnSync(process.execPath, [require.resolve('@biomejs/biome/bin/biome'), 'format', '--write', 'bench/results'], {
    cwd: join(__dirname, '..'),
    stdio: 'inherit',
  });
  console.log(`\nwrote bench/results/summary.md${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
  return failed.length ? 1 : 0;
}

process.exitCode = main();

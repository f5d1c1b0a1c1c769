import type { Metrics } from '../domain/metrics';
import { humanDuration, metricLines, windowLabel } from './metrics-format';

const HOUR = 3_600_000;

function metrics(overrides: Partial<Metrics> = {}): Metrics {
  return {
    start: new Date('2026-11-23T00:00:00Z'),
    end: new Date('2026-11-30T00:00:00Z'),
    days: 7,
    migrationSuccess: { tried: 0, merged: 0, rate: null },
    deployments: { count: 0, perDay: 0, perWeek: 0 },
    recovery: { incidents: 0, recovered: 0, meanMs: null },
    branchLifespan: { branches: 0, medianMs: null, p90Ms: null },
    rollbacks: { count: 0, merges: 0, rate: null },
    ...overrides,
  };
}

describe('metric lines', () => {
  it('says "no data" and why for each metric of an empty window, with no change shown', () => {
    const lines = metricLines(metrics(), metrics());
    expect(lines[0]).toBe('*Migration success rate:* _no data_ (no migration tried on a branch)');
    expect(lines[1]).toBe('*Deployment frequency:* 0/day · 0/week (0 production merges) · ±0');
    expect(lines[2]).toBe('*Mean time to recovery:* _no data_ (no failed production change)');
    expect(lines[3]).toBe('*Branch lifespan:* _no data_ (no branch deleted)');
    expect(lines[4]).toBe('*Rollback frequency:* _no data_ (no production merge)');
  });

  it('shows rises and falls against the previous window, and "new" where it had no data', () => {
    const current = metrics({
      migrationSuccess: { tried: 4, merged: 3, rate: 0.75 },
      deployments: { count: 3, perDay: 3 / 7, perWeek: 3 },
      recovery: { incidents: 1, recovered: 1, meanMs: 2 * HOUR },
      branchLifespan: { branches: 2, medianMs: 5 * HOUR, p90Ms: 30 * HOUR },
      rollbacks: { count: 1, merges: 3, rate: 1 / 3 },
    });
    const previous = metrics({
      migrationSuccess: { tried: 2, merged: 2, rate: 1 },
      deployments: { count: 5, perDay: 5 / 7, perWeek: 5 },
      branchLifespan: { branches: 1, medianMs: 4 * HOUR, p90Ms: 4 * HOUR },
    });
    const lines = metricLines(current, previous);
    expect(lines[0]).toBe('*Migration success rate:* 75 % (3 of 4 merged) · ▼ 25 pts');
    expect(lines[1]).toBe('*Deployment frequency:* 0.43/day · 3/week (3 production merges) · ▼ 2');
    expect(lines[2]).toBe('*Mean time to recovery:* 2 h (1 of 1 recovered) · _new_');
    expect(lines[3]).toBe('*Branch lifespan:* median 5 h · p90 30 h (2 branches) · ▲ 1 h (median)');
    expect(lines[4]).toBe('*Rollback frequency:* 33 % (1 of 3 merges rolled back) · _new_');
  });

  it('writes durations the way people say them', () => {
    expect(humanDuration(45_000)).toBe('45 s');
    expect(humanDuration(12 * 60_000)).toBe('12 min');
    expect(humanDuration(3 * HOUR + 5 * 60_000)).toBe('3 h 5 min');
    expect(humanDuration(52 * HOUR)).toBe('2 d 4 h');
  });

  it('names the window by its first and last local day', () => {
    expect(windowLabel(metrics(), 'UTC')).toBe('23 Nov – 29 Nov');
  });
});

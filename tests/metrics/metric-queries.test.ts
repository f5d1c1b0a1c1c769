import { computeMetrics, dailySeries } from '../../src/metrics/metric-queries';
import { EventHistory, plusMinutes } from './event-history';

const NOW = new Date('2026-11-30T10:00:00Z');
const HOUR = 3_600_000;

describe('the five metrics, computed in SQL from the events', () => {
  let h: EventHistory;
  beforeEach(async () => {
    h = await EventHistory.create();
  });
  afterEach(async () => {
    await h.close();
  });

  const metrics = (days = 7, back = 0, now = NOW, timeZone = 'UTC') =>
    computeMetrics(h.pool, { now, timeZone, days, back });

  it('reports "no data" rather than dividing by zero on an empty history', async () => {
    const m = await metrics();
    expect(m.migrationSuccess).toEqual({ tried: 0, merged: 0, rate: null });
    expect(m.deployments).toEqual({ count: 0, perDay: 0, perWeek: 0 });
    expect(m.recovery).toEqual({ incidents: 0, recovered: 0, meanMs: null });
    expect(m.branchLifespan).toEqual({ branches: 0, medianMs: null, p90Ms: null });
    expect(m.rollbacks).toEqual({ count: 0, merges: 0, rate: null });
  });

  it('bounds a 7-day window by the last seven full days before today', async () => {
    const m = await metrics();
    expect(m.start.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(m.end.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    const previous = await metrics(7, 1);
    expect(previous.start.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(previous.end.toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('counts migration success as migrations merged out of distinct migrations tried on a branch', async () => {
    await h.mergedWorkflow('2026-11-25T10:00:00Z');
    const failed = await h.workflow({ state: 'failed' });
    await h.event(failed, 'migration_test_failed', '2026-11-25T11:00:00Z', { name: 'bad' });
    const retried = await h.workflow({ state: 'waiting_gate' });
    await h.event(retried, 'migration_test_failed', '2026-11-26T11:00:00Z', { name: 'again' });
    await h.event(retried, 'migration_tested', '2026-11-26T12:00:00Z', { name: 'again' });
    const outside = await h.workflow();
    await h.event(outside, 'migration_tested', '2026-11-20T10:00:00Z', { name: 'old' });

    const m = await metrics();
    expect(m.migrationSuccess).toEqual({ tried: 3, merged: 1, rate: 1 / 3 });
  });

  it('counts deployments per workflow that merged, per day and per week of the window', async () => {
    await h.mergedWorkflow('2026-11-23T00:00:00Z', { migrations: ['a', 'b'] });
    await h.mergedWorkflow('2026-11-27T08:00:00Z');
    await h.mergedWorkflow('2026-11-29T23:59:59Z');
    await h.mergedWorkflow('2026-11-30T00:00:00Z');
    await h.mergedWorkflow('2026-11-22T23:59:59Z');

    expect((await metrics()).deployments).toEqual({ count: 3, perDay: 3 / 7, perWeek: 3 });
    expect((await metrics(30)).deployments).toEqual({ count: 4, perDay: 4 / 30, perWeek: (4 * 7) / 30 });
  });

  it('counts a workflow that deployed an Edge Function to production as a production merge, once', async () => {
    const functionOnly = await h.workflow();
    await h.event(functionOnly, 'function_deployed', '2026-11-24T10:00:00Z', {
      slug: 'hello',
      version: 1,
      existed: false,
    });
    const both = await h.mergedWorkflow('2026-11-25T10:00:00Z');
    await h.event(both, 'function_deployed', '2026-11-25T10:00:30Z', { slug: 'hello', version: 2, existed: true });
    expect((await metrics()).deployments.count).toBe(2);
  });

  it('measures recovery from a failed or rolled-back production change to the next success on the same target', async () => {
    const failed = await h.workflow({ target: 'A', state: 'failed' });
    await h.event(failed, 'merge_failed', '2026-11-24T10:00:00Z');
    await h.mergedWorkflow('2026-11-24T11:59:00Z', { target: 'B' });
    await h.mergedWorkflow('2026-11-24T11:59:00Z', { target: 'A' });
    const rolledBack = await h.mergedWorkflow('2026-11-25T09:00:00Z', { target: 'A' });
    await h.event(rolledBack, 'workflow_rolled_back', '2026-11-25T10:00:00Z', { after: 'merge' });
    await h.mergedWorkflow('2026-11-25T10:29:00Z', { target: 'A' });
    const unrecovered = await h.workflow({ target: 'B', state: 'failed' });
    await h.event(unrecovered, 'merge_failed', '2026-11-28T10:00:00Z');
    const gateRollback = await h.workflow({ target: 'A', state: 'rolled_back' });
    await h.event(gateRollback, 'workflow_rolled_back', '2026-11-26T10:00:00Z', {});

    const m = await metrics();
    expect(m.recovery).toEqual({ incidents: 3, recovered: 2, meanMs: 75 * 60_000 });
  });

  it('does not count a recovery that comes after the end of the window', async () => {
    const failed = await h.workflow({ target: 'A', state: 'failed' });
    await h.event(failed, 'merge_failed', '2026-11-29T23:00:00Z');
    await h.mergedWorkflow('2026-11-30T00:30:00Z', { target: 'A' });
    expect((await metrics()).recovery).toEqual({ incidents: 1, recovered: 0, meanMs: null });
  });

  it('gives the median and p90 of branch lifespans, creation to deletion, for branches deleted in the window', async () => {
    for (let hours = 1; hours <= 10; hours++) {
      const id = await h.workflow();
      const created = '2026-11-24T00:00:00Z';
      await h.event(id, 'branch_created', created);
      await h.event(id, 'branch_deleted', plusMinutes(created, hours * 60));
      await h.event(id, 'branch_deleted', plusMinutes(created, hours * 60 + 5));
    }
    const alive = await h.workflow({ state: 'running' });
    await h.event(alive, 'branch_created', '2026-11-24T00:00:00Z');

    const m = await metrics();
    expect(m.branchLifespan.branches).toBe(10);
    expect(m.branchLifespan.medianMs).toBeCloseTo(5.5 * HOUR, 3);
    expect(m.branchLifespan.p90Ms).toBeCloseTo(9.1 * HOUR, 3);
  });

  it('divides rollbacks of production by production merges, leaving out rollbacks at a gate', async () => {
    const ids = [];
    for (const day of ['24', '25', '26', '27']) ids.push(await h.mergedWorkflow(`2026-11-${day}T10:00:00Z`));
    await h.event(ids[0]!, 'workflow_rolled_back', '2026-11-24T12:00:00Z', { after: 'merge' });
    const atGate = await h.workflow({ state: 'rolled_back' });
    await h.event(atGate, 'workflow_rolled_back', '2026-11-25T12:00:00Z', {});

    expect((await metrics()).rollbacks).toEqual({ count: 1, merges: 4, rate: 0.25 });
  });

  it('compares with the previous window, which has its own data', async () => {
    await h.mergedWorkflow('2026-11-18T10:00:00Z');
    await h.mergedWorkflow('2026-11-19T10:00:00Z');
    await h.mergedWorkflow('2026-11-25T10:00:00Z');
    expect((await metrics(7, 0)).deployments.count).toBe(1);
    expect((await metrics(7, 1)).deployments.count).toBe(2);
  });

  describe('across a daylight-saving change (Europe/Berlin, 25 October 2026)', () => {
    const BERLIN_NOW = new Date('2026-10-28T08:00:00Z');

    it('bounds the window by Berlin midnights, two hours off UTC before the change and one after', async () => {
      const m = await metrics(7, 0, BERLIN_NOW, 'Europe/Berlin');
      expect(m.start.toISOString()).toBe('2026-10-20T22:00:00.000Z');
      expect(m.end.toISOString()).toBe('2026-10-27T23:00:00.000Z');
    });

    it('counts events by the Berlin day they happened on', async () => {
      await h.mergedWorkflow('2026-10-20T21:59:00Z');
      await h.mergedWorkflow('2026-10-20T22:01:00Z');
      await h.mergedWorkflow('2026-10-27T22:59:00Z');
      await h.mergedWorkflow('2026-10-27T23:01:00Z');
      await h.mergedWorkflow('2026-10-27T23:59:00Z');
      expect((await metrics(7, 0, BERLIN_NOW, 'Europe/Berlin')).deployments.count).toBe(2);
      expect((await metrics(7, 0, BERLIN_NOW, 'UTC')).deployments.count).toBe(3);
    });

    it('puts the 25-hour day of the change into one bucket of the daily series, empty days as zero', async () => {
      await h.mergedWorkflow('2026-10-24T22:30:00Z');
      await h.mergedWorkflow('2026-10-25T22:30:00Z');
      const failed = await h.workflow({ state: 'failed' });
      await h.event(failed, 'merge_failed', '2026-10-25T23:30:00Z');

      const series = await dailySeries(h.pool, { now: BERLIN_NOW, timeZone: 'Europe/Berlin', days: 7 });
      expect(series.map((p) => p.day)).toEqual([
        '2026-10-21',
        '2026-10-22',
        '2026-10-23',
        '2026-10-24',
        '2026-10-25',
        '2026-10-26',
        '2026-10-27',
      ]);
      expect(series.find((p) => p.day === '2026-10-25')).toEqual({ day: '2026-10-25', deployments: 2, failures: 0 });
      expect(series.find((p) => p.day === '2026-10-26')).toEqual({ day: '2026-10-26', deployments: 0, failures: 1 });
      expect(series.filter((p) => p.deployments === 0 && p.failures === 0)).toHaveLength(5);

      const utc = await dailySeries(h.pool, { now: BERLIN_NOW, timeZone: 'UTC', days: 7 });
      expect(utc.find((p) => p.day === '2026-10-24')?.deployments).toBe(1);
    });
  });
});

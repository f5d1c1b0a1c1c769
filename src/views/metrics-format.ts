import type { Metrics } from '../domain/metrics';

/** A duration as people read it in a digest: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

const percent = (rate: number) => `${Math.round(rate * 100)} %`;
const decimal = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, ''));

/** A change against the previous window; "new" when the previous one had no data. */
function change(
  current: number | null,
  previous: number | null | undefined,
  format: (delta: number) => string,
): string {
  if (previous === undefined || current === null) return '';
  if (previous === null) return ' · _new_';
  const delta = current - previous;
  if (Math.abs(delta) < 1e-9) return ' · ±0';
  return ` · ${delta > 0 ? '▲' : '▼'} ${format(Math.abs(delta))}`;
}

/** One line per metric, with the change against `previous` when given; "no data" says why. */
export function metricLines(m: Metrics, previous?: Metrics): string[] {
  const p = previous;
  const ms = m.migrationSuccess;
  const dep = m.deployments;
  const rec = m.recovery;
  const life = m.branchLifespan;
  const rb = m.rollbacks;
  const success =
    ms.rate === null
      ? '_no data_ (no migration tried on a branch)'
      : `${percent(ms.rate)} (${ms.merged} of ${ms.tried} merged)`;
  const failures = rec.incidents
    ? `${rec.incidents} failure${rec.incidents === 1 ? '' : 's'}, none recovered yet`
    : 'no failed production change';
  const recovery =
    rec.meanMs === null
      ? `_no data_ (${failures})`
      : `${humanDuration(rec.meanMs)} (${rec.recovered} of ${rec.incidents} recovered)`;
  const lifespan =
    life.medianMs === null || life.p90Ms === null
      ? '_no data_ (no branch deleted)'
      : `median ${humanDuration(life.medianMs)} · p90 ${humanDuration(life.p90Ms)} ` +
        `(${life.branches} branch${life.branches === 1 ? '' : 'es'})`;
  const rollbacks =
    rb.rate === null
      ? '_no data_ (no production merge)'
      : `${percent(rb.rate)} (${rb.count} of ${rb.merges} merges rolled back)`;
  return [
    `*Migration success rate:* ${success}` +
      change(ms.rate, p?.migrationSuccess.rate, (d) => `${Math.round(d * 100)} pts`),
    `*Deployment frequency:* ${decimal(dep.perDay)}/day · ${decimal(dep.perWeek)}/week ` +
      `(${dep.count} production merge${dep.count === 1 ? '' : 's'})` +
      change(dep.count, p?.deployments.count, (d) => `${d}`),
    `*Mean time to recovery:* ${recovery}${change(rec.meanMs, p?.recovery.meanMs, humanDuration)}`,
    `*Branch lifespan:* ${lifespan}` +
      change(life.medianMs, p?.branchLifespan.medianMs, (d) => `${humanDuration(d)} (median)`),
    `*Rollback frequency:* ${rollbacks}${change(rb.rate, p?.rollbacks.rate, (d) => `${Math.round(d * 100)} pts`)}`,
  ];
}

/** `23–29 Nov`: the window's local days, for the heading. */
export function windowLabel(m: Metrics, timeZone: string): string {
  const fmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone });
  const lastDay = new Date(m.end.getTime() - 1);
  return `${fmt.format(m.start)} – ${fmt.format(lastDay)}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Today so far, as counts: a rate over a few hours says little, but "1 production merge" right after
 * the merge is what people look for. `today` is the window from the last local midnight to now.
 */
export function todayLine(today: Metrics, timeZone: string): string {
  const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }).format(today.end);
  const ms = today.migrationSuccess;
  const parts = [
    plural(today.deployments.count, 'production merge'),
    plural(today.recovery.incidents, 'failed production change'),
    `${plural(ms.tried, 'migration')} tried on a branch${ms.tried ? ` (${ms.merged} merged)` : ''}`,
    `${plural(today.rollbacks.count, 'rollback')} of production`,
  ];
  return `*Today so far* (00:00 – ${time}): ${parts.join(' · ')}`;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { Gauge, Histogram, type Registry } from 'prom-client';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
const GATE_BUCKETS = [60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600];

/** What the scrape-time metrics read. */
export interface PrometheusSources {
  pool: Pool;
  /** The queues whose jobs are counted by state. */
  queues: Queue[];
}

/**
 * Registers the metrics computed when scraped: jobs by state from BullMQ, step durations and gate waits
 * from Postgres. They hold for the whole deployment, whichever process is scraped, because they are
 * read from the shared stores rather than counted in one process.
 */
export function registerStoreMetrics(registry: Registry, sources: PrometheusSources): void {
  const jobs: Gauge<'queue' | 'state'> = new Gauge({
    name: 'infra_jobs',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    collect: async () => {
      jobs.reset();
      for (const queue of sources.queues) {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) jobs.set({ queue: queue.name, state }, counts[state] ?? 0);
      }
    },
  });

  const steps: Histogram<'agent' | 'state'> = new Histogram({
    name: 'infra_step_duration_seconds',
    help: 'Duration of finished workflow steps, from start to finish, read from Postgres',
    labelNames: ['agent', 'state'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
    collect: async () => {
      const { rows } = await sources.pool.query<{ agent: string; state: string; seconds: number }>(
        `SELECT coalesce(agent, 'engine') AS agent, state, extract(epoch FROM finished_at - started_at)::float8 AS seconds
         FROM steps WHERE state IN ('succeeded', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL`,
      );
      steps.reset();
      for (const r of rows) steps.observe({ agent: r.agent, state: r.state }, r.seconds);
    },
  });

  const gateWaits: Histogram<'kind' | 'decision'> = new Histogram({
    name: 'infra_gate_wait_seconds',
    help: 'Time from a gate opening to its decision, read from Postgres',
    labelNames: ['kind', 'decision'],
    buckets: GATE_BUCKETS,
    registers: [registry],
    collect: async () => {
      const { rows } = await sources.pool.query<{ kind: string; state: string; seconds: number }>(
        `SELECT kind, state, extract(epoch FROM decided_at - created_at)::float8 AS seconds FROM gates WHERE decided_at IS NOT NULL`,
      );
      gateWaits.reset();
      for (const r of rows) gateWaits.observe({ kind: r.kind, decision: r.state }, r.seconds);
    },
  });

  const openGates: Gauge<'kind'> = new Gauge({
    name: 'infra_gate_open_wait_seconds',
    help: 'How long the longest-waiting open gate of each kind has been waiting',
    labelNames: ['kind'],
    registers: [registry],
    collect: async () => {
      const { rows } = await sources.pool.query<{ kind: string; seconds: number }>(
        `SELECT kind, extract(epoch FROM now() - min(created_at))::float8 AS seconds FROM gates WHERE state = 'open' GROUP BY kind`,
      );
      openGates.reset();
      for (const r of rows) openGates.set({ kind: r.kind }, r.seconds);
    },
  });
}

/** `GET /metrics` in Prometheus' text format; a store that does not answer gives a 503 that says which. */
export function metricsRoute(registry: Registry) {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    registry
      .metrics()
      .then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      })
      .catch((err: Error) => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end(`metrics unavailable: ${err.message.replace(/\/\/[^@]*@/, '//***@')}\n`);
      });
  };
}

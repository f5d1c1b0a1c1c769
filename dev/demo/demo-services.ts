import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { EmbeddedPostgres } from '../embedded-postgres/embedded-postgres';
import { DemoServicesMissingError } from '../../src/domain/errors';
import { checkPostgres, checkRedis } from '../../src/service-reachability';
import type { DemoPostgres } from './demo-databases';

/** Where the demo's Postgres and Redis are, and how to stop what the demo started. */
export interface DemoServices {
  /** A Postgres server whose user may create databases, or the one embedded in the process. */
  postgres: DemoPostgres;
  redisUrl: string;
  /** Where each came from, for the start-up message. */
  notes: string[];
  stop(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

const INSTALL_HELP = [
  'Install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run npm run demo again,',
  'or run the whole demo in Docker: docker compose up --build -d demo, then open http://127.0.0.1:4000/,',
  'or point REDIS_URL (and DATABASE_URL) at servers you have.',
].join('\n  ');

/** True when something accepts TCP connections on 127.0.0.1:`port` within a second. */
export function answers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** How the demo looks for services on this machine; tests pass their own. */
export interface DemoProbes {
  answers(port: number): Promise<boolean>;
  hasRedisServer(): boolean;
  startRedisServer(): Promise<{ url: string; stop: () => Promise<void> }>;
  startEmbeddedPostgres(): Promise<EmbeddedPostgres>;
  /** Connects to the server a setting names; a failure names the setting (src/service-reachability.ts). */
  checkPostgres(setting: string, url: string): Promise<void>;
  checkRedis(setting: string, url: string): Promise<void>;
}

/** The demo's say in where its services come from. */
export interface DemoServiceSettings {
  DATABASE_URL?: string;
  REDIS_URL?: string;
  /** Use the Postgres embedded in the process even when a server answers or DATABASE_URL is set. */
  INFRA_DEMO_EMBEDDED?: boolean;
}

/**
 * Finds the demo's services: the embedded Postgres when INFRA_DEMO_EMBEDDED is set; DATABASE_URL /
 * REDIS_URL when set (checked at once, so a server that cannot be reached is named by its setting); else the local servers on their usual
 * ports; else Postgres embedded in this process (PGlite) and `redis-server` from the PATH on a free
 * port. When no Redis can be had, one error says what to install or how to run the demo in Docker.
 */
export async function resolveDemoServices(
  env: DemoServiceSettings,
  probes: DemoProbes = LOCAL_PROBES,
): Promise<DemoServices> {
  const { answers, hasRedisServer, startRedisServer } = probes;
  const notes: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  let postgres: DemoPostgres | undefined;
  if (env.INFRA_DEMO_EMBEDDED) {
    if (env.DATABASE_URL) notes.push('DATABASE_URL is ignored: INFRA_DEMO_EMBEDDED asks for the embedded Postgres');
  } else if (env.DATABASE_URL) {
    await probes.checkPostgres('DATABASE_URL', env.DATABASE_URL);
    postgres = { kind: 'server', url: env.DATABASE_URL };
    notes.push('Postgres: DATABASE_URL');
  } else if (await answers(5432)) {
    postgres = { kind: 'server', url: LOCAL_POSTGRES };
    notes.push('Postgres: the local server on 127.0.0.1:5432');
  }
  let redisUrl = env.REDIS_URL;
  if (redisUrl) {
    await probes.checkRedis('REDIS_URL', redisUrl);
    notes.push('Redis: REDIS_URL');
  } else if (await answers(6379)) {
    redisUrl = LOCAL_REDIS;
    notes.push('Redis: the local server on 127.0.0.1:6379');
  } else if (hasRedisServer()) {
    const started = await startRedisServer();
    redisUrl = started.url;
    stops.push(started.stop);
    notes.push(
      `Redis: redis-server started from the PATH on ${started.url.slice('redis://'.length)} (stopped with the demo)`,
    );
  }
  if (!redisUrl) {
    await Promise.all(stops.map((stop) => stop()));
    throw new DemoServicesMissingError(
      'The demo needs Redis: nothing answers on 127.0.0.1:6379, REDIS_URL is not set and redis-server is not on the PATH.\n  ' +
        `${INSTALL_HELP}`,
    );
  }
  if (!postgres) {
    const server = await probes.startEmbeddedPostgres();
    postgres = { kind: 'embedded', server };
    stops.push(() => server.stop());
    const why = env.INFRA_DEMO_EMBEDDED
      ? 'INFRA_DEMO_EMBEDDED is set'
      : 'nothing answers on 127.0.0.1:5432 and DATABASE_URL is not set';
    notes.push(
      `Postgres: embedded in this process (PGlite, on 127.0.0.1:${server.port}; ${why}). Its data is gone when the demo stops`,
    );
  }
  return { postgres, redisUrl, notes, stop: async () => void (await Promise.all(stops.map((stop) => stop()))) };
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A throwaway redis-server (no snapshots, no append-only file) on a free port. */
export async function startRedisServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new DemoServicesMissingError(
        `redis-server did not start on port ${port}; start Redis yourself or set REDIS_URL.`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url: `redis://127.0.0.1:${port}`, stop };
}

const LOCAL_PROBES: DemoProbes = {
  answers: (port) => answers(port),
  hasRedisServer,
  startRedisServer,
  startEmbeddedPostgres: () => EmbeddedPostgres.start(),
  checkPostgres: (setting, url) => checkPostgres(setting, url),
  checkRedis: (setting, url) => checkRedis(setting, url),
};

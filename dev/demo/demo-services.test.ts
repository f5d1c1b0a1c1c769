import IORedis from 'ioredis';
import type { EmbeddedPostgres } from '../embedded-postgres/embedded-postgres';
import { DemoServicesMissingError } from '../../src/domain/errors';
import { checkPostgres, checkRedis } from '../../src/service-reachability';
import { answers, hasRedisServer, resolveDemoServices, startRedisServer, type DemoProbes } from './demo-services';

function probes(open: number[], redisServer: boolean, started: string[] = []): DemoProbes {
  return {
    startEmbeddedPostgres: async () => {
      started.push('embedded postgres');
      return {
        port: 45432,
        url: (db: string) => `postgres://postgres@127.0.0.1:45432/${db}`,
        stop: async () => void started.push('embedded stopped'),
      } as unknown as EmbeddedPostgres;
    },
    answers: async (port) => open.includes(port),
    hasRedisServer: () => redisServer,
    startRedisServer: async () => {
      started.push('redis');
      return { url: 'redis://127.0.0.1:41234', stop: async () => void started.push('stopped') };
    },
    checkPostgres: async () => undefined,
    checkRedis: async () => undefined,
  };
}

describe('the demo services', () => {
  it('uses DATABASE_URL and REDIS_URL when they are set', async () => {
    const services = await resolveDemoServices(
      { DATABASE_URL: 'postgres://u@db:5432/x', REDIS_URL: 'redis://cache:6379' },
      probes([], false),
    );
    expect([services.postgres, services.redisUrl]).toEqual([
      { kind: 'server', url: 'postgres://u@db:5432/x' },
      'redis://cache:6379',
    ]);
  });

  it('embeds Postgres when INFRA_DEMO_EMBEDDED is set, even with DATABASE_URL set and a server answering', async () => {
    const started: string[] = [];
    const services = await resolveDemoServices(
      { INFRA_DEMO_EMBEDDED: true, DATABASE_URL: 'postgres://u@db:5432/x' },
      probes([5432, 6379], false, started),
    );
    expect(services.postgres.kind).toBe('embedded');
    expect(services.notes.join('\n')).toContain('DATABASE_URL is ignored: INFRA_DEMO_EMBEDDED');
    expect(services.notes.join('\n')).toContain('INFRA_DEMO_EMBEDDED is set');
    await services.stop();
  });

  it('names DATABASE_URL when the server it points at cannot be reached, and starts nothing', async () => {
    const started: string[] = [];
    const attempt = resolveDemoServices(
      { DATABASE_URL: 'postgres://demo:secret@127.0.0.1:1/demo', REDIS_URL: 'redis://127.0.0.1:6379' },
      { ...probes([], true, started), checkPostgres },
    );
    await expect(attempt).rejects.toThrow(
      'DATABASE_URL (127.0.0.1:1/demo) cannot be used: nothing accepts connections there (ECONNREFUSED)',
    );
    await expect(attempt).rejects.not.toThrow(/secret/);
    expect(started).toEqual([]);
  });

  it('names REDIS_URL when the Redis it points at cannot be reached', async () => {
    const attempt = resolveDemoServices({ REDIS_URL: 'redis://127.0.0.1:1' }, { ...probes([5432], false), checkRedis });
    await expect(attempt).rejects.toThrow('REDIS_URL (127.0.0.1:1) cannot be used');
  });

  it('uses the local Postgres and Redis when they answer on their usual ports', async () => {
    const services = await resolveDemoServices({}, probes([5432, 6379], false));
    expect(services.postgres).toEqual({ kind: 'server', url: 'postgres://postgres@127.0.0.1:5432/postgres' });
    expect(services.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('starts redis-server from the PATH when no Redis answers, and stops it with the demo', async () => {
    const started: string[] = [];
    const services = await resolveDemoServices({}, probes([5432], true, started));
    expect(services.redisUrl).toBe('redis://127.0.0.1:41234');
    await services.stop();
    expect(started).toEqual(['redis', 'stopped']);
  });

  it('embeds Postgres in the process when no server answers and DATABASE_URL is not set, and stops it with the demo', async () => {
    const started: string[] = [];
    const services = await resolveDemoServices({}, probes([6379], false, started));
    expect(services.postgres.kind).toBe('embedded');
    expect(services.notes.join('\n')).toContain('Postgres: embedded in this process (PGlite, on 127.0.0.1:45432');
    await services.stop();
    expect(started).toEqual(['embedded postgres', 'embedded stopped']);
  });

  it(
    'says in one message what to install, or how to run the demo in Docker, when no Redis can be had, without starting ' +
      'Postgres',
    async () => {
      const started: string[] = [];
      const attempt = resolveDemoServices({}, probes([], false, started));
      await expect(attempt).rejects.toBeInstanceOf(DemoServicesMissingError);
      await expect(attempt).rejects.toThrow(
        /needs Redis.*\n.*apt-get install redis-server.*\n.*docker compose up --build -d demo/,
      );
      expect(started).toEqual([]);
    },
  );

  (hasRedisServer() ? it : it.skip)('starts a throwaway redis-server that answers, and stops it', async () => {
    const started = await startRedisServer();
    const redis = new IORedis(started.url);
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
      await started.stop();
    }
    expect(await answers(Number(new URL(started.url).port))).toBe(false);
  });
});

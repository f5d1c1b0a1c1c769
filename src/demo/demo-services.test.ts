import IORedis from 'ioredis';
import { DemoServicesMissingError } from '../errors';
import { answers, hasRedisServer, resolveDemoServices, startRedisServer, type DemoProbes } from './demo-services';

function probes(open: number[], redisServer: boolean, started: string[] = []): DemoProbes {
  return {
    answers: async (port) => open.includes(port),
    hasRedisServer: () => redisServer,
    startRedisServer: async () => {
      started.push('redis');
      return { url: 'redis://127.0.0.1:41234', stop: async () => void started.push('stopped') };
    },
  };
}

describe('the demo services', () => {
  it('uses DATABASE_URL and REDIS_URL when they are set', async () => {
    const services = await resolveDemoServices({ DATABASE_URL: 'postgres://u@db:5432/x', REDIS_URL: 'redis://cache:6379' }, probes([], false));
    expect([services.postgresUrl, services.redisUrl]).toEqual(['postgres://u@db:5432/x', 'redis://cache:6379']);
  });

  it('uses the local Postgres and Redis when they answer on their usual ports', async () => {
    const services = await resolveDemoServices({}, probes([5432, 6379], false));
    expect(services.postgresUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(services.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('starts redis-server from the PATH when no Redis answers, and stops it with the demo', async () => {
    const started: string[] = [];
    const services = await resolveDemoServices({}, probes([5432], true, started));
    expect(services.redisUrl).toBe('redis://127.0.0.1:41234');
    await services.stop();
    expect(started).toEqual(['redis', 'stopped']);
  });

  it('says in one message what to install when neither Postgres nor Redis can be had', async () => {
    const attempt = resolveDemoServices({}, probes([], false));
    await expect(attempt).rejects.toBeInstanceOf(DemoServicesMissingError);
    await expect(attempt).rejects.toThrow(/PostgreSQL .* and Redis .*\n.*apt-get install postgresql redis-server/);
  });

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

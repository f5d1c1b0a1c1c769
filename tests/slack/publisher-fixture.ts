import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { createLogger } from '../../src/logger';
import { ChannelLimiter } from '../../src/slack/delivery/channel-limiter';
import { DeliveryQueue } from '../../src/slack/delivery/delivery-queue';
import { WebApiPublisher } from '../../src/slack/publisher';
import { migrate } from '../../src/store/migrate';
import { startLocalSlack } from '../../dev/local-slack/local-slack-server';
import type { LocalSlack } from '../../dev/local-slack/local-slack';
import { createTestDatabase, REDIS_URL } from '../support/harness';

const silentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error' as never,
  setName: () => undefined,
};

/** A publisher on the local Slack, a migrated database of its own and a fresh queue prefix. */
export interface PublisherFixture {
  fake: LocalSlack;
  pool: Pool;
  publisher: WebApiPublisher;
}

/**
 * Makes a {@link PublisherFixture} before each test of the describe block it is called in and removes
 * it after. `wrapPool` stands between the publisher and the pool (to fail a query on purpose).
 */
export function publisherPerTest(wrapPool: (pool: Pool) => Pool = (pool) => pool): PublisherFixture {
  const current = {} as PublisherFixture & { redis: IORedis; db: { url: string; drop: () => Promise<void> } };
  beforeEach(async () => {
    current.redis = new IORedis(REDIS_URL);
    current.fake = await startLocalSlack();
    current.db = await createTestDatabase();
    current.pool = new Pool({ connectionString: current.db.url, max: 2 });
    current.pool.on('error', () => undefined); // `drop database … with (force)` may end a closing connection
    await migrate(current.pool);
    const client = new WebClient('xoxb-test-token', {
      slackApiUrl: current.fake.apiUrl,
      retryConfig: { retries: 0 },
      // As in production (src/runtime.ts): a 429 reaches the delivery queue, which waits out its Retry-After.
      rejectRateLimitedCalls: true,
      logger: silentLogger,
    });
    const prefix = `infra-test-${randomBytes(5).toString('hex')}`;
    const limits = { postIntervalMs: 0, updateIntervalMs: 0, fileIntervalMs: 0 };
    const delivery = new DeliveryQueue(new ChannelLimiter(current.redis, prefix), limits, createLogger('silent'));
    current.publisher = new WebApiPublisher(client, wrapPool(current.pool), delivery);
  });
  afterEach(async () => {
    await current.redis.quit();
    await current.pool.end();
    await current.db.drop();
    await current.fake.close();
  });
  return current;
}

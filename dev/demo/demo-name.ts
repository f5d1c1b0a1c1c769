import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import IORedis from 'ioredis';
import { DemoServicesMissingError } from '../../src/domain/errors';

/** What one demo calls its databases and its queue prefix, so two demos (or a demo and anything else) never share. */
export interface DemoNames {
  name: string;
  /** True when the name was made for this run (no INFRA_DEMO_NAME): the run's databases go when it stops. */
  perRun: boolean;
  databases: { bot: string; target: string };
  queuePrefix: string;
}

/** Lower-case letters, digits and `_`, so the name fits a database name and a Redis key unquoted. */
export const DEMO_NAME_PATTERN = /^[a-z0-9_]{1,40}$/;

/** The names of a demo called `name` (INFRA_DEMO_NAME), or of a fresh name for this run. */
export function demoNames(name?: string): DemoNames {
  const chosen = name ?? `run_${randomBytes(3).toString('hex')}`;
  if (!DEMO_NAME_PATTERN.test(chosen)) {
    throw new DemoServicesMissingError(
      `INFRA_DEMO_NAME "${chosen}" cannot name a database: use up to 40 lower-case letters, digits and _.`,
    );
  }
  return {
    name: chosen,
    perRun: name === undefined,
    databases: { bot: `infra_demo_${chosen}`, target: `infra_demo_${chosen}_target` },
    queuePrefix: `infra-demo-${chosen}`,
  };
}

/** The Redis key a running demo holds while it runs; it expires if the demo is killed. */
export function claimKey(names: DemoNames): string {
  return `${names.queuePrefix}:demo-claim`;
}

const CLAIM_TTL_MS = 30_000;

/**
 * Claims a demo's names on its Redis for as long as it runs (a key refreshed every 10 s that expires 30 s
 * after a kill). A second demo with the same names is refused with what to do; release() gives the names up.
 */
export async function claimDemoNames(redisUrl: string, names: DemoNames): Promise<{ release(): Promise<void> }> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const key = claimKey(names);
  const taken = (await redis.set(key, owner, 'PX', CLAIM_TTL_MS, 'NX')) === null;
  if (taken) {
    const holder = await redis.get(key);
    redis.disconnect();
    throw new DemoServicesMissingError(
      `A demo named "${names.name}" is already running on this Redis (held by ${holder ?? 'another process'}). ` +
        'Stop it, or start this one under another name: INFRA_DEMO_NAME=other npm run demo.',
    );
  }
  const refresh = setInterval(() => void redis.pexpire(key, CLAIM_TTL_MS).catch(() => undefined), 10_000);
  refresh.unref();
  return {
    release: async () => {
      clearInterval(refresh);
      // Only this demo's claim is deleted, never one another demo took after ours expired.
      await redis
        .eval(
          "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
          1,
          key,
          owner,
        )
        .catch(() => undefined);
      redis.disconnect();
    },
  };
}

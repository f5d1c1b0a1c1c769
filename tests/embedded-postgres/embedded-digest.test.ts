import { postDailyDigest } from '../../src/metrics/digest-job';
import { EmbeddedPostgres } from '../../dev/embedded-postgres/embedded-postgres';
import { createLogger } from '../../src/logger';
import { Harness } from '../support/harness';

const DIGEST_CHANNEL = 'C0DIGEST02';

describe('the bot on the embedded Postgres', () => {
  let server: EmbeddedPostgres;
  let h: Harness | undefined;

  beforeAll(async () => {
    server = await EmbeddedPostgres.start();
    await server.createDatabase('bot');
  });

  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it("posts the day's digest once when it is asked twice at the same moment, though advisory locks do not exclude there", async () => {
    const clock = new Date('2026-11-30T08:00:00Z');
    h = await Harness.start({
      env: { DATABASE_URL: server.url('bot'), INFRA_DIGEST_CHANNEL: DIGEST_CHANNEL, INFRA_DIGEST_TZ: 'Europe/Berlin' },
      runtime: { now: () => clock },
    });
    const deps = {
      pool: h.pool,
      slack: h.runtime.decisions.slack,
      timeZone: 'Europe/Berlin',
      fontDir: '/usr/share/fonts/truetype/dejavu',
      now: () => clock,
      logger: createLogger('silent'),
    };

    const results = await Promise.all([postDailyDigest(deps, DIGEST_CHANNEL), postDailyDigest(deps, DIGEST_CHANNEL)]);

    expect(results.sort()).toEqual(['already posted', 'posted']);
    expect(h.slack.channelMessages(DIGEST_CHANNEL)).toHaveLength(1);
    expect(h.slack.callsTo('chat.postMessage').filter((c) => c.params.channel === DIGEST_CHANNEL)).toHaveLength(1);
  });
});

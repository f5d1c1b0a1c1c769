import { ConfigError, loadConfig, targetOf } from './config';

const minimal = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefgh12', DATABASE_URL: 'postgres://u@h/db' };

describe('configuration', () => {
  it('fills every optional setting with its documented default', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      INFRA_DIGEST_CRON: '0 9 * * 1-5',
      INFRA_REQUESTER_MAY_APPROVE_MERGE: false,
      INFRA_QUEUE_PREFIX: 'infra',
    });
    expect(config.INFRA_APPROVERS).toBeUndefined();
  });

  it('names each missing or bad variable and says how to fix it', () => {
    expect.assertions(4);
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'nope', DATABASE_URL: 'mysql://x' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('SLACK_BOT_TOKEN is invalid: a bot token starts with xoxb-');
      expect(message).toContain('SLACK_SIGNING_SECRET is missing: set it in the environment or .env');
      expect(message).toContain('DATABASE_URL is invalid: use postgres://');
    }
  });

  it('reads INFRA_REPLY_TIMEOUT as a duration with a unit, 24 hours by default, and refuses one without a valid unit', () => {
    expect(loadConfig(minimal).INFRA_REPLY_TIMEOUT).toBe(24 * 3_600_000);
    expect(loadConfig({ ...minimal, INFRA_REPLY_TIMEOUT: '90m' }).INFRA_REPLY_TIMEOUT).toBe(90 * 60_000);
    expect(loadConfig({ ...minimal, INFRA_REPLY_TIMEOUT: '2.5h' }).INFRA_REPLY_TIMEOUT).toBe(9_000_000);
    expect(loadConfig({ ...minimal, INFRA_REPLY_TIMEOUT: '45000' }).INFRA_REPLY_TIMEOUT).toBe(45_000);
    expect(() => loadConfig({ ...minimal, INFRA_REPLY_TIMEOUT: 'a day' })).toThrow(
      /INFRA_REPLY_TIMEOUT is invalid: use a number with a unit, e\.g\. 24h/,
    );
  });

  it('refuses a self-hosted target without a branch server, unless branches on the production server are allowed explicitly', () => {
    const target = { ...minimal, TARGET_DATABASE_URL: 'postgres://u:secret@prod/app' };
    expect(() => loadConfig(target)).toThrow(
      new RegExp(
        'INFRA_BRANCH_DATABASE_URL is invalid: TARGET_DATABASE_URL is set, ' +
          'so name the Postgres server branches are made on.*INFRA_ALLOW_SHARED_BRANCH_SERVER=true',
      ),
    );
    expect(
      loadConfig({ ...target, INFRA_BRANCH_DATABASE_URL: 'postgres://b:pw@branches/postgres' })
        .INFRA_ALLOW_SHARED_BRANCH_SERVER,
    ).toBe(false);
    expect(
      loadConfig({ ...target, INFRA_ALLOW_SHARED_BRANCH_SERVER: 'true' }).INFRA_BRANCH_DATABASE_URL,
    ).toBeUndefined();
    expect(
      loadConfig({ ...target, SUPABASE_ACCESS_TOKEN: 'sbp_x', SUPABASE_PROJECT_REF: 'abcdefghijklmnopqrst' })
        .INFRA_BRANCH_DATABASE_URL,
    ).toBeUndefined();
  });

  it('reads approvers as a comma or space separated list of Slack user ids', () => {
    expect(loadConfig({ ...minimal, INFRA_APPROVERS: 'U1AAA, U2BBB U3CCC' }).INFRA_APPROVERS).toEqual([
      'U1AAA',
      'U2BBB',
      'U3CCC',
    ]);
    expect(() => loadConfig({ ...minimal, INFRA_APPROVERS: 'alice' })).toThrow(
      /INFRA_APPROVERS is invalid: each id looks like U0123ABCD \(not alice\); use \* to let everyone decide/,
    );
  });

  it('reads approver groups as handles (with or without @, any case) or ids, and refuses anything else', () => {
    const config = loadConfig({ ...minimal, INFRA_APPROVER_GROUPS: '@Platform-Leads, dba S0LEADS01' });
    expect(config.INFRA_APPROVER_GROUPS).toEqual(['@platform-leads', '@dba', 'S0LEADS01']);
    expect(config.INFRA_APPROVER_GROUPS_REFRESH).toBe(5 * 60_000);
    expect(loadConfig({ ...minimal, INFRA_APPROVER_GROUPS_REFRESH: '30s' }).INFRA_APPROVER_GROUPS_REFRESH).toBe(30_000);
    expect(() => loadConfig({ ...minimal, INFRA_APPROVER_GROUPS: '<!subteam^S1>' })).toThrow(
      /INFRA_APPROVER_GROUPS is invalid: name each group by its handle \(@platform-leads\) or its id/,
    );
  });

  it('reads INFRA_APPROVERS=* as everyone, explicitly, and leaves it unset (nobody) otherwise', () => {
    expect(loadConfig({ ...minimal, INFRA_APPROVERS: '*' }).INFRA_APPROVERS).toBe('*');
    expect(loadConfig({ ...minimal, INFRA_APPROVERS: '' }).INFRA_APPROVERS).toBeUndefined();
  });

  it('reads INFRA_API_TOKENS as name:secret pairs and refuses a bad or repeated one without repeating its secret', () => {
    const secret = 'a-secret-of-at-least-24-chars';
    expect(loadConfig({ ...minimal, INFRA_API_TOKENS: `platform:${secret}, ci:${secret}x` }).INFRA_API_TOKENS).toEqual([
      { name: 'platform', secret },
      { name: 'ci', secret: `${secret}x` },
    ]);
    expect(loadConfig(minimal).INFRA_API_TOKENS).toBeUndefined();
    for (const bad of [`platform:short`, `${secret}`, `platform:${secret},platform:${secret}`]) {
      const message = (() => {
        try {
          loadConfig({ ...minimal, INFRA_API_TOKENS: bad });
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).toContain('INFRA_API_TOKENS is invalid');
      expect(message).not.toContain(secret);
      expect(message).not.toContain('short');
    }
  });

  it('accepts an IANA time zone for the digest and refuses an unknown one, naming the fix', () => {
    expect(loadConfig({ ...minimal, INFRA_DIGEST_TZ: 'Europe/Berlin' }).INFRA_DIGEST_TZ).toBe('Europe/Berlin');
    expect(() => loadConfig({ ...minimal, INFRA_DIGEST_TZ: 'Mars/Olympus' })).toThrow(
      /INFRA_DIGEST_TZ is invalid: use an IANA time zone name/,
    );
  });

  it('treats an empty optional setting as unset', () => {
    expect(loadConfig({ ...minimal, SLACK_APP_TOKEN: '', ANTHROPIC_API_KEY: ' ' })).toMatchObject({
      SLACK_APP_TOKEN: undefined,
      ANTHROPIC_API_KEY: undefined,
    });
  });

  it('locks the Supabase project, else the target database, else a default target', () => {
    expect(targetOf({ SUPABASE_PROJECT_REF: 'abcdefghijklmnopqrst', TARGET_DATABASE_URL: undefined })).toBe(
      'supabase:abcdefghijklmnopqrst',
    );
    expect(targetOf({ SUPABASE_PROJECT_REF: undefined, TARGET_DATABASE_URL: 'postgres://u:secret@db.local/app' })).toBe(
      'postgres:db.local:5432/app',
    );
    expect(targetOf({ SUPABASE_PROJECT_REF: undefined, TARGET_DATABASE_URL: undefined })).toBe('default');
  });

  it('asks for the project ref when a Supabase access token is given without one', () => {
    expect(() => loadConfig({ ...minimal, SUPABASE_ACCESS_TOKEN: 'sbp_x' })).toThrow(
      /SUPABASE_PROJECT_REF is invalid: SUPABASE_ACCESS_TOKEN is set, so name the project/,
    );
  });
});

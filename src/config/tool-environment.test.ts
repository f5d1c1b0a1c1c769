import { toolEnvironment } from './tool-environment';

describe('the environment of client tools', () => {
  it("keeps PATH, the locale and libpq's PG variables and drops the bot's tokens, keys and URLs", () => {
    const env = toolEnvironment({
      PATH: '/usr/bin',
      LC_ALL: 'C.UTF-8',
      PGSSLMODE: 'require',
      SLACK_BOT_TOKEN: 'xoxb-secret',
      SLACK_SIGNING_SECRET: 'signing-secret',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
      DATABASE_URL: 'postgres://bot:pw@db/bot',
      TARGET_DATABASE_URL: 'postgres://prod:pw@prod/app',
      GITHUB_TOKEN: 'ghp_secret',
    });
    expect(env).toEqual({ PATH: '/usr/bin', LC_ALL: 'C.UTF-8', PGSSLMODE: 'require' });
  });
});

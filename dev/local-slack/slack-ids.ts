/** Ids the Slack fakes and request builders use when a test does not choose its own. */
export const DEFAULT_SLACK_IDS = {
  botUserId: 'U0BOT00001',
  botId: 'B0BOT00001',
  teamId: 'T0TEAM0001',
  appId: 'A0APP00001',
} as const;

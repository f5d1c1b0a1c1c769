/**
 * The floor of bench/ack-latency.ts, in a process of its own: a Bolt App on an HTTPReceiver whose
 * /infra listener only calls ack(). SLACK_SIGNING_SECRET verifies the requests as the bot's do; prints
 * `ready <port>` once it listens.
 */
const { App, HTTPReceiver, LogLevel } = require('@slack/bolt');

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  endpoints: '/slack/events',
  logLevel: LogLevel.ERROR,
});
const app = new App({
  token: 'xoxb-bench-token',
  receiver,
  botId: process.env.BOT_ID,
  botUserId: process.env.BOT_USER_ID,
  tokenVerificationEnabled: false,
  logLevel: LogLevel.ERROR,
});
app.command('/infra', async ({ ack }) => {
  await ack();
});
app.start(0).then((server) => process.stdout.write(`ready ${server.address().port}\n`));
process.on('SIGTERM', () => app.stop().then(() => process.exit(0)));

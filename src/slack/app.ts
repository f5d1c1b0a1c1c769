import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../logger';
import { registerActionListeners } from './listeners/actions';
import { registerCommandListeners } from './listeners/commands';
import { registerEventListeners } from './listeners/events';
import type { ListenerDeps } from './listeners/listener-deps';
import { registerMessageListeners } from './listeners/messages';
import { FreshRequestReceiver } from './request-freshness';

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  /** Socket Mode when set; HTTP at POST /slack/events otherwise. */
  appToken?: string;
  /** Points the Web API client elsewhere (tests, proxies). */
  apiUrl?: string;
  /** Known bot ids skip Bolt's auth.test at start-up. */
  botId?: string;
  botUserId?: string;
  /** Extra HTTP routes (healthz, metrics). */
  routes?: Array<{
    path: string;
    method: string;
    handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
  }>;
  /** Retries of the Web API client; tests use a fast policy so a 429 cannot stall them. */
  retries?: number;
  /** The Web API client's fetch (the runtime's counts failed calls for GET /metrics). */
  fetch?: typeof fetch;
  logger: Logger;
}

/** Builds the Bolt app with every listener registered; the caller starts it. */
export function createSlackApp(opts: SlackAppOptions, deps: ListenerDeps): App {
  const logger = boltLogger(opts.logger);
  const receiver = opts.appToken
    ? new SocketModeReceiver({ appToken: opts.appToken, customRoutes: opts.routes, logger })
    : new FreshRequestReceiver({
        signingSecret: opts.signingSecret,
        endpoints: '/slack/events',
        customRoutes: opts.routes,
        logger,
        unhandledRequestTimeoutMillis: 2900,
      });
  const app = new App({
    token: opts.botToken,
    receiver,
    botId: opts.botId,
    botUserId: opts.botUserId,
    logger,
    clientOptions: {
      slackApiUrl: opts.apiUrl,
      retryConfig:
        opts.retries === undefined ? undefined : { retries: opts.retries, factor: 1, minTimeout: 50, maxTimeout: 200 },
      fetch: opts.fetch,
    },
  });
  app.error(async (error) => {
    opts.logger.error({ err: error }, 'unhandled Slack listener error');
  });
  registerCommandListeners(app, deps);
  registerActionListeners(app, deps);
  registerMessageListeners(app, deps);
  registerEventListeners(app, deps);
  return app;
}

/** Bolt's logger interface over pino, so Bolt's lines are structured and redacted too. */
function boltLogger(log: Logger) {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  // Bolt logs at debug several times per request: the words are put together only when the level is on,
  // so a request's logging costs nothing in front of the next ack.
  const at =
    (name: 'debug' | 'info' | 'warn' | 'error') =>
    (...m: unknown[]) => {
      if (child.isLevelEnabled(name)) child[name](m.map(String).join(' '));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

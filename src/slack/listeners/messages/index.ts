import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../listener-deps';
import { directMessage } from './direct-message';
import { threadReply } from './thread-reply';

export function registerMessageListeners(app: App, deps: ListenerDeps): void {
  app.message(threadReply(deps));
  app.message(directMessage(deps));
}

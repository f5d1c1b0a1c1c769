import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../listener-deps';
import { threadReply } from './thread-reply';

export function registerMessageListeners(app: App, deps: ListenerDeps): void {
  app.message(threadReply(deps));
}

import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../listener-deps';
import { infraCommand } from './infra-command';

export function registerCommandListeners(app: App, deps: ListenerDeps): void {
  app.command('/infra', infraCommand(deps));
}

import type { App, BlockButtonAction } from '@slack/bolt';
import { ActionIds, GATE_ACTION_PATTERN } from '../../../domain/action-ids';
import type { ListenerDeps } from '../listener-deps';
import { gateButton } from './gate-button';
import { rollbackProductionButton } from './rollback-production-button';

export function registerActionListeners(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(GATE_ACTION_PATTERN, gateButton(deps));
  app.action<BlockButtonAction>(ActionIds.rollbackProduction, rollbackProductionButton(deps));
}

import type { Pool } from 'pg';
import type { ChangeTarget } from '../targets/change-target';

/** What the actions need: the target (absent when none is configured) and the bot's own database for events. */
export interface ChangeActionDeps {
  target?: ChangeTarget;
  pool: Pool;
  /** Where `validations/migration-test-<date>-wf<id>.md` is written. */
  workspaceDir: string;
}

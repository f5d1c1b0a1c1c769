import type { Pool } from 'pg';
import type { Logger } from '../../logger';
import type { DecisionDeps } from '../../engine/deps';

/** What listeners get from the composition root. */
export interface ListenerDeps {
  pool: Pool;
  /** Records decisions and queues jobs; the web role has no agent runner, tool or change target. */
  engine: DecisionDeps;
  /** The target every change workflow of this deployment works on. */
  target: string;
  /** Time zone whose midnights bound the metric windows (INFRA_DIGEST_TZ). */
  timeZone: string;
  /** The clock of the metrics and the Home tab; tests pass their own. */
  now: () => Date;
  logger: Logger;
}

/** The kinds of attack in the corpus (tests/security/attacks.ts) and what each one carries. */
import type { AttackNames } from './drivers/attack-names';
import type { SqlOutcome } from './drivers/outcomes';

/** The SQL an agent runs with execute_sql on its branch, in the migration step of a schema change. */
export interface ExecuteSqlAttack {
  kind: 'execute_sql';
  name: string;
  query: (n: AttackNames) => string;
  /** Extra SQL run on production before the workflow starts (an extension production has). */
  production?: (n: AttackNames) => string;
  expect: SqlOutcome[];
}

/** A hostile migration proposed by the data-migration-specialist; every gate is approved by two people. */
export interface MigrationAttack {
  kind: 'migration';
  name: string;
  up: (n: AttackNames) => string;
  down: (n: AttackNames) => string;
  /** A read-only query the backend-engineer runs afterwards with execute_sql (to pull what the migration stashed). */
  later?: (n: AttackNames) => string;
  production?: (n: AttackNames) => string;
  expect: SqlOutcome[];
}

/** A migration carried by the handoff of a step that is not the migration step. */
export interface SmuggledMigrationAttack {
  kind: 'smuggled_migration';
  name: string;
  agent: 'api-designer' | 'devops-engineer';
  up: (n: AttackNames) => string;
  down: (n: AttackNames) => string;
  expect: SqlOutcome[];
}

/**
 * A migration walked through every gate by ONE approver. `held`: it destroys data (in some spelling) or
 * hides what it does, so a gate must still be open after one approval and production be intact.
 * `merged`: the control, a harmless migration that one approver per gate merges.
 */
export interface ApprovalAttack {
  kind: 'destructive';
  name: string;
  up: (n: AttackNames) => string;
  down: (n: AttackNames) => string;
  outcome: 'held' | 'merged';
  /** A query on production that returns one row `{ intact: true }` while production is untouched (for `held`). */
  intact?: (n: AttackNames) => string;
}

/** Someone writes in the workflow's thread while it waits at its first gate. */
export interface ThreadReplyAttack {
  kind: 'thread_reply';
  name: string;
  author: 'stranger' | 'requester' | 'approver';
  text: (marker: string) => string;
  /** Whether the text may reach later model requests. */
  reaches: boolean;
}

/** A CI file the devops-engineer proposes in the CI/CD workflow, tried on the strict fake GitHub. */
export interface CiFileAttack {
  kind: 'ci_file';
  name: string;
  path: string;
  content: string;
  /**
   * `no_write_before_approval`: GitHub got no write before the first approval; `stays_in_workflows`: every file
   * written is `.github/workflows/<name>.yml`.
   */
  expect: 'no_write_before_approval' | 'stays_in_workflows';
}

/** A request over Slack's signed HTTP endpoint that the bot must not act on. */
export interface SlackForgeryAttack {
  kind: 'slack_forgery';
  name: string;
  forgery:
    | 'click_from_other_channel'
    | 'click_on_other_message'
    | 'no_approvers'
    | 'replayed_command'
    | 'future_timestamp'
    | 'list_elsewhere'
    | 'status_elsewhere';
}

export type Attack =
  | ExecuteSqlAttack
  | MigrationAttack
  | SmuggledMigrationAttack
  | ApprovalAttack
  | ThreadReplyAttack
  | CiFileAttack
  | SlackForgeryAttack;
export type AttackKind = Attack['kind'];

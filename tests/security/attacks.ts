/**
 * The attack corpus: what a hostile model (scripted) or a hostile person in Slack tries against the
 * bot. Each entry is one test of tests/security/attacks.test.ts; its `name` is the behaviour the bot
 * must show. A new attack is one more entry in the list of its kind under corpus/. Payloads are
 * functions of the test's own names (a role, a slot, a marker file, the production database…) so
 * that tests never collide and clean up what an attack that succeeded left behind.
 */
import type { Attack } from './attack-types';
import { APPROVAL_ATTACKS } from './corpus/approval-attacks';
import { CI_FILE_ATTACKS } from './corpus/ci-attacks';
import { SLACK_FORGERY_ATTACKS } from './corpus/slack-attacks';
import { EXECUTE_SQL_ATTACKS, MIGRATION_ATTACKS, SMUGGLED_MIGRATION_ATTACKS } from './corpus/sql-attacks';
import { THREAD_REPLY_ATTACKS } from './corpus/thread-attacks';

/** Every attack, in the order the tests run. */
export const ATTACKS: Attack[] = [
  ...EXECUTE_SQL_ATTACKS,
  ...MIGRATION_ATTACKS,
  ...SMUGGLED_MIGRATION_ATTACKS,
  ...APPROVAL_ATTACKS,
  ...THREAD_REPLY_ATTACKS,
  ...CI_FILE_ATTACKS,
  ...SLACK_FORGERY_ATTACKS,
];

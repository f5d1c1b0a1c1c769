import { handoffSchema } from '../../domain/handoff';
import { migrationHash } from '../sql/migration-hash';
import type { EventRow, ShownMigration, Step } from '../../domain/records';
import { type Plan, mayCarryMigration } from '../../domain/plan';

/** A migration handed off by a step that may not carry one: never merged, reported in the thread. */
export interface IgnoredMigration {
  stepTitle: string;
  name: string;
}

/**
 * The migrations a workflow would merge, in step order, each with the hash of its current text and the
 * result of the last branch test of its step: `passed` only when that test passed on this exact text.
 * A migration from a step that does not test migrations on the branch is left out and listed as ignored.
 */
export function mergeCandidates(
  plan: Plan,
  steps: Step[],
  events: EventRow[],
): { migrations: ShownMigration[]; ignored: IgnoredMigration[] } {
  const migrations: ShownMigration[] = [];
  const ignored: IgnoredMigration[] = [];
  for (const step of [...steps].sort((a, b) => a.idx - b.idx)) {
    const migration = step.handoff ? handoffSchema.parse(step.handoff).migration : undefined;
    if (!migration) continue;
    const def = plan.steps[step.idx];
    if (!def || !mayCarryMigration(def)) {
      ignored.push({ stepTitle: step.title, name: migration.name });
      continue;
    }
    const sha256 = migrationHash(migration);
    const last = events
      .filter(
        (e) =>
          (e.type === 'migration_tested' || e.type === 'migration_test_failed') && Number(e.data.step_id) === step.id,
      )
      .pop();
    const test = last?.data.sha256 !== sha256 ? 'not_run' : last.type === 'migration_tested' ? 'passed' : 'failed';
    migrations.push({
      step_id: step.id,
      step_title: step.title,
      name: migration.name,
      up_sql: migration.up_sql,
      down_sql: migration.down_sql,
      sha256,
      test,
    });
  }
  return { migrations, ignored };
}

/**
 * Why a migration may not be merged, or undefined when it may: its last branch test passed on this
 * exact text, and it is the text the approved merge gate showed.
 */
export function pinProblem(candidate: ShownMigration, shown: ShownMigration[]): string | undefined {
  if (candidate.test !== 'passed') {
    return (
      `\`${candidate.name}\` (${candidate.step_title}) is not the text that passed the branch ` +
      `test${candidate.test === 'failed' ? ' (its last test failed)' : ''}`
    );
  }
  const atGate = shown.find((m) => m.step_id === candidate.step_id);
  if (atGate?.sha256 !== candidate.sha256)
    return `\`${candidate.name}\` (${candidate.step_title}) is not the text the merge gate showed the approvers`;
  return undefined;
}

import { handoffSchema } from '../../domain/handoff';
import type { Check, EventRow, RiskLevel, ShownMigration, Step } from '../../domain/records';
import { functionsInArtifacts } from '../checks/edge-functions';
import type { ChangeTarget } from '../targets/change-target';

export interface MergePlanInput {
  /** Production; absent when no target is configured, and then nothing is merged. */
  target?: ChangeTarget;
  /** The migrations the merge gate shows, with their branch-test result (merge-candidates.ts). */
  migrations: ShownMigration[];
  steps: Step[];
  events: EventRow[];
}

/**
 * The merge gate's statement of what approving it does, as mergeApproved (merge.ts) will do it: which
 * migrations go into which target, which Edge Functions are deployed, which pull request is left to merge
 * on GitHub — or, plainly, that nothing will be merged and why.
 */
export function mergePlanCheck(input: MergePlanInput): Check {
  const { target, migrations } = input;
  const where = target?.description ?? 'production';
  const functions = target?.functions
    ? functionsInArtifacts(input.steps.flatMap((s) => (s.handoff ? handoffSchema.parse(s.handoff).artifacts : []))).map(
        (f) => f.slug,
      )
    : [];
  const pushed = input.events.filter((e) => e.type === 'ci_pushed').pop();
  const pr = pushed
    ? [
        `Pull request #${String(pushed.data.pull_request)} (${String(pushed.data.url)}) is not merged by this gate: ` +
          'merge it on GitHub, where your branch protection applies',
      ]
    : [];
  const plan = (detail: string, items: string[]): Check => ({
    name: 'What approving does',
    status: 'pass',
    merge_plan: true,
    detail,
    items,
  });
  const untested = migrations.filter((m) => m.test !== 'passed');
  if (!target) {
    return plan(
      'nothing will be merged — no target is configured (TARGET_DATABASE_URL or SUPABASE_PROJECT_REF)' +
        (migrations.length ? '; the approved SQL stays in this thread' : ''),
      pr,
    );
  }
  if (untested.length) {
    return plan(
      `nothing will be merged — ${untested.map((m) => m.name).join(', ')} has not passed the branch test on ` +
        'this exact text, so the merge is refused',
      pr,
    );
  }
  if (!migrations.length && !functions.length) {
    return plan('nothing will be merged — this workflow proposed no migration and no Edge Function', pr);
  }
  const what = [
    ...(migrations.length ? [`merges ${migrations.length} migration(s) into ${where}`] : []),
    ...(functions.length ? [`deploys ${functions.length} Edge Function(s) to ${where}`] : []),
  ];
  return plan(`${what.join(' and ')}, after taking a backup point`, [
    ...migrations.map(
      (m) =>
        `Migration ${m.name} (from ${m.step_title}): its up SQL shown above runs on ${where} in a transaction ` +
        'and is recorded in the migration history; its down SQL is kept for Roll back production',
    ),
    ...functions.map((slug) => `Edge Function ${slug} is deployed to ${where}`),
    ...pr,
  ]);
}

const ORDER: RiskLevel[] = ['low', 'medium', 'high'];

/**
 * The risk of everything the merge gate merges: the highest level the Branch Test rated any of its
 * migrations, with the reasons of each, or undefined when no step rated one.
 */
export function mergedRiskCheck(migrations: ShownMigration[], steps: Step[]): Check | undefined {
  const rated = migrations.flatMap((m) => {
    const risk = steps.find((s) => s.id === m.step_id)?.checks?.find((c) => c.risk !== undefined);
    return risk?.risk ? [{ name: m.name, level: risk.risk, detail: risk.detail ?? '' }] : [];
  });
  if (!rated.length) return undefined;
  const level = ORDER[Math.max(...rated.map((r) => ORDER.indexOf(r.level)))]!;
  return {
    name: `Risk: ${level}`,
    status: 'pass',
    risk: level,
    detail: rated.map((r) => (rated.length > 1 ? `${r.name} (${r.level}): ${r.detail}` : r.detail)).join(' · '),
  };
}

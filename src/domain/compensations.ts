import { z } from 'zod';
import { migrationSchema } from './handoff';

/**
 * How to undo each side effect a workflow registers before it makes it, by kind: the step actions and
 * the merge write these, the rollback job reads them back (src/engine/rollback.ts) and hands each to
 * the compensator of its kind.
 */
export const compensationSpecSchema = z.discriminatedUnion('kind', [
  /** The workflow's branch goes (a test's own actions may name the branch instead). */
  z.object({
    kind: z.literal('delete-branch'),
    data: z.looseObject({ workflowId: z.number().int().positive().optional() }),
  }),
  /** A merged migration's down SQL runs on production. */
  z.object({ kind: z.literal('revert-migration'), data: z.object({ migration: migrationSchema }) }),
  /** An Edge Function the workflow created on production is deleted. */
  z.object({ kind: z.literal('delete-function'), data: z.object({ slug: z.string().min(1) }) }),
  /** The CI branch and its pull request go. */
  z.object({ kind: z.literal('discard-ci-branch'), data: z.looseObject({ branch: z.string().optional() }) }),
  /** The merged migrations' pull request is closed, or, once merged, reverted by a pull request of its own. */
  z.object({
    kind: z.literal('revert-migration-pr'),
    data: z.object({
      pull_request: z.number().int().positive(),
      branch: z.string().min(1),
      files: z.array(z.string().min(1)),
    }),
  }),
]);
export type CompensationSpec = z.infer<typeof compensationSpecSchema>;
export type CompensationKind = CompensationSpec['kind'];
/** The data a compensation of kind `K` carries. */
export type CompensationData<K extends CompensationKind> = Extract<CompensationSpec, { kind: K }>['data'];

/** What a compensation undoes, in words for the thread (never its internal key). */
export function compensationDescription(spec: CompensationSpec): string {
  switch (spec.kind) {
    case 'delete-branch':
      return 'the test branch';
    case 'revert-migration':
      return `the migration ${spec.data.migration.name} on production`;
    case 'delete-function':
      return `the Edge Function ${spec.data.slug} on production`;
    case 'discard-ci-branch':
      return `the CI pull request and its branch${spec.data.branch ? ` ${spec.data.branch}` : ''}`;
    case 'revert-migration-pr':
      return `the migrations pull request #${spec.data.pull_request} on GitHub`;
  }
}

/**
 * Compensations that undo a record of changes kept elsewhere (the repository's copy of the merged
 * migrations), with the kinds of the changes they record. Such a record is undone after those
 * changes, and only when they were undone: a repository that says "reverted" while production still
 * has the migration would be drift.
 */
const RECORDS: Partial<Record<CompensationKind, readonly CompensationKind[]>> = {
  'revert-migration-pr': ['revert-migration'],
};

/** Rollback order: newest first (as `pending` comes), records of changes after the changes themselves. */
export function rollbackOrder<T extends { kind: string }>(pending: readonly T[]): T[] {
  const isRecord = (c: T) => c.kind in RECORDS;
  return [...pending.filter((c) => !isRecord(c)), ...pending.filter(isRecord)];
}

/** The kinds of change whose failed undo keeps a record of kind `kind` as it is; none for a change. */
export function recordedKinds(kind: string): readonly CompensationKind[] {
  return RECORDS[kind as CompensationKind] ?? [];
}

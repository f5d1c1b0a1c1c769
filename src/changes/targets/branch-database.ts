import { z } from 'zod';
import { BadRequestError } from '../../domain/errors';
import { branchName } from './branch-provider';

/** Branch databases are named `infra_wf_<workflow id>`, optionally followed by `_<namespace>`. */
export const BRANCH_DATABASE_PATTERN = /^infra_wf_(\d+)(?:_[a-z0-9]{1,12})?$/;

/**
 * The database name of a workflow's branch: `branchName` with underscores, e.g. `infra_wf_12`, plus the
 * namespace of the bot that owns it (`infra_wf_12_3fa9c1`), so two bots on one server never collide.
 */
export function branchDatabaseName(workflowId: number, namespace?: string): string {
  if (!Number.isSafeInteger(workflowId) || workflowId <= 0) {
    throw new BadRequestError(
      `Workflow id ${workflowId} is not a positive integer; branches are named after a workflow's id.`,
    );
  }
  if (namespace !== undefined && !/^[a-z0-9]{1,12}$/.test(namespace))
    throw new BadRequestError(`Branch namespace "${namespace}" must be 1–12 lowercase letters or digits.`);
  const base = branchName(workflowId).replace(/-/g, '_').toLowerCase();
  return namespace ? `${base}_${namespace}` : base;
}

/**
 * What a branch database's `COMMENT ON DATABASE` holds: whose branch it is, when it was made, and
 * whether the target's schema finished loading (`ready`).
 */
export const branchCommentSchema = z.object({
  workflowId: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  /** The database the branch was cloned from; two targets on one server never share a branch. */
  target: z.string(),
  ready: z.boolean(),
});
export type BranchComment = z.infer<typeof branchCommentSchema>;

/** A row of `pg_database` with its comment, as the branch queries select it. */
export const branchDatabaseRowSchema = z.object({
  datname: z.string(),
  comment: z.string().nullable(),
});

/** The comment of a branch database, or undefined when it is missing or not ours. */
export function parseBranchComment(comment: string | null): BranchComment | undefined {
  if (comment === null) return undefined;
  try {
    const parsed = branchCommentSchema.safeParse(JSON.parse(comment));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Selects branch databases (all, or one by name) with their comments. */
export const BRANCH_DATABASES_SQL = `
  SELECT datname, shobj_description(oid, 'pg_database') AS comment
  FROM pg_database
  WHERE datname LIKE 'infra\\_wf\\_%' AND ($1::text IS NULL OR datname = $1)
  ORDER BY datname`;

import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';

/** A branch as the fake stores it (BranchResponse fields plus the fake's own state). */
export interface FakeBranch {
  id: string;
  name: string;
  project_ref: string;
  parent_project_ref: string;
  is_default: boolean;
  status: string;
  created_at: string;
  updated_at: string;
  /** Status reads left before the branch is MIGRATIONS_PASSED and its database ACTIVE_HEALTHY. */
  readsUntilReady: number;
  /** When set, the branch ends in this status instead (e.g. MIGRATIONS_FAILED). */
  endStatus?: string;
  merges: number;
  resets: number;
}

/** Options of {@link FakeSupabaseBranches}, taken from the fake's own options. */
interface FakeBranchesOptions {
  projectRef: string;
  branchingEnabled: boolean;
  readsUntilReady: number;
  dbHost: string | undefined;
  dbPort: number;
}

/** The body of `POST /v1/projects/<ref>/branches`. */
export const createBranchBody = z.strictObject({
  branch_name: z.string().min(1),
  persistent: z.boolean().optional(),
  git_branch: z.string().optional(),
  with_data: z.boolean().optional(),
});
/** The body of a branch's merge and reset. */
export const actionBody = z.strictObject({ migration_version: z.string().optional() });

type Answer = { status: number; body?: unknown };

const BRANCHING_DISABLED = { message: 'Preview branching is not enabled for this project.' };

/**
 * The branching side of the fake: list, create, read, delete, merge and reset of the production
 * project's branches. A branch comes up over a few status reads, as a real one does.
 */
export class FakeSupabaseBranches {
  readonly branches = new Map<string, FakeBranch>();
  branchingEnabled: boolean;
  private readonly projectRef: string;
  private readonly readsUntilReady: number;
  private readonly dbHost: string | undefined;
  private readonly dbPort: number;

  constructor(
    private readonly unexpected: string[],
    options: FakeBranchesOptions,
  ) {
    this.projectRef = options.projectRef;
    this.branchingEnabled = options.branchingEnabled;
    this.readsUntilReady = options.readsUntilReady;
    this.dbHost = options.dbHost;
    this.dbPort = options.dbPort;
  }

  /** Seeds a branch of the production project (e.g. a person's own branch, or a leftover bot branch). */
  add(name: string, fields: Partial<FakeBranch> = {}): FakeBranch {
    const now = new Date().toISOString();
    const branch: FakeBranch = {
      id: randomUUID(),
      name,
      project_ref: randomRef(),
      parent_project_ref: this.projectRef,
      is_default: false,
      status: 'CREATING_PROJECT',
      created_at: now,
      updated_at: now,
      readsUntilReady: this.readsUntilReady,
      merges: 0,
      resets: 0,
      ...fields,
    };
    this.branches.set(branch.id, branch);
    return branch;
  }

  named(name: string): FakeBranch | undefined {
    return [...this.branches.values()].find((b) => b.name === name);
  }

  /** Whether `ref` is the production project or one of its branches. */
  isProject(ref: string): boolean {
    return ref === this.projectRef || [...this.branches.values()].some((b) => b.project_ref === ref);
  }

  list(ref: string): Answer {
    if (ref !== this.projectRef) return this.wrongProject(`GET branches of ${ref}`);
    if (!this.branchingEnabled) return { status: 422, body: BRANCHING_DISABLED };
    return { status: 200, body: [...this.branches.values()].map((b) => this.read(b)) };
  }

  create(ref: string, body: z.infer<typeof createBranchBody>): Answer {
    if (ref !== this.projectRef) return this.wrongProject(`POST branches of ${ref}`);
    if (!this.branchingEnabled) return { status: 422, body: BRANCHING_DISABLED };
    if (this.named(body.branch_name) !== undefined) {
      this.unexpected.push(`POST branches: ${body.branch_name} already exists (the client should have reused it)`);
      return { status: 409, body: { message: `Branch ${body.branch_name} already exists` } };
    }
    return { status: 201, body: wire(this.add(body.branch_name)) };
  }

  details(b: FakeBranch): Record<string, unknown> {
    const up = b.status === 'MIGRATIONS_PASSED' || b.status === 'FUNCTIONS_DEPLOYED';
    return {
      ref: b.project_ref,
      postgres_version: '17.4.1.054',
      postgres_engine: '17',
      release_channel: 'ga',
      status: up ? 'ACTIVE_HEALTHY' : 'COMING_UP',
      db_host: this.dbHost ?? `db.${b.project_ref}.supabase.co`,
      db_port: this.dbPort,
      db_user: 'postgres',
      db_pass: 'branch-db-pass',
      jwt_secret: 'branch-jwt-secret',
    };
  }

  withBranch(idOrRef: string, then: (b: FakeBranch) => Answer): Answer {
    const branch = [...this.branches.values()].find((b) => b.id === idOrRef || b.project_ref === idOrRef);
    return branch === undefined ? { status: 404, body: { message: 'Branch not found' } } : then(branch);
  }

  remove(branch: FakeBranch): Answer {
    if (branch.is_default) {
      this.unexpected.push('DELETE of the default (production) branch');
      return { status: 422, body: { message: 'Cannot delete the default branch.' } };
    }
    this.branches.delete(branch.id);
    return { status: 200, body: { message: 'ok' } };
  }

  action(branch: FakeBranch, counter: 'merges' | 'resets'): Answer {
    if (branch.is_default) this.unexpected.push(`${counter} of the default (production) branch`);
    branch[counter] += 1;
    return { status: 201, body: { workflow_run_id: randomUUID(), message: 'ok' } };
  }

  /** A status read: moves a coming-up branch one step towards ready. */
  private read(branch: FakeBranch): Record<string, unknown> {
    if (branch.readsUntilReady > 0) {
      branch.readsUntilReady -= 1;
      branch.status = branch.readsUntilReady > 0 ? 'RUNNING_MIGRATIONS' : (branch.endStatus ?? 'MIGRATIONS_PASSED');
    } else if (branch.status === 'CREATING_PROJECT') branch.status = branch.endStatus ?? 'MIGRATIONS_PASSED';
    return wire(branch);
  }

  private wrongProject(what: string): Answer {
    this.unexpected.push(`${what}: not a project of this fake`);
    return { status: 404, body: { message: 'Project not found' } };
  }
}

function wire(b: FakeBranch): Record<string, unknown> {
  return {
    id: b.id,
    name: b.name,
    project_ref: b.project_ref,
    parent_project_ref: b.parent_project_ref,
    is_default: b.is_default,
    persistent: false,
    status: b.status,
    created_at: b.created_at,
    updated_at: b.updated_at,
    with_data: false,
  };
}

function randomRef(): string {
  return [...randomBytes(20)].map((x) => 'abcdefghijklmnopqrstuvwxyz'[x % 26]).join('');
}

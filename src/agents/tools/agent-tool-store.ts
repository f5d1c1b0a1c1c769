import type { Artifact, Migration } from '../../domain/handoff';

/** A file an earlier step proposed, or one the bot wrote for the workflow (plan, validation record). */
export interface WorkflowArtifact extends Artifact {
  /** Who made it: an agent's name, or `engine`. */
  source: string;
}

/** What the workflow tools read from the bot's own database; implemented over Postgres in `store/`. */
export interface AgentToolStore {
  /** Artifacts of the workflow's finished steps and the files the bot stored for it, oldest first. */
  artifacts(workflowId: number): Promise<WorkflowArtifact[]>;
  /** Migrations proposed by the workflow's finished steps, in step order. */
  migrations(workflowId: number): Promise<Array<{ agent: string; migration: Migration }>>;
  /**
   * Called before create_branch makes the workflow's branch: registers its deletion as a compensation,
   * so a rollback removes a branch an agent made as it removes one the engine made.
   */
  branchCreating(workflowId: number, stepId: number): Promise<void>;
  /** The workflow's newest `limit` events, oldest first. */
  events(
    workflowId: number,
    limit: number,
  ): Promise<Array<{ type: string; at: string; actor: string | null; data: unknown }>>;
}

import type { z } from 'zod';

/** Where a tool runs: the workflow and step of the agent that called it; the branch is the workflow's. */
export interface ToolContext {
  workflowId: number;
  stepId: number;
}

/** What the model gets back; `isError` marks a result the model should correct its call for. */
export interface ToolOutput {
  text: string;
  isError?: boolean;
}

/**
 * A tool an agent may call: a zod input schema plus an execute function whose dependencies were
 * injected when the registry was built. `readOnly` tools change nothing anywhere; the others change
 * only the workflow's branch. No tool reaches production.
 */
export interface AgentTool<I = unknown> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  readOnly: boolean;
  execute(input: I, ctx: ToolContext): Promise<ToolOutput>;
}

/** Keeps a tool's input type while storing it among tools of other input types. */
export function defineTool<I>(tool: AgentTool<I>): AgentTool {
  return tool as unknown as AgentTool;
}

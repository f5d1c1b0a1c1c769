import type { AgentTool } from './agent-tool';
import { type BranchToolDeps, branchTools } from './branch-tools';
import { EXECUTED_TOOLS, type ExecutedTool } from './tool-names';
import { workflowTools } from './workflow-tools';

/** The executed tools by name. */
export type ToolRegistry = ReadonlyMap<ExecutedTool, AgentTool>;

/**
 * Builds every executed tool with its dependencies. The set of names is fixed (`EXECUTED_TOOLS`), so
 * agent files can be checked at start-up before any dependency exists.
 */
export function createToolRegistry(deps: BranchToolDeps): ToolRegistry {
  const tools = [...branchTools(deps), ...workflowTools(deps)];
  const registry = new Map<ExecutedTool, AgentTool>();
  for (const tool of tools) registry.set(tool.name as ExecutedTool, tool);
  const missing = EXECUTED_TOOLS.filter((name) => !registry.has(name));
  if (missing.length > 0 || registry.size !== EXECUTED_TOOLS.length)
    throw new Error(`the tool registry does not match EXECUTED_TOOLS (missing: ${missing.join(', ')})`);
  return registry;
}

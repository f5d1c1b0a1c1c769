/** Tools the runner answers itself: the end of a turn (`submit_handoff`) and a question (`ask_user`). */
export const CONTROL_TOOLS = ['submit_handoff', 'ask_user'] as const;

/** Tools the registry executes (see `createAgentTools`). */
export const EXECUTED_TOOLS = [
  'list_tables',
  'list_migrations',
  'create_branch',
  'list_branches',
  'execute_sql',
  'get_logs',
  'read_artifact',
] as const;

/** Every tool an agent's front matter may list. */
export const KNOWN_TOOLS = [...EXECUTED_TOOLS, ...CONTROL_TOOLS] as const;
export type KnownTool = (typeof KNOWN_TOOLS)[number];
export type ExecutedTool = (typeof EXECUTED_TOOLS)[number];

export function isKnownTool(name: string): name is KnownTool {
  return (KNOWN_TOOLS as readonly string[]).includes(name);
}

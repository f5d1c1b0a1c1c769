import { z } from 'zod';
import type { EdgeFunctionHost } from '../../changes/targets/change-target';
import type { AgentToolStore } from './agent-tool-store';
import { type AgentTool, defineTool } from './agent-tool';
import { fenceUntrusted } from './untrusted-data';

const readArtifactInput = z.object({
  path: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .optional()
    .describe('The path of the artifact; leave it out to list every artifact of the workflow.'),
});
const getLogsInput = z.object({
  limit: z.number().int().min(1).max(200).default(50).describe('How many of the newest entries; default 50.'),
  source: z
    .enum(['workflow', 'edge_functions'])
    .default('workflow')
    .describe(
      "'workflow' (default): the bot's log of this workflow. 'edge_functions': the Edge Function logs of the " +
        "workflow's Supabase branch, newest first.",
    ),
});

/** How far back the branch's function logs are read. */
const FUNCTION_LOG_WINDOW_MS = 60 * 60_000;

/** Tools over the workflow's own records in the bot's database. */
export function workflowTools(deps: { store: AgentToolStore; functions?: EdgeFunctionHost }): AgentTool[] {
  return [
    defineTool({
      name: 'read_artifact',
      description:
        'Reads an artifact of an earlier step of this workflow (interfaces, migrations, CI files) or a file the ' +
        'bot wrote for it (the plan, a validation record). Without a path it lists them.',
      input: readArtifactInput,
      readOnly: true,
      execute: async (input, ctx) => {
        const artifacts = await deps.store.artifacts(ctx.workflowId);
        if (input.path === undefined) {
          return {
            text: JSON.stringify(
              artifacts.map((a) => ({ path: a.path, kind: a.kind, source: a.source, characters: a.content.length })),
            ),
          };
        }
        const found = [...artifacts].reverse().find((a) => a.path === input.path);
        if (!found) {
          return {
            text: `There is no artifact ${input.path}. The workflow has: ${artifacts.map((a) => a.path).join(', ') || 'none yet'}.`,
            isError: true,
          };
        }
        return {
          text: fenceUntrusted(`the artifact ${found.path} (${found.kind}, from ${found.source})`, found.content),
        };
      },
    }),
    defineTool({
      name: 'get_logs',
      description:
        "Reads this workflow's log as the bot recorded it: steps started and finished, branch tests, applied or " +
        'failed SQL with its error, gate decisions. ' +
        "With source 'edge_functions', reads the last hour of Edge Function logs of the workflow's Supabase " +
        'branch instead. Use it to see why something failed.',
      input: getLogsInput,
      readOnly: true,
      execute: async (input, ctx) => {
        if (input.source === 'workflow')
          return {
            text: fenceUntrusted(
              "the workflow's log, oldest entry first",
              await deps.store.events(ctx.workflowId, input.limit),
            ),
          };
        if (!deps.functions)
          return {
            text: "Edge Function logs exist only on a Supabase target, and this bot has none. Use source 'workflow'.",
            isError: true,
          };
        let lines: string[];
        try {
          lines = await deps.functions.branchLogs(ctx.workflowId, new Date(Date.now() - FUNCTION_LOG_WINDOW_MS));
        } catch (error) {
          return {
            text: `The branch's Edge Function logs could not be read: ${(error as Error).message}`,
            isError: true,
          };
        }
        return {
          text: fenceUntrusted(
            "the branch's Edge Function logs, newest first",
            lines.slice(0, input.limit).join('\n') || '(no log lines in the last hour)',
          ),
        };
      },
    }),
  ];
}

import { z } from 'zod';
import type { AgentToolStore } from './agent-tool-store';
import { AgentTool, defineTool } from './agent-tool';
import { fenceUntrusted } from './untrusted-data';

const readArtifactInput = z.object({
  path: z.string().trim().min(1).max(300).optional().describe('The path of the artifact; leave it out to list every artifact of the workflow.'),
});
const getLogsInput = z.object({
  limit: z.number().int().min(1).max(200).default(50).describe('How many of the newest entries; default 50.'),
});

/** Tools over the workflow's own records in the bot's database. */
export function workflowTools(deps: { store: AgentToolStore }): AgentTool[] {
  return [
    defineTool({
      name: 'read_artifact',
      description: "Reads an artifact of an earlier step of this workflow (interfaces, migrations, CI files) or a file the bot wrote for it (the plan, a validation record). Without a path it lists them.",
      input: readArtifactInput,
      readOnly: true,
      execute: async (input, ctx) => {
        const artifacts = await deps.store.artifacts(ctx.workflowId);
        if (input.path === undefined) {
          return { text: JSON.stringify(artifacts.map((a) => ({ path: a.path, kind: a.kind, source: a.source, characters: a.content.length }))) };
        }
        const found = [...artifacts].reverse().find((a) => a.path === input.path);
        if (!found) {
          return { text: `There is no artifact ${input.path}. The workflow has: ${artifacts.map((a) => a.path).join(', ') || 'none yet'}.`, isError: true };
        }
        return { text: fenceUntrusted(`the artifact ${found.path} (${found.kind}, from ${found.source})`, found.content) };
      },
    }),
    defineTool({
      name: 'get_logs',
      description:
        "Reads this workflow's log as the bot recorded it: steps started and finished, branch tests, applied or failed SQL with its error, gate decisions. Use it to see why something failed.",
      input: getLogsInput,
      readOnly: true,
      execute: async (input, ctx) => ({ text: fenceUntrusted("the workflow's log, oldest entry first", await deps.store.events(ctx.workflowId, input.limit)) }),
    }),
  ];
}

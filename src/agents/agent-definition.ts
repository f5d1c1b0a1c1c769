import { z } from 'zod';
import { KNOWN_TOOLS, isKnownTool } from './agent-tools';

/** Claude Code's model aliases; each means "the bot's configured model" here. */
export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'inherit'] as const;

/** The front matter of `agents/<name>.md`, in the format Claude Code uses for subagents. */
export const agentFrontMatterSchema = z.object({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use kebab-case, e.g. data-migration-specialist'),
  description: z.string().trim().min(1, 'say in one sentence what the agent does and when to use it'),
  model: z
    .string()
    .refine((m) => (MODEL_ALIASES as readonly string[]).includes(m) || /^claude-[a-z0-9.-]+$/.test(m), {
      error: `use ${MODEL_ALIASES.join(', ')} or a full model id such as claude-sonnet-4-6`,
    })
    .default('inherit'),
  tools: z
    .array(z.string(), { error: 'list the tools as a YAML list, e.g. [submit_handoff, ask_user]' })
    .superRefine((tools, ctx) => {
      for (const tool of tools) {
        if (!isKnownTool(tool))
          ctx.addIssue({ code: 'custom', message: `unknown tool "${tool}"; known tools: ${KNOWN_TOOLS.join(', ')}` });
      }
      const repeated = tools.filter((tool, i) => tools.indexOf(tool) !== i);
      if (repeated.length > 0) ctx.addIssue({ code: 'custom', message: `lists ${repeated.join(', ')} more than once` });
    }),
});

/** One agent: its front matter plus the Markdown body, which is its system prompt. */
export const agentDefinitionSchema = agentFrontMatterSchema.extend({
  prompt: z.string().trim().min(1, 'write the system prompt below the front matter'),
  /** The file it was read from, for messages that tell a person what to fix. */
  file: z.string(),
});
export type AgentDefinition = z.infer<typeof agentDefinitionSchema>;

/** The model id to call for an agent: an alias means `defaultModel` (ANTHROPIC_MODEL). */
export function resolveModel(definition: Pick<AgentDefinition, 'model'>, defaultModel: string): string {
  return (MODEL_ALIASES as readonly string[]).includes(definition.model) ? defaultModel : definition.model;
}

import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { handoffSchema } from '../domain/handoff';
import type { ToolRegistry } from './tools/tool-registry';
import type { CONTROL_TOOLS, KnownTool } from './tools/tool-names';

export { KNOWN_TOOLS, isKnownTool, type KnownTool } from './tools/tool-names';

/** The input of `ask_user`: one question for the Slack thread. */
export const askUserInputSchema = z.object({
  question: z.string().trim().min(1, 'write the question').max(3000, 'keep the question under 3,000 characters'),
});

type ToolDefinition = Omit<Anthropic.Tool, 'cache_control'>;

const CONTROL_DEFINITIONS: Record<(typeof CONTROL_TOOLS)[number], ToolDefinition> = {
  submit_handoff: {
    name: 'submit_handoff',
    description:
      'Finish your step: hand your work to the next agent and to the people in the Slack thread. Call it exactly ' +
      'once, when your work is complete. `summary` is one or two sentences for the thread; `context` says what ' +
      'you did, why, and your assumptions; `artifacts` are the files you propose, each with its full content; ' +
      '`next_steps` are concrete actions for the next agent; `constraints` are rules they must keep. ' +
      'Add the typed outputs your step lists, and no others; in a `migration` ({ name, up_sql, down_sql }), ' +
      'down_sql must undo up_sql exactly. A validation error comes back as the tool result: fix what it names and call again.',
    input_schema: jsonSchemaOf(handoffSchema),
  },
  ask_user: {
    name: 'ask_user',
    description:
      'Ask the person who made the request one question in the Slack thread; your step pauses until they ' +
      'reply, and the reply comes back as this tool result. Use it only when the request is genuinely ' +
      'ambiguous and a wrong guess would be costly; otherwise choose a sensible default and say so in the handoff.',
    input_schema: jsonSchemaOf(askUserInputSchema),
  },
};

/**
 * The Messages API definitions of the given tools, in order. The last one carries a cache breakpoint,
 * so the tool definitions are cached on their own and read back by every later call that offers the
 * same tools. `handoff` is the step's handoff schema (`handoffSchemaFor`), offered as submit_handoff's
 * input schema; without it, the schema of any stored handoff.
 */
export function toolDefinitions(
  names: readonly KnownTool[],
  registry: ToolRegistry,
  handoff?: z.ZodType,
): Anthropic.Tool[] {
  return names.map((name, i) => {
    const definition =
      name === 'submit_handoff' && handoff
        ? { ...CONTROL_DEFINITIONS.submit_handoff, input_schema: jsonSchemaOf(handoff) }
        : definitionOf(name, registry);
    return i === names.length - 1 ? { ...definition, cache_control: { type: 'ephemeral' } } : definition;
  });
}

function definitionOf(name: KnownTool, registry: ToolRegistry): ToolDefinition {
  if (name === 'submit_handoff' || name === 'ask_user') return { ...CONTROL_DEFINITIONS[name] };
  const tool = registry.get(name);
  if (tool === undefined) throw new Error(`the tool registry has no ${name}`);
  return { name: tool.name, description: tool.description, input_schema: jsonSchemaOf(tool.input) };
}

/** A zod schema as a tool's input_schema: the input side (defaults optional), without `$schema`. */
export function jsonSchemaOf(schema: z.ZodType): Anthropic.Tool.InputSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  if (json.type !== 'object') throw new Error('a tool input schema must describe an object');
  return { ...json, type: 'object' };
}

import { PREFERENCES_HANDOFFS as HANDOFFS } from '../../dev/demo/preferences-handoffs';
import type { FakeAnthropic, FakeAnthropicTurn } from './fake-anthropic';

/** The handoffs a competent model would submit for "Add a new table for user preferences" (shared with the demo). */
export { HANDOFFS };

export type ScriptedAgent = keyof typeof HANDOFFS;

/** A turn that submits the agent's handoff. */
export function submit(agent: ScriptedAgent, overrides: Record<string, unknown> = {}): FakeAnthropicTurn {
  return { toolUse: { name: 'submit_handoff', input: { ...HANDOFFS[agent], ...overrides } } };
}

/** Scripts every agent of the schema-change workflow to hand off at once. */
export function scriptSchemaChange(claude: FakeAnthropic, skip: ScriptedAgent[] = []): void {
  for (const agent of Object.keys(HANDOFFS) as ScriptedAgent[]) {
    if (!skip.includes(agent)) claude.script(agent, [submit(agent)]);
  }
}

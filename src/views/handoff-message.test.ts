import type { Handoff } from '../domain/handoff';
import { handoffMessage } from './handoff-message';
import { usageText, usd } from './format';

const handoff: Handoff = {
  summary: 'UserPreferences contract',
  context: 'One row per user <owner only>',
  artifacts: [{ path: 'src/types/preferences.ts', kind: 'typescript', content: 'export interface UserPreferences {}' }],
  next_steps: ['Create the table', 'Enable RLS'],
  constraints: ['user_id references auth.users'],
  migration: { name: 'create_user_preferences', up_sql: 'create table t ();', down_sql: 'drop table t;' },
};

describe('the handoff message', () => {
  it("shows the orchestrator's handoff: source → target, context, artifacts, next steps and constraints, escaped", () => {
    const message = handoffMessage('api-designer', 'data-migration-specialist', handoff);
    expect(message.text).toBe('Handoff: api-designer → data-migration-specialist');
    const text = JSON.stringify(message.blocks);
    for (const part of [
      '*Handoff: api-designer → data-migration-specialist*',
      '*Context*: One row per user &lt;owner only&gt;',
      '• `src/types/preferences.ts`',
      '• `migration create_user_preferences`',
      '1. Create the table',
      '2. Enable RLS',
      '• user_id references auth.users',
    ]) {
      expect(text).toContain(part);
    }
  });
});

describe('usage in the thread', () => {
  it('counts every token, says how many came from the cache and estimates the cost', () => {
    const usage = {
      input_tokens: 100,
      output_tokens: 900,
      cache_read_input_tokens: 9000,
      cache_creation_input_tokens: 2000,
      cost_usd: 0.0312,
    };
    expect(usageText(usage)).toBe('12,000 tokens (9,000 from cache) · ~$0.03');
    expect(usageText({ ...usage, cache_read_input_tokens: 0, cost_usd: 0.004 })).toBe('3,000 tokens · ~<$0.01');
    expect(usd(0)).toBe('$0.00');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModel } from '../../src/agents/agent-definition';
import { loadAgents } from '../../src/agents/agents-loader';
import { DefinitionInvalidError } from '../../src/domain/errors';

const REPO_AGENTS = join(__dirname, '..', '..', 'agents');

function agentFile(name: string, tools: string[], extra = ''): string {
  return (
    `---\nname: ${name}\ndescription: Does ${name} things.\nmodel: ` +
    `sonnet\ntools:\n${tools.map((t) => `  - ${t}`).join('\n')}\n${extra}---\n\nYou are ${name}.\n`
  );
}

describe('loadAgents', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agents-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads the repo's four agents and the router, each with its prompt and allowed tools", () => {
    const agents = loadAgents(REPO_AGENTS);

    expect([...agents.keys()].sort()).toEqual([
      'api-designer',
      'backend-engineer',
      'data-migration-specialist',
      'devops-engineer',
      'router',
    ]);
    for (const name of ['api-designer', 'backend-engineer', 'data-migration-specialist', 'devops-engineer']) {
      const agent = agents.get(name);
      expect(agent).toMatchObject({
        name,
        file: `${name}.md`,
        tools: expect.arrayContaining(['read_artifact', 'ask_user', 'submit_handoff']),
      });
      expect(agent?.prompt).toMatch(/submit_handoff/);
      expect(agent?.prompt).not.toMatch(/^---/);
    }
    expect(agents.get('data-migration-specialist')?.prompt).toMatch(/down_sql/);
    expect(agents.get('data-migration-specialist')?.tools).toEqual(
      expect.arrayContaining(['create_branch', 'list_tables', 'execute_sql', 'list_migrations']),
    );
    expect(agents.get('api-designer')?.tools).not.toContain('execute_sql');
    expect(agents.get('router')).toMatchObject({ tools: [], prompt: expect.stringMatching(/choose_workflow/) });
  });

  it('maps a model alias to the configured model and keeps a full model id', () => {
    writeFileSync(join(dir, 'a.md'), agentFile('alias-agent', ['submit_handoff']));
    writeFileSync(
      join(dir, 'b.md'),
      agentFile('pinned-agent', ['submit_handoff']).replace('model: sonnet', 'model: claude-opus-4-8'),
    );
    writeFileSync(join(dir, 'c.md'), agentFile('default-agent', ['submit_handoff']).replace('model: sonnet\n', ''));
    writeFileSync(join(dir, 'README.md'), '# Agents\nNot an agent.\n');

    const agents = loadAgents(dir);

    expect(agents.size).toBe(3);
    expect(resolveModel(agents.get('alias-agent')!, 'claude-sonnet-4-6')).toBe('claude-sonnet-4-6');
    expect(resolveModel(agents.get('pinned-agent')!, 'claude-sonnet-4-6')).toBe('claude-opus-4-8');
    expect(agents.get('default-agent')?.model).toBe('inherit');
  });

  it('refuses an unknown tool, naming the file and the known tools', () => {
    writeFileSync(join(dir, 'shell.md'), agentFile('shell-agent', ['submit_handoff', 'Bash']));

    expect(() => loadAgents(dir)).toThrow(DefinitionInvalidError);
    expect(() => loadAgents(dir)).toThrow(
      new RegExp(
        '^shell\\.md is invalid: tools: unknown tool "Bash"; known tools: list_tables, list_migrations, create_branch, ' +
          'list_branches, execute_sql, get_logs, read_artifact, submit_handoff, ask_user\\. Fix the file',
      ),
    );
  });

  it('refuses a second agent with the same name, naming both files', () => {
    writeFileSync(join(dir, 'first.md'), agentFile('twin', ['submit_handoff']));
    writeFileSync(join(dir, 'second.md'), agentFile('twin', ['submit_handoff', 'ask_user']));

    expect(() => loadAgents(dir)).toThrow(/^second\.md is invalid: the name "twin" is already used by first\.md/);
  });

  it('refuses a file without front matter, a name that is not kebab-case and an empty prompt', () => {
    writeFileSync(join(dir, 'plain.md'), 'You are an agent without front matter.\n');
    expect(() => loadAgents(dir)).toThrow(/^plain\.md is invalid: it must start with YAML front matter/);
    rmSync(join(dir, 'plain.md'));

    writeFileSync(join(dir, 'camel.md'), agentFile('BackendEngineer', ['submit_handoff']));
    expect(() => loadAgents(dir)).toThrow(/^camel\.md is invalid: name: use kebab-case/);
    rmSync(join(dir, 'camel.md'));

    writeFileSync(
      join(dir, 'empty.md'),
      agentFile('empty-agent', ['submit_handoff']).replace('You are empty-agent.', '  '),
    );
    expect(() => loadAgents(dir)).toThrow(/^empty\.md is invalid: prompt: write the system prompt/);
  });

  it('refuses a model that is neither an alias nor a claude- model id', () => {
    writeFileSync(
      join(dir, 'gpt.md'),
      agentFile('other-agent', ['submit_handoff']).replace('model: sonnet', 'model: gpt-4o'),
    );

    expect(() => loadAgents(dir)).toThrow(
      /^gpt\.md is invalid: model: use sonnet, opus, haiku, inherit or a full model id/,
    );
  });
});

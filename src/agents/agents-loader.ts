import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DefinitionInvalidError } from '../domain/errors';
import { type AgentDefinition, agentDefinitionSchema } from './agent-definition';
import { issuesText } from './issues-text';

/** `---` front matter, then the body; tolerates a byte-order mark and CRLF line ends. */
const FRONT_MATTER = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/;

/**
 * Reads `agents/*.md` (README.md excepted) into definitions by name. Refuses, naming the file, a file
 * without front matter, invalid YAML, a field that fails validation, an unknown tool or a name that
 * another file already uses.
 */
export function loadAgents(dir: string): Map<string, AgentDefinition> {
  const agents = new Map<string, AgentDefinition>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md')
    .sort();
  for (const file of files) {
    const definition = parseAgentFile(file, readFileSync(join(dir, file), 'utf8'));
    const existing = agents.get(definition.name);
    if (existing !== undefined) {
      throw new DefinitionInvalidError(
        file,
        `the name "${definition.name}" is already used by ${existing.file}; give each agent its own name`,
      );
    }
    agents.set(definition.name, definition);
  }
  return agents;
}

/** Parses one agent file; `file` names it in errors. */
export function parseAgentFile(file: string, text: string): AgentDefinition {
  const match = FRONT_MATTER.exec(text);
  if (match === null) {
    throw new DefinitionInvalidError(
      file,
      'it must start with YAML front matter between two `---` lines (name, description, model, tools)',
    );
  }
  let frontMatter: unknown;
  try {
    frontMatter = parse(match[1] ?? '');
  } catch (error) {
    throw new DefinitionInvalidError(file, `the front matter is not valid YAML (${(error as Error).message})`);
  }
  if (typeof frontMatter !== 'object' || frontMatter === null || Array.isArray(frontMatter)) {
    throw new DefinitionInvalidError(
      file,
      'the front matter must be a YAML mapping of name, description, model and tools',
    );
  }
  const parsed = agentDefinitionSchema.safeParse({ ...frontMatter, prompt: match[2] ?? '', file });
  if (!parsed.success) {
    throw new DefinitionInvalidError(file, issuesText(parsed.error));
  }
  return parsed.data;
}

import { DefinitionInvalidError } from '../../domain/errors';
import type { WorkflowDefinition } from '../../domain/plan';

/** The names a workflow file may use, given by the composition root (nothing here imports the adapters). */
export interface KnownNames {
  /** The agents of `agents/*.md`, by name: for `lead`, `agent` and `failure_analysis`. */
  agents: readonly string[];
  /** The registered step actions, by name: for `actions`. */
  actions: readonly string[];
}

/** The part of a zod issue the messages use. */
interface ValidationIssue {
  code: string;
  path: PropertyKey[];
  message: string;
  values?: readonly unknown[];
}

/** What a closed list of values is called in a message, by the field that holds it. */
const VALUE_KINDS: Record<string, string> = {
  gate: 'a gate kind',
  outputs: 'a role output',
  optional_outputs: 'a role output',
  category: 'a category',
  on_failure: 'a failure policy',
};

/** A field path as a person reads it: `steps[1].actions[0]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  const text = path.reduce<string>(
    (head, part) => (typeof part === 'number' ? `${head}[${part}]` : head ? `${head}.${String(part)}` : String(part)),
    '',
  );
  return text || '(root)';
}

/**
 * The validation issues of a definition, each led by its field path; a value outside a closed list
 * (a gate kind, a role output…) is quoted with the values that are known.
 */
export function describeIssues(raw: unknown, error: { issues: ReadonlyArray<ValidationIssue> }): string {
  return error.issues
    .map((issue) => {
      const field = [...issue.path].reverse().find((p) => typeof p === 'string') as string | undefined;
      const kind = field === undefined ? undefined : VALUE_KINDS[field];
      const closed = issue.code === 'invalid_value' && issue.values !== undefined && kind !== undefined;
      const message = closed ? notKnown(valueAt(raw, issue.path), kind, issue.values!.map(String)) : issue.message;
      return `${fieldPath(issue.path)}: ${message}`;
    })
    .join('; ');
}

/**
 * Refuses, naming the file and the field, a `lead`, `agent` or `failure_analysis` that is not an agent
 * and an `actions` entry that is not a registered action: found at start-up, not when a workflow reaches it.
 */
export function checkDefinitionNames(file: string, def: WorkflowDefinition, known: KnownNames): void {
  const agent = (path: PropertyKey[], name: string | undefined) => {
    if (name === undefined || known.agents.includes(name)) return;
    throw new DefinitionInvalidError(
      file,
      `${fieldPath(path)}: ${notKnown(name, 'an agent this bot has', known.agents)}`,
    );
  };
  agent(['lead'], def.lead);
  def.steps.forEach((step, i) => {
    agent(['steps', i, 'agent'], step.agent);
    agent(['steps', i, 'failure_analysis'], step.failure_analysis);
    step.actions.forEach((action, j) => {
      if (known.actions.includes(action)) return;
      throw new DefinitionInvalidError(
        file,
        `${fieldPath(['steps', i, 'actions', j])}: ${notKnown(action, 'an action this bot has', known.actions)}`,
      );
    });
  });
}

function notKnown(value: unknown, kind: string, known: readonly string[]): string {
  return `${JSON.stringify(value)} is not ${kind} (known: ${[...known].sort().join(', ')})`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (node, part) =>
      node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[part] : undefined,
    raw,
  );
}

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { DefinitionInvalidError } from '../../domain/errors';
import {
  type Category,
  MIGRATION_TEST_ACTIONS,
  type MixedDefinition,
  type WorkflowDefinition,
  mayCarryMigration,
  mixedDefinitionSchema,
  workflowDefinitionSchema,
} from '../../domain/plan';
import { checkDefinitionNames, describeIssues, type KnownNames } from './definition-names';

export interface WorkflowLibrary {
  byCategory: Map<Category, WorkflowDefinition>;
  mixed: MixedDefinition;
}

/**
 * Reads `workflows/*.yml`. Refuses, naming the file and the field, a bad file, an agent or an action
 * the bot does not have (when `known` is given: the composition root always gives it), two workflows
 * for one category, a step order that leaves a step out, more than one merge gate, a CI push without a
 * CI Review gate, or a step that may hand off a migration without testing it on the branch.
 */
export function loadWorkflowLibrary(dir: string, known?: KnownNames): WorkflowLibrary {
  const byCategory = new Map<Category, WorkflowDefinition>();
  const label = (file: string) => `${basename(dir)}/${file}`;
  let mixed: MixedDefinition | undefined;
  for (const name of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const file = label(name);
    let raw: unknown;
    try {
      raw = parse(readFileSync(join(dir, name), 'utf8'));
    } catch (error) {
      throw new DefinitionInvalidError(file, `not valid YAML (${(error as Error).message})`);
    }
    if ((raw as { name?: unknown } | null)?.name === 'mixed') {
      const parsed = mixedDefinitionSchema.safeParse(raw);
      if (!parsed.success) throw new DefinitionInvalidError(file, describeIssues(raw, parsed.error));
      mixed = parsed.data;
      continue;
    }
    const parsed = workflowDefinitionSchema.safeParse(raw);
    if (!parsed.success) throw new DefinitionInvalidError(file, describeIssues(raw, parsed.error));
    const def = parsed.data;
    if (known) checkDefinitionNames(file, def, known);
    if (byCategory.has(def.category))
      throw new DefinitionInvalidError(file, `a second workflow for category ${def.category}`);
    const keys = def.steps.map((s) => s.key);
    if (new Set(keys).size !== keys.length) throw new DefinitionInvalidError(file, 'two steps share a key');
    if (def.steps.filter((s) => s.gate === 'smoke_test').length > 1)
      throw new DefinitionInvalidError(file, 'more than one merge gate');
    checkCiSteps(file, def);
    for (const step of def.steps) {
      const declared = step.outputs.includes('migration') || step.optional_outputs.includes('migration');
      if (declared && !mayCarryMigration(step)) {
        throw new DefinitionInvalidError(
          file,
          `step ${step.key} may hand off a migration but none of its actions ` +
            `(${MIGRATION_TEST_ACTIONS.join(' or ')}) tests it on the branch, so it would reach production ` +
            `untested: add one to its actions or remove migration from its outputs`,
        );
      }
    }
    byCategory.set(def.category, def);
  }
  if (!mixed) throw new DefinitionInvalidError(label('mixed.yml'), 'missing: it says how mixed requests are composed');
  for (const def of byCategory.values()) {
    const unknown = def.steps.map((s) => s.key).filter((k) => !mixed!.order.includes(k));
    if (unknown.length)
      throw new DefinitionInvalidError(
        label('mixed.yml'),
        `order does not list step ${unknown.join(', ')} of ${def.name}`,
      );
  }
  return { byCategory, mixed };
}

/**
 * CI files reach GitHub only after a gate that shows them: the CI Review gate's step has an agent and
 * runs the ci-review action (which draws the gate), and a ci-run step comes after such a gate.
 */
function checkCiSteps(file: string, def: WorkflowDefinition): void {
  def.steps.forEach((step, i) => {
    if (step.gate === 'ci_review' && (!step.agent || !step.actions.includes('ci-review')))
      throw new DefinitionInvalidError(
        file,
        `step ${step.key} has the ci_review gate, so it needs an agent and the ci-review action that shows the agent's files at it`,
      );
    if (step.actions.includes('ci-run') && !def.steps.slice(0, i).some((s) => s.gate === 'ci_review'))
      throw new DefinitionInvalidError(
        file,
        `step ${step.key} runs ci-run without an earlier step with the ci_review gate, so nothing would be shown before the push`,
      );
  });
}

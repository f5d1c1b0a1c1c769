import type { Category, Plan, StepDefinition } from '../../domain/plan';
import type { WorkflowLibrary } from './definitions-loader';

/**
 * Builds the plan for the chosen categories. One category: its workflow as written. Several: the
 * primary's workflow, plus the steps the others add, merged by key (tasks joined) and put in the
 * order mixed.yml gives — the orchestrator's "determine primary, coordinate sequence".
 */
export function composePlan(library: WorkflowLibrary, categories: Category[]): Plan {
  const [primary, ...others] = categories;
  if (!primary) throw new Error('composePlan needs at least one category');
  const lead = library.byCategory.get(primary);
  if (!lead) throw new Error(`no workflow is defined for category ${primary}`);
  if (others.length === 0) {
    return { name: lead.name, title: lead.title, categories: [primary], lead: lead.lead, steps: lead.steps };
  }
  const merged = new Map<string, StepDefinition>();
  for (const category of categories) {
    const def = library.byCategory.get(category);
    if (!def) throw new Error(`no workflow is defined for category ${category}`);
    for (const step of def.steps) {
      const existing = merged.get(step.key);
      merged.set(step.key, existing ? mergeSteps(existing, step) : { ...step });
    }
  }
  const order = library.mixed.order;
  const steps = [...merged.values()].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  const merges = steps.filter((s) => s.gate === 'smoke_test');
  // One merge gate, on the last step that has one; earlier ones become ordinary steps.
  for (const step of merges.slice(0, -1)) step.gate = undefined;
  const titles = categories.map((c) => library.byCategory.get(c)!.title);
  return {
    name: 'mixed',
    title: `${library.mixed.title}: ${titles.join(' + ')}`,
    categories,
    lead: lead.lead,
    steps: steps.map((s) => ({ ...s })),
  };
}

function mergeSteps(a: StepDefinition, b: StepDefinition): StepDefinition {
  return {
    ...a,
    tasks: [...new Set([...a.tasks, ...b.tasks])],
    gate: a.gate ?? b.gate,
    actions: [...new Set([...a.actions, ...b.actions])],
    outputs: [...new Set([...a.outputs, ...b.outputs])],
    optional_outputs: [...new Set([...a.optional_outputs, ...b.optional_outputs])],
    on_failure: a.on_failure === 'retry_once' || b.on_failure === 'retry_once' ? 'retry_once' : 'stop',
  };
}

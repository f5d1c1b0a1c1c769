import type { Usage } from '../../domain/handoff';
import type { RouterModel } from '../ports/router-model';
import { InfraError, ErrorCode } from '../../domain/errors';
import type { Category } from '../../domain/plan';
import { classifyRequest } from './decision-tree';

export interface RouteDecision {
  categories: Category[];
  reason: string;
  source: 'rules' | 'model';
  /** The router's model call, when Claude decided. */
  call?: { model: string; usage: Usage };
}

/** The orchestrator's decision tree: deterministic rules first; Claude decides only where they are unsure. */
export async function route(request: string, model: RouterModel | undefined): Promise<RouteDecision> {
  const rules = classifyRequest(request);
  if (rules.sure) return { categories: rules.categories, reason: rules.reason, source: 'rules' };
  if (!model) {
    throw new InfraError(
      ErrorCode.AgentUnavailable,
      `I could not tell which workflow fits (${rules.reason}) and no model is configured to classifyRequest. ` +
        'Rephrase the request naming what changes: a table or column, an RLS policy or query, an Edge ' +
        'Function, an API endpoint, or a CI/CD pipeline.',
    );
  }
  const chosen = await model.classify(request);
  return {
    categories: chosen.categories,
    reason: `Claude chose it because ${chosen.reason} (${rules.reason})`,
    source: 'model',
    ...(chosen.call ? { call: chosen.call } : {}),
  };
}

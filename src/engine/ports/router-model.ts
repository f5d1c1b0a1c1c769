import type { Category } from '../../domain/plan';
import type { Usage } from '../../domain/handoff';

/** The model's side of routing, asked only when the deterministic rules are unsure. */
export interface RouterModel {
  /** `call`: the model and usage of the call, recorded with the workflow's other model calls. */
  classify(
    request: string,
  ): Promise<{ categories: Category[]; reason: string; call?: { model: string; usage: Usage } }>;
}

import { Category } from '../workflow/definition';

/** The model's side of routing, asked only when the deterministic rules are unsure. */
export interface RouterModel {
  classify(request: string): Promise<{ categories: Category[]; reason: string }>;
}

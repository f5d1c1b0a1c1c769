import type { Category } from '../../domain/plan';

/** What the rules concluded: a confident choice, or "unsure" with what they saw. */
export type RuleDecision =
  | { sure: true; categories: Category[]; reason: string }
  | { sure: false; scores: Partial<Record<Category, number>>; reason: string };

interface Rule {
  category: Category;
  pattern: RegExp;
  weight: number;
  label: string;
}

/** The orchestrator's decision tree as keyword rules; weights say how strongly a phrase points at a branch. */
const RULES: Rule[] = [
  {
    category: 'schema',
    pattern: /\b(new|add|create|drop|rename|alter)\b[^.]{0,40}\b(table|column|index|enum|schema|field)s?\b/i,
    weight: 3,
    label: 'changes a table or column',
  },
  {
    category: 'schema',
    pattern: /\bmigrations?\b|\bschema change\b|\bforeign key\b|\bconstraint\b/i,
    weight: 3,
    label: 'mentions a migration or constraint',
  },
  { category: 'schema', pattern: /\btables?\b|\bcolumns?\b/i, weight: 1, label: 'mentions tables' },
  {
    category: 'query_rls',
    pattern: /\b(rls|row[- ]level security|polic(y|ies))\b/i,
    weight: 3,
    label: 'mentions RLS or policies',
  },
  {
    category: 'query_rls',
    pattern: /\b(query|queries|sql function|stored procedure|rpc|view|trigger)s?\b/i,
    weight: 2,
    label: 'mentions queries or database functions',
  },
  { category: 'edge_function', pattern: /\bedge[- ]functions?\b/i, weight: 4, label: 'mentions an Edge Function' },
  {
    category: 'edge_function',
    pattern: /\b(webhook|cron function|serverless)\b/i,
    weight: 2,
    label: 'mentions a webhook or serverless function',
  },
  {
    category: 'api',
    pattern: /\b(api|endpoints?|rest|graphql|contract|route)s?\b/i,
    weight: 3,
    label: 'mentions an API or endpoint',
  },
  {
    category: 'cicd',
    pattern:
      /\b(ci|cd|ci\/cd|pipelines?|github actions?|workflow files?|preview deployments?|deploy previews?|builds?)\b/i,
    weight: 3,
    label: 'mentions CI/CD',
  },
  {
    category: 'cicd',
    pattern: /\b(secrets?|environments?|release|deploy(ment)?s?)\b/i,
    weight: 1,
    label: 'mentions deployment',
  },
];

/** A category counts in a mixed request only with a clear signal of its own. */
const STRONG = 3;

/**
 * Classifies a request by the orchestrator's decision tree: fast, deterministic and explainable. When no
 * branch has a strong signal the rules say so, and the caller asks the model.
 */
export function classifyRequest(request: string): RuleDecision {
  const scores: Partial<Record<Category, number>> = {};
  const reasons: Partial<Record<Category, string[]>> = {};
  for (const rule of RULES) {
    if (!rule.pattern.test(request)) continue;
    scores[rule.category] = (scores[rule.category] ?? 0) + rule.weight;
    (reasons[rule.category] ??= []).push(rule.label);
  }
  // "Edge function" also matches the generic "function"/"deploy" rules; the specific branch wins.
  if ((scores.edge_function ?? 0) >= STRONG) delete scores.cicd;
  const strong = (Object.entries(scores) as Array<[Category, number]>)
    .filter(([, score]) => score >= STRONG)
    .sort((a, b) => b[1] - a[1] || CATEGORY_ORDER.indexOf(a[0]) - CATEGORY_ORDER.indexOf(b[0]));
  if (strong.length === 0) {
    const seen = Object.keys(scores).length
      ? `weak hints only (${Object.keys(scores).join(', ')})`
      : 'no known keywords';
    return { sure: false, scores, reason: `the rules found ${seen}` };
  }
  const categories = strong.map(([c]) => c);
  const explain = categories.map((c) => `${reasons[c]!.join(' and ')} (${LABELS[c]})`).join('; ');
  return {
    sure: true,
    categories,
    reason:
      categories.length > 1 ? `mixed request, primary ${LABELS[categories[0]!]}: ${explain}` : `the request ${explain}`,
  };
}

/** Tie-break order: the lead of the orchestrator's first matching branch comes first. */
const CATEGORY_ORDER: Category[] = ['schema', 'query_rls', 'edge_function', 'api', 'cicd'];

export const LABELS: Record<Category, string> = {
  schema: 'schema change',
  query_rls: 'query/RLS',
  edge_function: 'Edge Function',
  api: 'API change',
  cicd: 'CI/CD change',
};

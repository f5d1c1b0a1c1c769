import { classifyRequest } from './decision-tree';

describe('the decision tree', () => {
  it.each([
    ['Add a new table for user preferences', ['schema']],
    ['Add a column last_seen_at to profiles', ['schema']],
    ['Write a migration that adds an index on orders.created_at', ['schema']],
    ['Tighten the RLS policy on invoices so users only see their own', ['query_rls']],
    ['Deploy a new edge function that sends welcome emails', ['edge_function']],
    ['Create an API for progress tracking', ['api']],
    ['Add preview deployments for PRs', ['cicd']],
    ['Update the GitHub Actions pipeline to run lint', ['cicd']],
  ])('routes "%s" to %j', (request, expected) => {
    const decision = classifyRequest(request);
    expect(decision.sure).toBe(true);
    if (decision.sure) expect(decision.categories).toEqual(expected);
  });

  it('treats a request with two strong signals as mixed and names the primary first', () => {
    const decision = classifyRequest('Add a new table for user preferences and an API endpoint to read it');
    expect(decision).toMatchObject({ sure: true, categories: ['schema', 'api'] });
    if (decision.sure) expect(decision.reason).toMatch(/^mixed request, primary schema change/);
  });

  it('is unsure when nothing points clearly at a branch, so the model decides', () => {
    expect(classifyRequest('make onboarding faster')).toMatchObject({
      sure: false,
      reason: 'the rules found no known keywords',
    });
    expect(classifyRequest('something about our tables')).toMatchObject({ sure: false });
  });

  it('explains its choice in words the thread can show', () => {
    const decision = classifyRequest('Add a new table for user preferences');
    expect(decision.sure && decision.reason).toBe(
      'the request changes a table or column and mentions tables (schema change)',
    );
  });
});

import { shorten } from './format';

describe('shorten', () => {
  it('cuts a summary at a word boundary with an ellipsis, never mid-word', () => {
    const summary = 'Migration tried on the branch: up applies, down restores, up again applies cleanly';
    const cut = shorten(summary, 40);
    expect(cut).toBe('Migration tried on the branch: up…');
    expect(cut.length).toBeLessThanOrEqual(40);
  });

  it('leaves text that fits alone, and cuts one long word where it must', () => {
    expect(shorten('Short enough', 40)).toBe('Short enough');
    expect(shorten('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

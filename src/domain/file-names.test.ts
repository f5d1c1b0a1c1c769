import { fileDate, slug } from './file-names';

describe('workflow file names', () => {
  it('turns a request into lower-case words joined by dashes, cut at a word within 40 characters', () => {
    expect(slug('Add a new table for user preferences')).toBe('add-a-new-table-for-user-preferences');
    expect(slug('Créer une API: progress/tracking!!')).toBe('cr-er-une-api-progress-tracking');
    expect(slug('Add preview deployments for PRs and also nightly backups of everything')).toBe(
      'add-preview-deployments-for-prs-and-also',
    );
    expect(slug('???')).toBe('request');
  });

  it('dates files by the UTC day', () => {
    expect(fileDate(new Date('2026-11-30T23:59:59Z'))).toBe('2026-11-30');
  });
});

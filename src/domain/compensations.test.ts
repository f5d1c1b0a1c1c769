import { recordedKinds, rollbackOrder } from './compensations';

describe('the order a rollback undoes things in', () => {
  it('keeps newest first, and puts the repository’s record of the migrations after the changes', () => {
    const pending = [
      { id: 5, kind: 'revert-migration-pr' },
      { id: 4, kind: 'revert-migration' },
      { id: 3, kind: 'delete-function' },
      { id: 1, kind: 'delete-branch' },
    ];
    expect(rollbackOrder(pending).map((c) => c.id)).toEqual([4, 3, 1, 5]);
  });

  it('says the migrations pull request records the migrations, and a change records nothing', () => {
    expect(recordedKinds('revert-migration-pr')).toEqual(['revert-migration']);
    expect(recordedKinds('revert-migration')).toEqual([]);
  });
});

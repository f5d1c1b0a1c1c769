import { notTheReasonNote } from './awaited-reasons';

describe('the note to someone whose reply is not the awaited reason', () => {
  it('says nothing when no reason is awaited', () => {
    expect(notTheReasonNote([], 'U1')).toBeUndefined();
  });

  it('says nothing to a person whose reason is awaited', () => {
    expect(notTheReasonNote([{ users: ['U1', 'U2'], what: 'override' }], 'U2')).toBeUndefined();
  });

  it('names whose reason the thread waits for, and for which decision', () => {
    const note = notTheReasonNote(
      [
        { users: ['U1'], what: 'override' },
        { users: ['U2'], what: 'request changes' },
      ],
      'U3',
    );
    expect(note).toBe(
      'This thread is waiting for the reason of <@U1> (Override) and <@U2> (Request changes), so your reply was ' +
        'kept as a comment, not taken as that reason.',
    );
  });

  it('names the person who rejected while their reason is awaited', () => {
    expect(notTheReasonNote([{ users: ['U1'], what: 'rejection' }], 'U3')).toContain('<@U1> (Reject)');
  });
});

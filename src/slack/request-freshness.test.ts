import { stampedInFuture } from './request-freshness';

describe('a request stamped in the future', () => {
  const now = Date.UTC(2026, 11, 1, 10, 0, 0);
  const seconds = now / 1000;

  it('is refused more than a minute ahead of our clock', () => {
    expect(stampedInFuture(String(seconds + 61), now)).toBe(true);
    expect(stampedInFuture(String(seconds + 120), now)).toBe(true);
  });

  it('is let through to Bolt up to a minute ahead, and when it is in the past or has no usable stamp', () => {
    expect(stampedInFuture(String(seconds + 60), now)).toBe(false);
    expect(stampedInFuture(String(seconds - 600), now)).toBe(false);
    expect(stampedInFuture(undefined, now)).toBe(false);
    expect(stampedInFuture('soon', now)).toBe(false);
    expect(stampedInFuture(['1', '2'], now)).toBe(false);
  });
});

import { StepProgress } from './step-progress';

describe('StepProgress', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function progress(intervalMs = 3000) {
    const shown: string[] = [];
    const p = new StepProgress({ intervalMs, update: async (a) => void shown.push(a), onError: () => undefined });
    return { p, shown };
  }

  it('shows nothing before the interval since the message was posted has passed', async () => {
    const { p, shown } = progress();
    p.report('thinking…');
    await jest.advanceTimersByTimeAsync(2999);
    expect(shown).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(shown).toEqual(['thinking…']);
  });

  it('shows only the newest activity of those reported within one interval', async () => {
    const { p, shown } = progress();
    p.report('thinking…');
    p.report('calling list_tables…');
    p.report('calling execute_sql…');
    await jest.advanceTimersByTimeAsync(3000);
    p.report('handing off…');
    await jest.advanceTimersByTimeAsync(2000);
    expect(shown).toEqual(['calling execute_sql…']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(shown).toEqual(['calling execute_sql…', 'handing off…']);
  });

  it('edits nothing after stop, even what was reported before it', async () => {
    const { p, shown } = progress();
    p.report('calling list_tables…');
    await p.stop();
    p.report('handing off…');
    await jest.advanceTimersByTimeAsync(10_000);
    expect(shown).toEqual([]);
  });

  it('keeps going when an edit fails, telling onError', async () => {
    const errors: unknown[] = [];
    const shown: string[] = [];
    let fail = true;
    const p = new StepProgress({
      intervalMs: 10,
      update: async (a) => {
        if (fail) {
          fail = false;
          throw new Error('ratelimited');
        }
        shown.push(a);
      },
      onError: (e) => errors.push(e),
    });
    p.report('one');
    await jest.advanceTimersByTimeAsync(10);
    p.report('two');
    await jest.advanceTimersByTimeAsync(10);
    expect(errors).toHaveLength(1);
    expect(shown).toEqual(['two']);
  });
});

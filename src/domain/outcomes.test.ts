import { notDoneItems, thingsNotDone } from './outcomes';
import type { EventRow, Step } from './records';

const step = (checks: Step['checks'], state: Step['state'] = 'succeeded'): Step =>
  ({ id: 1, state, checks }) as unknown as Step;
const event = (data: Record<string, unknown>): EventRow =>
  ({ id: 1, workflow_id: 1, type: 'not_done', actor: null, data, created_at: new Date() }) as EventRow;

describe('what a workflow did not do', () => {
  it('lists the checks flagged not_done and the not_done events, each once, and nothing else', () => {
    const notRun = { name: 'Smoke tests', status: 'warn' as const, detail: 'not run', flags: ['not_done' as const] };
    const items = notDoneItems(
      [
        step([notRun, { name: 'Lint', status: 'warn', detail: 'a warning' }]),
        step([notRun]),
        step([{ ...notRun, name: 'CI run' }], 'cancelled'),
      ],
      [event({ key: 'merge', what: 'Nothing merged to production' })],
    );
    expect(items).toEqual(['Smoke tests: not run', 'Nothing merged to production']);
  });

  it('counts things in words', () => {
    expect(thingsNotDone(1)).toBe('1 thing not done');
    expect(thingsNotDone(3)).toBe('3 things not done');
  });
});

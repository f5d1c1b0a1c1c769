import { DelayedError } from 'bullmq';
import { ActionFailedError, isInfrastructureError, isRetryable } from '../../domain/errors';
import { delayForOutage, outageDelay, waitsOutOutage } from './outage-retry';

const pgError = (code: string, message = 'server error') => Object.assign(new Error(message), { code });
const policy = { toleranceMs: 60_000, retryMaxMs: 4000 };

describe('infrastructure errors', () => {
  it.each([
    ['connection refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', pgError('ECONNRESET')],
    ['timed out', pgError('ETIMEDOUT')],
    ['admin shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['connection failure (08006)', pgError('08006')],
    ['a dropped pg connection', new Error('Connection terminated unexpectedly')],
    ['a closed Redis connection', new Error('Connection is closed.')],
    ['a refused connect to every address', Object.assign(new AggregateError([pgError('ECONNREFUSED')]), {})],
  ])('counts %s as Postgres or Redis being unreachable, and as retryable', (_, error) => {
    expect(isInfrastructureError(error)).toBe(true);
    expect(isRetryable(error)).toBe(true);
  });

  it.each([
    ['a syntax error (42601)', pgError('42601', 'syntax error at or near "selec"')],
    ['a unique violation (23505)', pgError('23505')],
    ['a Slack request error', pgError('slack_webapi_request_error', 'Connection terminated')],
    ['an error of the bot itself', new ActionFailedError('branch-test', 'connect ECONNREFUSED', true)],
    [
      'a failed fetch of an HTTP service',
      Object.assign(new TypeError('fetch failed'), { cause: pgError('ECONNREFUSED') }),
    ],
  ])('does not count %s as an outage', (_, error) => {
    expect(isInfrastructureError(error)).toBe(false);
  });
});

describe('waiting out an outage', () => {
  const refused = pgError('ECONNREFUSED');

  it('waits on an infrastructure error until the tolerance has passed since the first one', () => {
    const now = 1_000_000;
    expect(waitsOutOutage(policy, { data: {} }, refused, now)).toBe(true);
    const outage = { since: now - 59_000, last: now - 1000, tries: 10 };
    expect(waitsOutOutage(policy, { data: { outage } }, refused, now)).toBe(true);
    expect(waitsOutOutage(policy, { data: { outage: { ...outage, since: now - 61_000 } } }, refused, now)).toBe(false);
    expect(waitsOutOutage(policy, { data: {} }, pgError('42601'), now)).toBe(false);
    expect(waitsOutOutage({ ...policy, toleranceMs: 0 }, { data: {} }, refused, now)).toBe(false);
  });

  it('starts the clock again for an outage long after the last one', () => {
    const now = 10_000_000;
    const old = { since: now - 3_600_000, last: now - 3_000_000, tries: 3 };
    expect(waitsOutOutage(policy, { data: { outage: old } }, refused, now)).toBe(true);
  });

  it('backs off from 500 ms, doubling, up to the cap', () => {
    expect([0, 1, 2, 3, 4, 30].map((tries) => outageDelay(policy, tries))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('records the outage in the job and puts it back in the delayed set without using an attempt', async () => {
    const job = {
      data: { workflowId: 1, stepId: 2, generation: 0 } as Record<string, unknown>,
      updateData: jest.fn(async (data: Record<string, unknown>) => {
        job.data = data;
      }),
      moveToDelayed: jest.fn(async () => undefined),
    };
    await expect(delayForOutage(job, 'token-1', policy, 5000)).rejects.toBeInstanceOf(DelayedError);
    expect(job.data).toEqual({
      workflowId: 1,
      stepId: 2,
      generation: 0,
      outage: { since: 5000, last: 5000, tries: 0 },
    });
    expect(job.moveToDelayed).toHaveBeenCalledWith(5500, 'token-1');
    await expect(delayForOutage(job, 'token-1', policy, 6000)).rejects.toBeInstanceOf(DelayedError);
    expect(job.data.outage).toEqual({ since: 5000, last: 6000, tries: 1 });
    expect(job.moveToDelayed).toHaveBeenLastCalledWith(7000, 'token-1');
  });
});

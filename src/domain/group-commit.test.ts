import { groupCommit } from './group-commit';

/** A batch runner whose batches the test lets finish one at a time. */
function gatedRunner() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const run = (batch: number[]) => {
    batches.push(batch);
    return new Promise<number[]>((resolve) => gates.push(() => resolve(batch.map((n) => n * 10))));
  };
  const release = async () => {
    while (!gates.length) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { batches, run, release };
}

describe('group commit', () => {
  it('runs an item alone at once when nothing is in flight', async () => {
    const runner = gatedRunner();
    const submit = groupCommit(runner.run, 10);
    const answer = submit(1);
    expect(runner.batches).toEqual([[1]]);
    await runner.release();
    expect(await answer).toBe(10);
  });

  it('sends the items that came while a batch was in flight together in the next batch, each with its own result', async () => {
    const runner = gatedRunner();
    const submit = groupCommit(runner.run, 10);
    const answers = [submit(1), submit(2), submit(3), submit(4)];
    await runner.release();
    await runner.release();
    expect(runner.batches).toEqual([[1], [2, 3, 4]]);
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40]);
  });

  it('keeps to the batch limit', async () => {
    const runner = gatedRunner();
    const submit = groupCommit(runner.run, 2);
    const answers = [1, 2, 3, 4, 5, 6].map(submit);
    for (let i = 0; i < 4; i++) await runner.release();
    expect(runner.batches).toEqual([[1], [2, 3], [4, 5], [6]]);
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('fails every item of a failed batch, and goes on with the next ones', async () => {
    let calls = 0;
    const submit = groupCommit(async (batch: number[]) => {
      calls++;
      if (calls === 1) throw new Error('Postgres went away');
      return batch;
    }, 10);
    await expect(submit(1)).rejects.toThrow('Postgres went away');
    expect(await submit(2)).toBe(2);
  });
});

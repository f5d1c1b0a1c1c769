/**
 * Group commit: `run` takes a batch of items and answers one result per item, in order. An item that
 * comes while no batch is in flight goes at once, alone; the items that come while one is in flight
 * wait for it and go together in the next batch (at most `limit` to a batch). Under load one round trip
 * carries many items instead of one each; an idle caller waits no longer than with one call per item.
 * A batch that fails fails each of its items with that error.
 */
export function groupCommit<I, O>(run: (batch: I[]) => Promise<O[]>, limit: number): (item: I) => Promise<O> {
  let waiting: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  let inFlight = false;
  const flush = async () => {
    inFlight = true;
    while (waiting.length) {
      const batch = waiting.slice(0, limit);
      waiting = waiting.slice(limit);
      try {
        const results = await run(batch.map((b) => b.item));
        for (const [i, b] of batch.entries()) b.resolve(results[i] as O);
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    inFlight = false;
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!inFlight) void flush();
    });
}

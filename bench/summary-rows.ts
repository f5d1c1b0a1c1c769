/** One line of bench/results/summary.md (and of the README's Performance and reliability table). */
export interface SummaryRow {
  figure: string;
  value: string;
  target: string;
  file: string;
  date: string;
}

// biome-ignore lint/suspicious/noExplicitAny: the results files are read back as this repository's benchmarks wrote them
type Json = Record<string, any>;

/** The figures worth a line, from each benchmark's results file (absent files give no lines). */
export function summaryRows(results: Record<string, unknown>): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const add = (file: string, figure: string, value: string, target = '') => {
    const date = String((results[file] as Json | undefined)?.date ?? '').slice(0, 16);
    rows.push({ figure, value, target, file, date });
  };
  const ack = results['ack-latency'] as Json | undefined;
  if (ack?.summary) {
    const s = ack.summary;
    add('ack-latency', `/infra ack p99, 50 concurrent (median of ${s.rounds} rounds)`, `${s.p99RealBot} ms`);
    add('ack-latency', 'bare Bolt app ack p99, same rounds', `${s.p99BareBolt} ms`);
    add(
      'ack-latency',
      '/infra ack p99 ÷ bare Bolt p99 (median of the rounds)',
      `${s.ratio} (${s.ratios?.join(', ')})`,
      `≤ ${s.target}`,
    );
  }
  for (const file of ['busy-channel', 'busy-channel-slack-rate'])
    busyRows(results[file] as Json | undefined, file, add);
  const many = results['many-workflows'] as Json | undefined;
  if (many) {
    const r = many.rssMiB;
    add('many-workflows', 'worker RSS before the waiting workflows (max)', `${r.baselineMax} MiB`);
    add(
      'many-workflows',
      `worker RSS with ${openCount(many)} (max / last)`,
      `${r.waitingMax} / ${r.waitingLast} MiB`,
      '< 250 MiB',
    );
    const a = many.approveToNextStepMs;
    add(
      'many-workflows',
      `Approve → next step with ${openCount(many)} (p50 / p99)`,
      `${a.waiting.median} / ${a.waiting.p99} ms`,
      'p99 < 250 ms',
    );
    add('many-workflows', 'Approve → next step with none waiting (median)', `${a.baseline.median} ms`);
    const e = many.waitingForTargetEvents;
    add('many-workflows', '`waiting_for_target` events (inserted → at end)', `${e.inserted} → ${e.atEnd}`, 'no growth');
  }
  const chaos = results.chaos as Json | undefined;
  if (chaos) {
    add(
      'chaos',
      `${chaos.workflows} workflows, worker SIGKILLed ${chaos.kills} times: succeeded`,
      `${chaos.succeeded}`,
      'all',
    );
    if (chaos.resumeMs)
      add(
        'chaos',
        `killed job running again (n=${chaos.resumedJobs}) median / max`,
        `${chaos.resumeMs.median} / ${chaos.resumeMs.max} ms`,
        '< 15000 ms',
      );
    add(
      'chaos',
      'messages posted twice / migrations not merged exactly once',
      `${chaos.postedTwice.length} / ${chaos.migrationsNotMergedOnce.length}`,
      '0 / 0',
    );
  }
  const stages = (results['pipeline-stages'] as Json | undefined)?.stages as Json | undefined;
  for (const [name, s] of Object.entries(stages ?? {}))
    add('pipeline-stages', `pipeline stage: ${name} (median)`, `${s.median} ms`);
  const embedded = (results['embedded-postgres'] as Json | undefined)?.stages as Json | undefined;
  for (const [name, s] of Object.entries(embedded ?? {}))
    add('embedded-postgres', `embedded Postgres: ${name} (median)`, `${s.median} ms`);
  return rows;
}

/** The busy channel's lines, from its run at a quarter of Slack's intervals or at Slack's own rate. */
function busyRows(
  busy: Json | undefined,
  file: string,
  add: (file: string, figure: string, value: string, target?: string) => void,
) {
  if (!busy) return;
  const r = busy.slackRate;
  const files = r.fileIntervalMs === undefined ? '' : `, ${r.fileIntervalMs} ms/file share`;
  const rate = `${r.postIntervalMs} ms/post/channel, ${r.updateIntervalMs} ms/edit${files}`;
  add(file, `${busy.workflows} workflows in one channel (${rate}): succeeded`, `${busy.succeeded}`, 'all');
  add(file, 'total time', `${busy.totalSeconds} s`, '< 529 s at Slack rate');
  add(file, 'posts answered 429 by the fake Slack', `${busy.rateLimitedAnswers}`, '≈ 0');
  add(file, 'failed posts / threads missing a message', `${busy.failedPosts} / ${busy.incompleteThreads}`, '0 / 0');
  const a = busy.approveToNextStepMs;
  add(file, `Approve → next step (n=${a.n}) p50 / p99`, `${a.p50} / ${a.p99} ms`, 'p99 < 1500 ms');
}

/** The open workflows of a many-workflows run: behind the target lock, and at a gate when it had those. */
function openCount(many: Json): string {
  if (!many.atGate) return `${many.waiting} waiting`;
  return `${many.waiting + many.atGate} open (${many.waiting} behind the target lock, ${many.atGate} at a gate)`;
}

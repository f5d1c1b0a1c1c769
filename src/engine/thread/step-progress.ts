/** What a StepProgress needs; `update` edits the step's `[i/n] Invoking …` message. */
export interface StepProgressOptions {
  /** Shortest time between two edits (ms); the message was just posted when the progress starts. */
  intervalMs: number;
  update(activity: string): Promise<void>;
  /** Told when an edit fails; progress is decoration, so a failed edit never fails the step. */
  onError(error: unknown): void;
  now?: () => number;
}

/**
 * Live progress of a running step, throttled: the newest activity is shown at most once per
 * interval (Slack allows about one edit per second per channel), the ones in between are dropped.
 * `stop()` cancels what is pending and waits for an edit in flight, so a late progress edit can never
 * overwrite the step's outcome.
 */
export class StepProgress {
  private readonly now: () => number;
  private last: number;
  private pending: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: StepProgressOptions) {
    this.now = options.now ?? Date.now;
    this.last = this.now();
  }

  report(activity: string): void {
    if (this.stopped) return;
    this.pending = activity;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.send(), Math.max(0, this.last + this.options.intervalMs - this.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight;
  }

  private send(): void {
    this.timer = undefined;
    const activity = this.pending;
    if (this.stopped || activity === undefined) return;
    this.pending = undefined;
    this.last = this.now();
    this.inflight = this.inflight
      .then(() => this.options.update(activity))
      .catch((error: unknown) => this.options.onError(error));
  }
}

/**
 * What a {@linkcode WorkQueue} reports about itself, as plain data: the
 * figures client-go's workqueue exports as Prometheus metrics (depth, adds,
 * queue latency, work duration, unfinished work, longest running processor,
 * retries), readable as a snapshot at any time.
 *
 * @module
 */

/** Count, sum and maximum of a set of durations. */
export interface DurationSummary {
  /** How many durations were recorded. */
  readonly count: number;
  /** Their sum in milliseconds. */
  readonly sumMs: number;
  /** The longest in milliseconds; 0 before the first. */
  readonly maxMs: number;
}

/** A snapshot of a {@linkcode WorkQueue}'s figures. */
export interface WorkQueueMetrics {
  /** Keys waiting to be processed (not counting those waiting for a delay). */
  readonly depth: number;
  /** Keys added to the queue so far (each time one became waiting). */
  readonly adds: number;
  /** Rate-limited adds so far (`addRateLimited`). */
  readonly retries: number;
  /** Keys being processed now (taken with `get`, not yet `done`). */
  readonly processing: number;
  /** Keys waiting for a delay (`addAfter`, `addRateLimited`) before they are added. */
  readonly delayed: number;
  /** How long keys waited between being added and being taken. */
  readonly queueLatency: DurationSummary;
  /** How long keys were processed, from `get` to `done`. */
  readonly workDuration: DurationSummary;
  /** Sum of how long the keys being processed now have been processed, in milliseconds. */
  readonly unfinishedWorkMs: number;
  /** How long the longest-running key being processed now has been processed, in milliseconds. */
  readonly longestRunningProcessorMs: number;
  /** True once the queue is shutting down. */
  readonly shuttingDown: boolean;
}

/** A mutable duration summary. */
export class DurationRecorder {
  #count = 0;
  #sum = 0;
  #max = 0;

  /** Records one duration. */
  record(ms: number): void {
    this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** The figures so far. */
  snapshot(): DurationSummary {
    return { count: this.#count, sumMs: this.#sum, maxMs: this.#max };
  }
}

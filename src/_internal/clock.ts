/**
 * Time as a dependency: everything that waits or reads the time takes a
 * {@linkcode Clock}, so tests of backoff, resync and timeouts never wait for
 * real time.
 *
 * @module
 */

import { abortableSleep } from "./abortable_sleep.ts";

/** Reads the time and schedules work. */
export interface Clock {
  /** Milliseconds since an arbitrary epoch (monotonic enough for intervals). */
  now(): number;
  /** Waits `ms`, or rejects with `signal.reason` when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/**
 * Epoch milliseconds that never jump: the wall clock read once, then
 * `performance.now()` (monotonic), so a system clock step cannot make a
 * watch look silent or a backoff look over. `Date.now` where there is no
 * `performance`.
 */
const monotonicNow: () => number = (() => {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  if (typeof perf?.now !== "function") return () => Date.now();
  const origin = Date.now() - perf.now();
  return () => origin + perf.now();
})();

/**
 * The real clock: epoch milliseconds from a monotonic source, `setTimeout`.
 *
 * @example Scheduling with the real clock
 * ```ts
 * import { realClock } from "./clock.ts";
 * const cancel = realClock.setTimer(() => console.log("never"), 60_000);
 * cancel();
 * await realClock.sleep(1);
 * ```
 */
export const realClock: Clock = Object.freeze({
  now: monotonicNow,
  sleep: abortableSleep,
  setTimer(fn: () => void, ms: number): () => void {
    const id = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(id);
  },
});

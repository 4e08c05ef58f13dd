/**
 * A manual {@linkcode Clock} for tests: time stands still until the test
 * advances it, and timers (from `sleep` and `setTimer`) fire only then, in
 * time order, with pending promise callbacks run between them.
 *
 * @module
 */

import type { Clock } from "../../src/_internal/clock.ts";

/** Options of {@linkcode FakeClock}. */
export interface FakeClockOptions {
  /** The initial time in milliseconds. @default {0} */
  start?: number | undefined;
  /** Microtask turns one {@linkcode FakeClock.flush} runs. @default {1000} */
  flushTurns?: number | undefined;
}

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** A clock whose time moves only when the test says so. */
export class FakeClock implements Clock {
  #now: number;
  #flushTurns: number;
  #timers: FakeTimer[] = [];
  #nextId = 1;
  #sleeps: number[] = [];

  /**
   * Creates a clock stopped at `options.start`.
   *
   * @param options Start time and flush depth.
   */
  constructor(options: FakeClockOptions = {}) {
    this.#now = options.start ?? 0;
    this.#flushTurns = options.flushTurns ?? 1000;
  }

  /** The current fake time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /**
   * Resolves once the test has advanced time by `ms`; rejects with
   * `signal.reason` (and drops its timer) when the signal aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.#sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.#add(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Runs `fn` once the test has advanced time by `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void {
    return this.#add(ms, fn);
  }

  /** Every duration passed to {@linkcode FakeClock.sleep}, in call order. */
  get sleeps(): readonly number[] {
    return this.#sleeps;
  }

  /** How many timers (sleeps and `setTimer`s) are scheduled and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Milliseconds until the earliest scheduled timer is due, or undefined when none is. */
  get nextTimerIn(): number | undefined {
    const timer = this.#earliest();
    return timer === undefined ? undefined : Math.max(0, timer.at - this.#now);
  }

  /** Lets pending promise callbacks run (a fixed number of microtask turns); time does not move. */
  async flush(): Promise<void> {
    for (let i = 0; i < this.#flushTurns; i++) await Promise.resolve();
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the
   * way in time order (timers scheduled meanwhile included), flushing
   * promise callbacks before, between and after them.
   *
   * @param ms Milliseconds to advance (0 fires the timers due now).
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`cannot advance a clock by ${ms} ms`);
    const target = this.#now + ms;
    await this.flush();
    for (;;) {
      const timer = this.#earliest();
      if (timer === undefined || timer.at > target) break;
      this.#timers = this.#timers.filter((t) => t !== timer);
      this.#now = Math.max(this.#now, timer.at);
      timer.fn();
      await this.flush();
    }
    this.#now = target;
    await this.flush();
  }

  /**
   * Advances to the earliest scheduled timer and fires it (and any due at
   * the same time).
   *
   * @returns The milliseconds time moved.
   * @throws {RangeError} When nothing is scheduled.
   */
  async next(): Promise<number> {
    const ms = this.nextTimerIn;
    if (ms === undefined) throw new RangeError("no timer is scheduled");
    await this.advance(ms);
    return ms;
  }

  /**
   * Fires timers one after the other until none is left.
   *
   * @param maxTimers Gives up after this many, since some code always schedules another.
   * @returns The milliseconds time moved.
   * @throws {RangeError} When timers keep coming after `maxTimers`.
   */
  async runUntilIdle(maxTimers = 1000): Promise<number> {
    let moved = 0;
    await this.flush();
    for (let fired = 0; this.#timers.length > 0; fired++) {
      if (fired >= maxTimers) {
        throw new RangeError(`timers still scheduled after firing ${maxTimers}`);
      }
      moved += await this.next();
    }
    return moved;
  }

  #add(ms: number, fn: () => void): () => void {
    const timer: FakeTimer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  #earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.#timers) {
      if (
        best === undefined || timer.at < best.at || (timer.at === best.at && timer.id < best.id)
      ) {
        best = timer;
      }
    }
    return best;
  }
}

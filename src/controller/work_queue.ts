/**
 * {@linkcode WorkQueue}: the queue between informer handlers and the
 * workers of a controller, with client-go's `workqueue` semantics
 * (`Type`, `DelayingInterface`, `RateLimitingInterface` in one class).
 *
 * Guarantees:
 * - A key waits at most once: adding a waiting key again does nothing.
 * - A key is processed by one worker at a time: a key added while it is
 *   processed waits (dirty) and is handed out again only after `done`.
 * - Keys are handed out in the order they became waiting.
 * - After `shutdown`, adds are ignored, waiting keys are still handed out,
 *   and `get` resolves `undefined` once none is left; delays are dropped.
 *   `shutdownWithDrain` also waits until every key handed out is `done`.
 * - No timer outlives a shutdown or an aborted `get`.
 *
 * @module
 */

import type { Clock } from "../_internal/clock.ts";
import { realClock } from "../_internal/clock.ts";
import { DurationRecorder, type WorkQueueMetrics } from "./queue_metrics.ts";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate_limiter.ts";

/** Options of {@linkcode WorkQueue}. */
export interface WorkQueueOptions<K = string> {
  /** Delays of `addRateLimited`. @default {defaultControllerRateLimiter({ clock })} */
  rateLimiter?: RateLimiter<K> | undefined;
  /** Time source of delays and metrics. @default {realClock} */
  clock?: Clock | undefined;
}

/** Options of {@linkcode WorkQueue.get}. */
export interface WorkQueueGetOptions {
  /** Stops waiting: `get` rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode WorkQueue.watchMetrics}. */
export interface WatchMetricsOptions {
  /** Milliseconds between snapshots. @default {1000} */
  intervalMs?: number | undefined;
  /** Ends the iteration. */
  signal?: AbortSignal | undefined;
}

interface Waiter<K> {
  resolve(key: K | undefined): void;
}

interface Delayed {
  readyAt: number;
  cancel(): void;
}

/**
 * A de-duplicating, rate-limited work queue of keys, safe for several
 * concurrent workers.
 *
 * @example Two workers, one key processed once
 * ```ts
 * import { WorkQueue } from "@kubesnap/kubesnap";
 * const queue = new WorkQueue<string>();
 * queue.add("default/web");
 * queue.add("default/web"); // already waiting: ignored
 * const worker = async () => {
 *   for (let key; (key = await queue.get()) !== undefined;) {
 *     console.log("processing", key);
 *     queue.forget(key);
 *     queue.done(key);
 *   }
 * };
 * const workers = Promise.all([worker(), worker()]);
 * await queue.shutdownWithDrain();
 * await workers;
 * console.log(queue.metrics().adds); // 1
 * ```
 */
export class WorkQueue<K = string> {
  readonly #clock: Clock;
  readonly #rateLimiter: RateLimiter<K>;
  #queue: K[] = [];
  #head = 0;
  /** Keys that need processing: waiting in #queue, or added again while processing. */
  readonly #dirty = new Set<K>();
  /** Keys being processed, with when they were handed out. */
  readonly #processing = new Map<K, number>();
  /** When each waiting key was added (for queue latency). */
  readonly #addedAt = new Map<K, number>();
  readonly #delayed = new Map<K, Delayed>();
  #waiters: Waiter<K>[] = [];
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;
  readonly #shutdownController = new AbortController();
  #adds = 0;
  #retries = 0;
  readonly #queueLatency = new DurationRecorder();
  readonly #workDuration = new DurationRecorder();

  /**
   * Creates an empty queue.
   *
   * @param options Rate limiter and clock.
   */
  constructor(options?: WorkQueueOptions<K>) {
    options ??= {};
    this.#clock = options.clock ?? realClock;
    this.#rateLimiter = options.rateLimiter ??
      defaultControllerRateLimiter<K>({ clock: this.#clock });
  }

  /** Keys waiting to be handed out. */
  len(): number {
    return this.#queue.length - this.#head;
  }

  /** True once `shutdown` or `shutdownWithDrain` was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Marks a key as needing processing: it waits unless it is waiting
   * already; a key being processed waits until `done`.
   *
   * @param key The key, such as `namespace/name`.
   */
  add(key: K): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#adds++;
    this.#dirty.add(key);
    this.#addedAt.set(key, this.#clock.now());
    if (this.#processing.has(key)) return;
    this.#enqueue(key);
  }

  /**
   * Adds a key after a delay. A key already waiting for a later time is
   * moved earlier; one waiting for an earlier time keeps it.
   *
   * @param key The key.
   * @param delayMs Milliseconds to wait; 0 or less adds at once.
   */
  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.#clock.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing !== undefined) {
      if (existing.readyAt <= readyAt) return;
      existing.cancel();
    }
    const cancel = this.#clock.setTimer(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { readyAt, cancel });
  }

  /**
   * Adds a key after the rate limiter's delay for it (one more failure).
   *
   * @param key The key.
   */
  addRateLimited(key: K): void {
    if (this.#shuttingDown) return;
    this.#retries++;
    this.addAfter(key, this.#rateLimiter.when(key));
  }

  /**
   * Forgets the key's failures in the rate limiter (call it after success).
   *
   * @param key The key.
   */
  forget(key: K): void {
    this.#rateLimiter.forget(key);
  }

  /**
   * The key's failures counted by the rate limiter.
   *
   * @param key The key.
   * @returns The count.
   */
  numRequeues(key: K): number {
    return this.#rateLimiter.numRequeues(key);
  }

  /**
   * Takes the next waiting key, waiting for one when none is; the caller
   * must call {@linkcode WorkQueue.done} with it.
   *
   * @param options Abort signal.
   * @returns The key, or `undefined` once the queue is shut down and empty.
   */
  get(options?: WorkQueueGetOptions): Promise<K | undefined> {
    options ??= {};
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.len() > 0) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<K> = {
        resolve: (key) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(key);
        },
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason);
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Marks a key as processed; if it was added meanwhile, it waits again.
   *
   * @param key A key returned by {@linkcode WorkQueue.get}.
   */
  done(key: K): void {
    const start = this.#processing.get(key);
    if (start === undefined) return;
    this.#processing.delete(key);
    this.#workDuration.record(this.#clock.now() - start);
    if (this.#dirty.has(key)) this.#enqueue(key);
    if (this.#processing.size === 0) {
      for (const resolve of this.#drainWaiters.splice(0)) resolve();
    }
  }

  /**
   * Stops the queue: adds are ignored and delayed keys dropped; waiting
   * keys are still handed out, then `get` resolves `undefined`.
   */
  shutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#shutdownController.abort();
    for (const delayed of this.#delayed.values()) delayed.cancel();
    this.#delayed.clear();
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(undefined);
  }

  /**
   * Shuts down, then waits until every key handed out (including the
   * waiting keys still to be handed out) is `done`.
   *
   * @param options `signal` stops waiting (the queue stays shut down).
   * @returns Resolves once nothing is processed and nothing waits.
   */
  async shutdownWithDrain(options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    this.shutdown();
    const signal = options.signal;
    while (this.#processing.size > 0 || this.len() > 0) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.#drainWaiters.indexOf(wake);
          if (i >= 0) this.#drainWaiters.splice(i, 1);
          reject(signal?.reason);
        };
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        this.#drainWaiters.push(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  /**
   * The queue's figures now, as a plain object.
   *
   * @returns The snapshot.
   */
  metrics(): WorkQueueMetrics {
    const now = this.#clock.now();
    let unfinished = 0;
    let longest = 0;
    for (const start of this.#processing.values()) {
      unfinished += now - start;
      longest = Math.max(longest, now - start);
    }
    return {
      depth: this.len(),
      adds: this.#adds,
      retries: this.#retries,
      processing: this.#processing.size,
      delayed: this.#delayed.size,
      queueLatency: this.#queueLatency.snapshot(),
      workDuration: this.#workDuration.snapshot(),
      unfinishedWorkMs: unfinished,
      longestRunningProcessorMs: longest,
      shuttingDown: this.#shuttingDown,
    };
  }

  /**
   * A snapshot of the figures now and then every `intervalMs`, until the
   * signal aborts; after shutdown, one last snapshot once drained.
   *
   * @param options Interval and abort signal.
   * @returns The snapshots.
   */
  async *watchMetrics(
    options?: WatchMetricsOptions,
  ): AsyncGenerator<WorkQueueMetrics, void, undefined> {
    options ??= {};
    const intervalMs = options.intervalMs ?? 1000;
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
    const signals = [this.#shutdownController.signal];
    if (options.signal) signals.push(options.signal);
    const stop = AbortSignal.any(signals);
    while (!options.signal?.aborted) {
      yield this.metrics();
      if (this.#shuttingDown) {
        try {
          await this.shutdownWithDrain({ signal: options.signal });
        } catch {
          return; // the consumer stopped
        }
        yield this.metrics();
        return;
      }
      try {
        await this.#clock.sleep(intervalMs, stop);
      } catch {
        // aborted, or shutting down: the loop decides
      }
    }
  }

  #enqueue(key: K): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#handOut(key);
      waiter.resolve(key);
      return;
    }
    this.#queue.push(key);
  }

  #take(): K {
    const key = this.#queue[this.#head] as K;
    this.#head++;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#handOut(key);
    return key;
  }

  #handOut(key: K): void {
    const now = this.#clock.now();
    this.#dirty.delete(key);
    const addedAt = this.#addedAt.get(key);
    if (addedAt !== undefined) {
      this.#queueLatency.record(now - addedAt);
      this.#addedAt.delete(key);
    }
    this.#processing.set(key, now);
  }
}

/**
 * Rate limiters for the {@linkcode WorkQueue}, with client-go's
 * `workqueue` semantics: how long an item waits before it is retried.
 *
 * - {@linkcode ItemExponentialRateLimiter}: per-item exponential backoff
 *   (client-go's `ItemExponentialFailureRateLimiter`).
 * - {@linkcode TokenBucketRateLimiter}: one bucket for every item
 *   (client-go's `BucketRateLimiter` over `golang.org/x/time/rate`, where
 *   each call reserves a token and waits until it is due).
 * - {@linkcode MaxOfRateLimiter}: the longest delay of several.
 * - {@linkcode defaultControllerRateLimiter}: 5 ms doubling to 1,000 s per
 *   item, combined with 10 per second (burst 100) overall.
 *
 * @module
 */

import type { Clock } from "../_internal/clock.ts";
import { realClock } from "../_internal/clock.ts";

/** Decides how long an item waits before it is processed again. */
export interface RateLimiter<K = string> {
  /** Milliseconds `item` should wait now; counts as one more failure of it. */
  when(item: K): number;
  /** Forgets the item's failures (call it when the item succeeded). */
  forget(item: K): void;
  /** Failures counted for the item since it was last forgotten. */
  numRequeues(item: K): number;
}

/** Options of {@linkcode ItemExponentialRateLimiter}. */
export interface ItemExponentialRateLimiterOptions {
  /** Delay of the first failure. @default {5} */
  baseDelayMs?: number | undefined;
  /** Longest delay. @default {1_000_000} */
  maxDelayMs?: number | undefined;
}

function checkPositive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a positive finite number, got ${value}`);
  }
  return value;
}

/**
 * Per-item exponential backoff: `baseDelayMs * 2^failures`, capped at
 * `maxDelayMs`.
 *
 * @example Delays of one failing item
 * ```ts
 * import { ItemExponentialRateLimiter } from "@kubesnap/kubesnap";
 * const limiter = new ItemExponentialRateLimiter({ baseDelayMs: 5, maxDelayMs: 1000 });
 * console.log([1, 2, 3].map(() => limiter.when("default/web"))); // [5, 10, 20]
 * limiter.forget("default/web");
 * console.log(limiter.when("default/web")); // 5
 * ```
 */
export class ItemExponentialRateLimiter<K = string> implements RateLimiter<K> {
  readonly #base: number;
  readonly #max: number;
  readonly #failures = new Map<K, number>();

  /**
   * Creates the limiter.
   *
   * @param options Base and maximum delay.
   * @throws {RangeError} When a delay is not positive.
   */
  constructor(options?: ItemExponentialRateLimiterOptions) {
    options ??= {};
    this.#base = checkPositive("baseDelayMs", options.baseDelayMs ?? 5);
    this.#max = checkPositive("maxDelayMs", options.maxDelayMs ?? 1_000_000);
  }

  /** {@inheritDoc RateLimiter.when} */
  when(item: K): number {
    const failures = this.#failures.get(item) ?? 0;
    this.#failures.set(item, failures + 1);
    return Math.min(this.#max, this.#base * 2 ** failures);
  }

  /** {@inheritDoc RateLimiter.forget} */
  forget(item: K): void {
    this.#failures.delete(item);
  }

  /** {@inheritDoc RateLimiter.numRequeues} */
  numRequeues(item: K): number {
    return this.#failures.get(item) ?? 0;
  }
}

/** Options of {@linkcode TokenBucketRateLimiter}. */
export interface TokenBucketRateLimiterOptions {
  /** Tokens added per second. @default {10} */
  perSecond?: number | undefined;
  /** Tokens the bucket holds (and starts with). @default {100} */
  burst?: number | undefined;
  /** Time source. @default {realClock} */
  clock?: Clock | undefined;
}

/**
 * One token bucket shared by every item: each call takes a token, and waits
 * for it when the bucket is empty (the tokens may go negative, so calls in
 * a burst are spaced `1000 / perSecond` ms apart). Counts no failures.
 *
 * @example A bucket of 2, refilled at 10 per second
 * ```ts
 * import { TokenBucketRateLimiter } from "@kubesnap/kubesnap";
 * const clock = { now: () => 0, sleep: () => Promise.resolve(), setTimer: () => () => {} };
 * const limiter = new TokenBucketRateLimiter({ perSecond: 10, burst: 2, clock });
 * console.log(["a", "b", "c", "d"].map((key) => limiter.when(key))); // [0, 0, 100, 200]
 * ```
 */
export class TokenBucketRateLimiter<K = string> implements RateLimiter<K> {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  /**
   * Creates a full bucket.
   *
   * @param options Rate, burst and clock.
   * @throws {RangeError} When the rate or burst is not positive.
   */
  constructor(options?: TokenBucketRateLimiterOptions) {
    options ??= {};
    this.#perMs = checkPositive("perSecond", options.perSecond ?? 10) / 1000;
    this.#burst = checkPositive("burst", options.burst ?? 100);
    this.#clock = options.clock ?? realClock;
    this.#tokens = this.#burst;
    this.#last = this.#clock.now();
  }

  /** {@inheritDoc RateLimiter.when} */
  when(_item: K): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + Math.max(0, now - this.#last) * this.#perMs,
    );
    this.#last = Math.max(this.#last, now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.#perMs;
  }

  /** Does nothing: the bucket counts no failures. */
  forget(_item: K): void {}

  /** Always 0. */
  numRequeues(_item: K): number {
    return 0;
  }
}

/**
 * The longest delay of several limiters; every limiter counts each call.
 *
 * @example Backoff per item, and a bucket for all
 * ```ts
 * import { ItemExponentialRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter } from "@kubesnap/kubesnap";
 * const limiter = new MaxOfRateLimiter([
 *   new ItemExponentialRateLimiter({ baseDelayMs: 5 }),
 *   new TokenBucketRateLimiter({ perSecond: 10, burst: 100 }),
 * ]);
 * console.log(limiter.when("a"), limiter.numRequeues("a")); // 5 1
 * ```
 */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  /**
   * Combines limiters.
   *
   * @param limiters At least one limiter.
   * @throws {RangeError} When the list is empty.
   */
  constructor(limiters: readonly RateLimiter<K>[]) {
    if (limiters.length === 0) throw new RangeError("MaxOfRateLimiter needs at least one limiter");
    this.#limiters = [...limiters];
  }

  /** {@inheritDoc RateLimiter.when} */
  when(item: K): number {
    let longest = 0;
    for (const limiter of this.#limiters) longest = Math.max(longest, limiter.when(item));
    return longest;
  }

  /** {@inheritDoc RateLimiter.forget} */
  forget(item: K): void {
    for (const limiter of this.#limiters) limiter.forget(item);
  }

  /** {@inheritDoc RateLimiter.numRequeues} */
  numRequeues(item: K): number {
    let most = 0;
    for (const limiter of this.#limiters) most = Math.max(most, limiter.numRequeues(item));
    return most;
  }
}

/** Options of {@linkcode defaultControllerRateLimiter}. */
export interface DefaultControllerRateLimiterOptions
  extends ItemExponentialRateLimiterOptions, TokenBucketRateLimiterOptions {}

/**
 * client-go's default controller rate limiter: per item 5 ms doubling to
 * 1,000 s, and overall 10 per second with a burst of 100, whichever is longer.
 *
 * @param options Overrides of any of the four numbers, and the clock.
 * @returns The limiter.
 *
 * @example The default limiter
 * ```ts
 * import { defaultControllerRateLimiter } from "@kubesnap/kubesnap";
 * const limiter = defaultControllerRateLimiter();
 * console.log(limiter.when("default/web"), limiter.when("default/web")); // 5 10
 * ```
 */
export function defaultControllerRateLimiter<K = string>(
  options?: DefaultControllerRateLimiterOptions,
): RateLimiter<K> {
  options ??= {};
  return new MaxOfRateLimiter<K>([
    new ItemExponentialRateLimiter<K>(options),
    new TokenBucketRateLimiter<K>(options),
  ]);
}

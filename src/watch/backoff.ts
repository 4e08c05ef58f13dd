/**
 * Exponential backoff with jitter, as informers use between failed attempts.
 *
 * @module
 */

/** Options of {@linkcode Backoff}. */
export interface BackoffOptions {
  /** First delay in milliseconds. @default {800} */
  initialMs?: number | undefined;
  /** Multiplier applied after each delay. @default {2} */
  factor?: number | undefined;
  /** Each delay is `d + random() * jitter * d`. @default {1} */
  jitter?: number | undefined;
  /** Largest base delay (jitter comes on top, so waits at the cap are 30-60 s by default). @default {30000} */
  maxMs?: number | undefined;
  /** Start over from `initialMs` when this long passed since the previous delay was asked for. @default {120000} */
  resetAfterMs?: number | undefined;
  /** Current time in milliseconds. @default {Date.now} */
  now?: (() => number) | undefined;
  /** Uniform random number in [0, 1). @default {Math.random} */
  random?: (() => number) | undefined;
}

/**
 * Exponential backoff: 0.8 s doubling to 30 s, each delay jittered by up to
 * 100 %, reset after two minutes without a failure (the delay is asked for
 * only when something failed, so "two minutes since the last request" means
 * "two healthy minutes").
 *
 * @example Successive delays
 * ```ts
 * import { Backoff } from "@kubesnap/kubesnap";
 * const backoff = new Backoff({ random: () => 0 });
 * console.log(backoff.next(), backoff.next(), backoff.next()); // 800 1600 3200
 * ```
 */
export class Backoff {
  #initialMs: number;
  #factor: number;
  #jitter: number;
  #maxMs: number;
  #resetAfterMs: number;
  #now: () => number;
  #random: () => number;
  #currentMs: number;
  #lastRequest: number | undefined;

  /**
   * Creates a backoff.
   *
   * @param options Delays, jitter, reset window, clock and randomness.
   * @throws {RangeError} For non-positive delays or a factor below 1.
   */
  constructor(options?: BackoffOptions) {
    options ??= {};
    this.#initialMs = options.initialMs ?? 800;
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 1;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#resetAfterMs = options.resetAfterMs ?? 120_000;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    if (!(this.#initialMs > 0) || !(this.#maxMs >= this.#initialMs)) {
      throw new RangeError("backoff delays must be positive and maxMs >= initialMs");
    }
    if (!(this.#factor >= 1) || !(this.#jitter >= 0)) {
      throw new RangeError("backoff factor must be >= 1 and jitter >= 0");
    }
    this.#currentMs = this.#initialMs;
  }

  /**
   * The next delay in milliseconds; advances the backoff.
   *
   * @returns Milliseconds to wait.
   */
  next(): number {
    const now = this.#now();
    if (this.#lastRequest !== undefined && now - this.#lastRequest > this.#resetAfterMs) {
      this.#currentMs = this.#initialMs;
    }
    this.#lastRequest = now;
    const base = this.#currentMs;
    this.#currentMs = Math.min(this.#currentMs * this.#factor, this.#maxMs);
    return Math.round(base + this.#random() * this.#jitter * base);
  }

  /** Starts over from the initial delay. */
  reset(): void {
    this.#currentMs = this.#initialMs;
    this.#lastRequest = undefined;
  }
}

/**
 * Closes a watch that has been silent for too long. One timer per watch
 * (re-armed for the remaining time when it fires early), not one per event:
 * reading an event only records the time.
 *
 * @module
 */

import { WatchIdleError } from "../api/errors.ts";
import type { Clock } from "../_internal/clock.ts";

/**
 * Aborts `controller` with a {@linkcode WatchIdleError} after `idleMs`
 * without {@linkcode Watchdog.touch}.
 *
 * @example Guarding a read
 * ```ts
 * import { Watchdog } from "./watchdog.ts";
 * import { realClock } from "../_internal/clock.ts";
 * const controller = new AbortController();
 * const watchdog = new Watchdog(realClock, controller, 60_000);
 * watchdog.touch(); // after each event
 * watchdog.stop(); // when the watch ends
 * console.log(controller.signal.aborted); // false
 * ```
 */
export class Watchdog {
  /** Set once the watchdog has fired. */
  fired: WatchIdleError | undefined;
  #clock: Clock;
  #controller: AbortController;
  #idleMs: number;
  #last: number;
  #cancel: (() => void) | undefined;

  /**
   * Starts the watchdog.
   *
   * @param clock Time source.
   * @param controller Aborted when the watch goes silent.
   * @param idleMs Allowed silence in milliseconds.
   */
  constructor(clock: Clock, controller: AbortController, idleMs: number) {
    this.#clock = clock;
    this.#controller = controller;
    this.#idleMs = idleMs;
    this.#last = clock.now();
    this.#arm(idleMs);
  }

  /** Records activity. */
  touch(): void {
    this.#last = this.#clock.now();
  }

  /** Changes the allowed silence, counted from the last activity. */
  setIdleMs(idleMs: number): void {
    if (this.fired || this.#cancel === undefined) return;
    this.#idleMs = idleMs;
    this.#cancel();
    this.#arm(Math.max(0, idleMs - (this.#clock.now() - this.#last)));
  }

  /** Stops watching; idempotent. */
  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #arm(delayMs: number): void {
    this.#cancel = this.#clock.setTimer(() => this.#check(), delayMs);
  }

  #check(): void {
    const quiet = this.#clock.now() - this.#last;
    if (quiet >= this.#idleMs) {
      this.#cancel = undefined;
      this.fired = new WatchIdleError(this.#idleMs);
      this.#controller.abort(this.fired);
    } else {
      this.#arm(this.#idleMs - quiet);
    }
  }
}

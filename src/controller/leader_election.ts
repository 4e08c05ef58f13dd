/**
 * {@linkcode LeaderElector}: several replicas, one active, on a Lease, with
 * client-go's `leaderelection` semantics and defaults (lease 15 s, renew
 * deadline 10 s, retry period 2 s, jitter 1.2).
 *
 * How it works. A candidate reads the lock every retry period (jittered by
 * up to `jitterFactor` times the period). Whenever the record it reads
 * differs from the last one it saw, it notes the local time (the observed
 * time: the holder's `renewTime` is never compared with the local clock, so
 * clock offsets between machines do not matter). It takes the lock when it
 * is free (no holder) or when the record has not changed for
 * `leaseDurationSeconds` of local time since it was observed, by replacing
 * the Lease at the resourceVersion it read: of several candidates at most
 * one succeeds, the others get a 409 Conflict. The leader renews every
 * retry period.
 *
 * Safety. The leader believes it leads ({@linkcode LeaderElector.isLeader},
 * the signal given to `onStartedLeading`) only until `renewDeadlineMs`
 * after it *sent* its last successful renewal. A successor can write only
 * after it observed that renewal (which was written after it was sent) and
 * then waited `leaseDurationMs`. So two candidates never believe they lead
 * at the same time as long as `renewDeadlineMs · (1 + ρ) < leaseDurationMs
 * · (1 − ρ)`, where ρ is how much faster or slower any candidate's clock
 * runs than real time (ρ < 0.2 with the defaults; clock offsets are free).
 * (client-go counts the renew deadline from the start of each renewal
 * round, up to a retry period later, so its bound also depends on request
 * latency; counting from the send removes that term.) A replica that is
 * paused past its deadline learns it lost on resumption: `isLeader()` reads
 * the clock, and the signal aborts at the first chance.
 *
 * Liveness. When a leader dies, a candidate takes over within
 * `leaseDurationMs` plus one jittered retry period (to observe the last
 * renewal) of the leader's last renewal, which was at most a retry period
 * before its death: a candidate that knows when the lease expires tries
 * again at that moment rather than at its next jittered retry (client-go
 * waits for the retry, up to another `retryPeriodMs · (1 + jitterFactor)`).
 * When the leader shuts down, it releases the lock (`holderIdentity: ""`,
 * `leaseDurationSeconds: 1`), and a candidate takes over at its next retry.
 *
 * @module
 */

import { ApiError } from "../api/errors.ts";
import { type Clock, realClock } from "../_internal/clock.ts";
import type { KubeClient } from "../client/kube_client.ts";
import {
  formatMicroTime,
  type LeaderElectionRecord,
  LeaseLock,
  type ResourceLock,
} from "./lease_lock.ts";

/** Options of {@linkcode LeaderElector}. */
export interface LeaderElectorOptions {
  /** Where the record lives: a {@linkcode LeaseLock}, or `{ client, namespace, name }` for one. */
  lock: ResourceLock | { client: KubeClient; namespace: string; name: string };
  /** This candidate's identity, unique among the candidates (such as the pod name). */
  identity: string;
  /** How long others wait, after seeing the last renewal, before taking over. @default {15000} */
  leaseDurationMs?: number | undefined;
  /** How long after sending its last successful renewal the leader still considers itself leader. @default {10000} */
  renewDeadlineMs?: number | undefined;
  /** Time between attempts. @default {2000} */
  retryPeriodMs?: number | undefined;
  /** Candidates wait `retryPeriodMs · (1 + random · jitterFactor)` between attempts. @default {1.2} */
  jitterFactor?: number | undefined;
  /** Give up the lock when `run`'s signal aborts, so that a successor takes over at once. @default {true} */
  releaseOnCancel?: boolean | undefined;
  /**
   * Called when this candidate becomes leader; `signal` aborts when it stops
   * leading. A returned promise is awaited (as long as this candidate is
   * still safely the leader) before the lock is released.
   */
  onStartedLeading?: ((signal: AbortSignal) => unknown) | undefined;
  /** Called when this candidate stops leading (after having started). */
  onStoppedLeading?: (() => void) | undefined;
  /** Called when a new holder is observed (this candidate included; a released lock is not reported). */
  onNewLeader?: ((identity: string) => void) | undefined;
  /** Told about each failed attempt (API errors, conflicts); the elector retries regardless. */
  onError?: ((error: unknown) => void) | undefined;
  /** Time source. @default {realClock} */
  clock?: Clock | undefined;
  /** Randomness of the jitter. @default {Math.random} */
  random?: (() => number) | undefined;
}

/**
 * Elects one leader among candidates that share a Lease.
 *
 * @example Two candidates, one leader
 * ```ts
 * import { LeaderElector } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 * const server = new FakeApiServer();
 * const ac = new AbortController();
 * const started: string[] = [];
 * const candidate = (identity: string) =>
 *   new LeaderElector({
 *     lock: { client: server.client(), namespace: "default", name: "my-controller" },
 *     identity,
 *     retryPeriodMs: 20,
 *     onStartedLeading: () => {
 *       started.push(identity);
 *       ac.abort(); // stop both once one leads
 *     },
 *   }).run(ac.signal);
 * await Promise.all([candidate("a"), candidate("b")]);
 * console.log(started.length); // 1
 * await server.close();
 * ```
 */
export class LeaderElector {
  /** This candidate's identity. */
  readonly identity: string;
  readonly #lock: ResourceLock;
  readonly #leaseMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryMs: number;
  readonly #jitter: number;
  readonly #release: boolean;
  readonly #options: LeaderElectorOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  #observed: LeaderElectionRecord | undefined;
  #observedAt = 0;
  #reportedLeader = "";
  /** Until when (local time) this candidate may consider itself leader; 0 when it does not lead. */
  #deadline = 0;
  #running = false;

  /**
   * Creates a candidate (nothing happens until {@linkcode LeaderElector.run}).
   *
   * @param options Lock, identity, timings, callbacks.
   * @throws {RangeError} When the timings cannot be safe (renew deadline not below the lease
   * duration, retry period not below the renew deadline, jitter negative).
   * @throws {TypeError} When the identity is empty.
   */
  constructor(options: LeaderElectorOptions) {
    if (!options.identity) throw new TypeError("a LeaderElector needs a non-empty identity");
    this.identity = options.identity;
    this.#lock = "get" in options.lock
      ? options.lock
      : new LeaseLock(options.lock.client, options.lock.namespace, options.lock.name);
    this.#leaseMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryMs = options.retryPeriodMs ?? 2_000;
    this.#jitter = options.jitterFactor ?? 1.2;
    if (!(this.#retryMs > 0) || !(this.#renewDeadlineMs > this.#retryMs)) {
      throw new RangeError(
        `retryPeriodMs (${this.#retryMs}) must be positive and below renewDeadlineMs (${this.#renewDeadlineMs})`,
      );
    }
    if (!(this.#leaseMs > this.#renewDeadlineMs)) {
      throw new RangeError(
        `leaseDurationMs (${this.#leaseMs}) must be above renewDeadlineMs (${this.#renewDeadlineMs})`,
      );
    }
    if (!(this.#jitter >= 0)) {
      throw new RangeError(`jitterFactor must be >= 0, got ${this.#jitter}`);
    }
    this.#release = options.releaseOnCancel ?? true;
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
  }

  /** True while this candidate leads: it renewed recently enough (read from the clock). */
  isLeader(): boolean {
    return this.#deadline > 0 && this.#clock.now() < this.#deadline;
  }

  /** The holder last observed in the lock; `""` when none was. */
  getLeader(): string {
    return this.#observed?.holderIdentity ?? "";
  }

  /**
   * Campaigns until this candidate leads, then leads until it fails to
   * renew or `signal` aborts (then releases the lock, if configured).
   * Resolves when it stops leading or `signal` aborts; run it again to
   * stand again.
   *
   * @param signal Stops campaigning or leading.
   * @returns Resolves when done.
   * @throws {TypeError} When this elector is running already.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new TypeError(`LeaderElector ${this.identity} is running already`);
    this.#running = true;
    try {
      if (!(await this.#acquire(signal))) return;
      await this.#lead(signal);
    } finally {
      this.#running = false;
    }
  }

  /** Tries every jittered retry period until the lock is ours; false when aborted. */
  async #acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(signal)) return true;
      const jittered = this.#retryMs * (1 + this.#random() * this.#jitter);
      // A lease known to expire before the next retry is tried the moment it expires.
      const expiresIn = this.#expiresIn();
      const wait = expiresIn !== undefined && expiresIn >= 0 && expiresIn < jittered
        ? expiresIn
        : jittered;
      try {
        await this.#clock.sleep(wait, signal);
      } catch {
        return false;
      }
    }
    return false;
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const leading = new AbortController();
    let cancelTimer = () => {};
    const armDeadline = () => {
      cancelTimer();
      cancelTimer = this.#clock.setTimer(() => {
        if (this.#clock.now() >= this.#deadline) leading.abort(new Error("leadership lost"));
        else armDeadline(); // renewed meanwhile
      }, this.#deadline - this.#clock.now());
    };
    armDeadline();
    const stop = AbortSignal.any([signal, leading.signal]);
    let work: Promise<unknown> = Promise.resolve();
    try {
      work = Promise.resolve()
        .then(() => this.#options.onStartedLeading?.(leading.signal))
        .catch((err) => this.#options.onError?.(err));
      while (!stop.aborted) {
        try {
          await this.#clock.sleep(this.#retryMs, stop);
        } catch {
          break;
        }
        const previous = this.#deadline;
        // A failed renewal is retried every retry period until the deadline.
        if (await this.#tryAcquireOrRenew(stop) && this.#deadline !== previous) armDeadline();
      }
    } finally {
      cancelTimer();
      // Stop the leader's work while it is still safely the leader, then give up the lock.
      const remaining = this.#deadline - this.#clock.now();
      if (!leading.signal.aborted) leading.abort(signal.reason ?? new Error("leadership lost"));
      if (remaining > 0) await this.#within(work, remaining);
      this.#deadline = 0;
      if (signal.aborted && this.#release && remaining > 0) await this.#releaseLock();
      this.#options.onStoppedLeading?.();
    }
  }

  /** Waits for `promise` at most `ms`. */
  async #within(promise: Promise<unknown>, ms: number): Promise<void> {
    let cancel = () => {};
    await Promise.race([
      promise,
      new Promise<void>((resolve) => (cancel = this.#clock.setTimer(resolve, ms))),
    ]);
    cancel();
  }

  /** One attempt (client-go's `tryAcquireOrRenew`); true when the lock is ours now. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const sentAt = this.#clock.now();
    // The attempt is abandoned at the renew deadline, so a hanging request cannot outlive it.
    const timeout = new AbortController();
    const cancelTimeout = this.#clock.setTimer(
      () => timeout.abort(new Error("the attempt took longer than the renew deadline")),
      this.#renewDeadlineMs,
    );
    const requestSignal = AbortSignal.any([signal, timeout.signal]);
    const micro = formatMicroTime(sentAt);
    try {
      const current = await this.#lock.get({ signal: requestSignal });
      const record: LeaderElectionRecord = {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.#leaseMs / 1000),
        acquireTime: micro,
        renewTime: micro,
        leaseTransitions: 0,
      };
      if (current === undefined) {
        await this.#lock.create(record, { signal: requestSignal });
        this.#succeeded(record, sentAt);
        return true;
      }
      this.#observe(current);
      const holder = current.holderIdentity;
      if (
        holder !== "" && holder !== this.identity &&
        this.#clock.now() < this.#observedAt + current.leaseDurationSeconds * 1000
      ) {
        return false; // held by another, not expired
      }
      const next: LeaderElectionRecord = holder === this.identity
        ? {
          ...record,
          acquireTime: current.acquireTime,
          leaseTransitions: current.leaseTransitions,
        }
        : { ...record, leaseTransitions: current.leaseTransitions + 1 };
      await this.#lock.update(next, { signal: requestSignal });
      this.#succeeded(next, sentAt);
      return true;
    } catch (err) {
      if (!signal.aborted) this.#options.onError?.(err);
      return false;
    } finally {
      cancelTimeout();
    }
  }

  /** Milliseconds until the lease held by another candidate expires (by local observation). */
  #expiresIn(): number | undefined {
    const observed = this.#observed;
    if (observed === undefined || observed.holderIdentity === "") return undefined;
    if (observed.holderIdentity === this.identity) return undefined;
    return this.#observedAt + observed.leaseDurationSeconds * 1000 - this.#clock.now();
  }

  #succeeded(record: LeaderElectionRecord, sentAt: number): void {
    this.#observe(record);
    const deadline = sentAt + this.#renewDeadlineMs;
    // A renewal that lands after the deadline does not revive a leadership that has ended.
    if (this.#deadline === 0 || this.#clock.now() < this.#deadline) {
      this.#deadline = Math.max(this.#deadline, deadline);
    }
  }

  #observe(record: LeaderElectionRecord): void {
    if (this.#observed === undefined || !sameRecord(this.#observed, record)) {
      this.#observed = record;
      this.#observedAt = this.#clock.now();
    }
    const holder = record.holderIdentity;
    if (holder !== "" && holder !== this.#reportedLeader) {
      this.#reportedLeader = holder;
      this.#options.onNewLeader?.(holder);
    }
  }

  /** Gives up the lock (client-go's ReleaseOnCancel): no holder, a 1-second lease. */
  async #releaseLock(): Promise<void> {
    if (this.#observed?.holderIdentity !== this.identity) return;
    const now = formatMicroTime(this.#clock.now());
    const released: LeaderElectionRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.#observed.leaseTransitions,
    };
    const timeout = new AbortController();
    const cancel = this.#clock.setTimer(() => timeout.abort(), this.#renewDeadlineMs);
    try {
      try {
        await this.#lock.update(released, { signal: timeout.signal });
      } catch (err) {
        // A renewal cut short by the stop may still have reached the server, so the lock's
        // resourceVersion is stale: read it again and release it if it is still ours.
        if (!(err instanceof ApiError && err.code === 409)) throw err;
        const current = await this.#lock.get({ signal: timeout.signal });
        if (current?.holderIdentity !== this.identity) return;
        await this.#lock.update(
          { ...released, leaseTransitions: current.leaseTransitions },
          { signal: timeout.signal },
        );
      }
      this.#observe(released);
    } catch (err) {
      this.#options.onError?.(err);
    } finally {
      cancel();
    }
  }
}

function sameRecord(a: LeaderElectionRecord, b: LeaderElectionRecord): boolean {
  return a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds && a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime && a.leaseTransitions === b.leaseTransitions;
}

/**
 * A seeded election run on one fake clock: candidates whose clocks run a
 * little fast or slow (and are offset by up to an hour), who can be paused
 * (their timers and responses held) and killed (nothing of them runs
 * again, the lock is never released), talking to an in-process fake
 * apiserver through a fetch that adds latency; the server fails random
 * requests. Safety is checked every time a candidate starts leading and at
 * every step; liveness after each kill.
 */

import { KubeClient, LeaderElector, leases } from "../../mod.ts";
import type { Clock } from "../../mod.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";
import { seededRandom } from "../_helpers/random.ts";

/** A candidate's view of time: skewed rate, offset, pausable, killable. */
export class CandidateClock implements Clock {
  paused = false;
  dead = false;
  readonly #base: FakeClock;
  readonly #rate: number;
  readonly #offset: number;
  #held = new Set<() => void>();
  #resumeWaiters: (() => void)[] = [];

  constructor(base: FakeClock, rate: number, offset: number) {
    this.#base = base;
    this.#rate = rate;
    this.#offset = offset;
  }

  now(): number {
    return this.#offset + this.#base.now() * this.#rate;
  }

  setTimer(fn: () => void, ms: number): () => void {
    if (this.dead) return () => {};
    let cancelled = false;
    const run = () => {
      if (cancelled || this.dead) return;
      if (this.paused) this.#held.add(run);
      else fn();
    };
    const cancelBase = this.#base.setTimer(run, Math.max(0, ms) / this.#rate);
    return () => {
      cancelled = true;
      cancelBase();
      this.#held.delete(run);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = this.setTimer(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Resolves when the candidate is running (not paused); never when dead. */
  whenRunning(): Promise<void> {
    if (this.dead) return new Promise(() => {});
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => this.#resumeWaiters.push(resolve));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused || this.dead) return;
    this.paused = false;
    const held = [...this.#held];
    this.#held.clear();
    for (const fn of held) fn();
    for (const wake of this.#resumeWaiters.splice(0)) wake();
  }

  kill(): void {
    this.dead = true;
    this.#held.clear();
    this.#resumeWaiters = [];
  }
}

/** Options of {@linkcode runElection}. */
export interface ElectionOptions {
  seed: number;
  candidates: number;
  /** Fake time to run, in ms. */
  durationMs: number;
  /** Fake-time step between checks, in ms. */
  stepMs?: number;
  /** Largest rate deviation of a candidate's clock (0.1 = ±10%). */
  maxSkew: number;
  /** Largest one-way latency of a request, in ms. */
  maxLatencyMs: number;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** What a run saw. */
export interface ElectionReport {
  /** Moments (fake time) at which two candidates believed they led. */
  overlaps: string[];
  /** Takeover times after kills in a quiet window (fake ms from the kill to a new leader). */
  takeovers: number[];
  /** Kills whose successor took longer than `takeoverBoundMs`. */
  lateTakeovers: string[];
  takeoverBoundMs: number;
  leaderships: number;
  kills: number;
  pauses: number;
  faults: number;
  conflicts: number;
  /** Whether the lease was free after every candidate stopped (or nobody led then). */
  releasedAtStop: boolean;
}

interface Candidate {
  identity: string;
  clock: CandidateClock;
  elector: LeaderElector;
  stop: AbortController;
  running: Promise<void>;
}

/** Runs one seeded election scenario. */
export async function runElection(options: ElectionOptions): Promise<ElectionReport> {
  const random = seededRandom(options.seed);
  const base = new FakeClock({ start: 1_700_000_000_000, flushTurns: 300 });
  const server = new FakeApiServer();
  const stepMs = options.stepMs ?? 50;
  const leaseMs = options.leaseDurationMs ?? 15_000;
  const renewMs = options.renewDeadlineMs ?? 10_000;
  const retryMs = options.retryPeriodMs ?? 2_000;
  const jitter = 1.2;
  const slowest = 1 - options.maxSkew;
  // From the kill: the last renewal was up to a retry period (and a request) earlier; then one
  // jittered retry to observe it, the lease, and the latency of the requests involved, all on the
  // slowest clock.
  const takeoverBoundMs = (leaseMs + retryMs * (1 + jitter)) / slowest +
    6 * options.maxLatencyMs;
  const report: ElectionReport = {
    overlaps: [],
    takeovers: [],
    lateTakeovers: [],
    takeoverBoundMs,
    leaderships: 0,
    kills: 0,
    pauses: 0,
    faults: 0,
    conflicts: 0,
    releasedAtStop: false,
  };
  const candidates: Candidate[] = [];
  let next = 0;

  const latency = (clock: CandidateClock, signal: AbortSignal | null) =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        cancel();
        reject(signal?.reason);
      };
      const cancel = base.setTimer(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, random() * options.maxLatencyMs);
      signal?.addEventListener("abort", onAbort, { once: true });
    }).then(() => clock.whenRunning());

  const abortable = <T>(promise: Promise<T>, signal: AbortSignal | null): Promise<T> =>
    signal === null ? promise : Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
    ]);

  const others = (self: Candidate) =>
    candidates.filter((c) => c !== self && !c.clock.dead && c.elector.isLeader());

  const spawn = () => {
    const identity = `candidate-${next++}`;
    const rate = 1 + (random() * 2 - 1) * options.maxSkew;
    const clock = new CandidateClock(base, rate, (random() * 2 - 1) * 3_600_000);
    const fetch = async (request: Request): Promise<Response> => {
      const signal = request.signal;
      await abortable(latency(clock, signal), signal);
      const response = await server.fetch(request);
      const body = await response.arrayBuffer();
      if (response.status === 409) report.conflicts++;
      await abortable(latency(clock, signal), signal);
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const client = new KubeClient({ server: "http://fake.invalid", fetch });
    const stop = new AbortController();
    const candidate: Candidate = {
      identity,
      clock,
      stop,
      running: Promise.resolve(),
      elector: undefined as unknown as LeaderElector,
    };
    candidate.elector = new LeaderElector({
      lock: { client, namespace: "default", name: "election" },
      identity,
      leaseDurationMs: leaseMs,
      renewDeadlineMs: renewMs,
      retryPeriodMs: retryMs,
      clock,
      random,
      onStartedLeading: () => {
        report.leaderships++;
        if (!candidate.elector.isLeader()) return; // lost already (it was paused, say)
        for (const other of others(candidate)) {
          report.overlaps.push(
            `${identity} started leading at ${base.now()} while ${other.identity} led`,
          );
        }
      },
    });
    // Each candidate stands again after losing, until it is stopped or killed.
    candidate.running = (async () => {
      while (!stop.signal.aborted && !clock.dead) await candidate.elector.run(stop.signal);
    })();
    candidates.push(candidate);
  };

  for (let i = 0; i < options.candidates; i++) spawn();
  let quietUntil = 0;
  let killedAt: number | undefined;
  let killedWasQuiet = false;
  const start = base.now();

  while (base.now() - start < options.durationMs) {
    const now = base.now();
    const live = candidates.filter((c) => !c.clock.dead);
    const quiet = now < quietUntil;
    // Faults: API errors, pauses and resumptions, outside the quiet window after a kill.
    if (!quiet && random() < 0.02) {
      server.failNext({
        status: [500, 503, 429, 409][Math.floor(random() * 4)]!,
        count: 1 + Math.floor(random() * 3),
        match: { resource: "leases" },
      });
      report.faults++;
    }
    if (!quiet && random() < 0.004) {
      const victim = live[Math.floor(random() * live.length)];
      if (victim && !victim.clock.paused) {
        victim.clock.pause();
        report.pauses++;
      }
    }
    for (const c of live) if (c.clock.paused && random() < 0.01) c.clock.resume();
    // Kill the leader now and then, and start a new candidate in its place.
    const leader = live.find((c) => c.elector.isLeader());
    const timeLeft = options.durationMs - (now - start);
    if (leader && killedAt === undefined && timeLeft > takeoverBoundMs && random() < 0.003) {
      leader.clock.kill();
      report.kills++;
      killedAt = now;
      server.clearFaults();
      for (const c of live) c.clock.resume();
      quietUntil = now + takeoverBoundMs + 1000;
      killedWasQuiet = true;
      spawn();
    }
    await base.advance(stepMs);
    // Safety at every step as well.
    const leading = candidates.filter((c) => !c.clock.dead && c.elector.isLeader());
    if (leading.length > 1) {
      report.overlaps.push(
        `at ${base.now()}: ${leading.map((c) => c.identity).join(", ")} all believe they lead`,
      );
    }
    if (killedAt !== undefined && leading.length > 0) {
      const took = base.now() - killedAt;
      if (killedWasQuiet) report.takeovers.push(took);
      if (killedWasQuiet && took > takeoverBoundMs) {
        report.lateTakeovers.push(`kill at ${killedAt}: took ${took} ms`);
      }
      killedAt = undefined;
    }
  }

  // Stopping: a candidate that leads releases the lease on its way out.
  server.clearFaults();
  for (const c of candidates) c.clock.resume();
  const leadingAtStop = candidates.filter((c) => !c.clock.dead && c.elector.isLeader());
  for (const c of candidates) c.stop.abort();
  await base.runUntilIdle(10_000).catch(() => {});
  const holder = server.get(leases, "default", "election")?.spec?.holderIdentity ?? "";
  if (leadingAtStop.some((c) => c.identity === holder)) {
    report.overlaps.push(`${holder} led when stopped and did not release the lease`);
  }
  report.releasedAtStop = leadingAtStop.length === 0 || holder === "";
  for (const c of candidates) c.clock.kill();
  await server.close();
  return report;
}

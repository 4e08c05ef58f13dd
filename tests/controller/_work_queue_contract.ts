/**
 * The work queue contract (client-go's `workqueue` semantics), as one suite
 * that runs against any queue built by a factory over a fake clock:
 * de-duplication, dirty-while-processing, delays, rate limits, shutdown and
 * drain, metrics.
 */

import type { RateLimiter, WorkQueueMetrics } from "../../mod.ts";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";

/** The queue surface the contract checks. */
export interface QueueUnderTest {
  add(key: string): void;
  addAfter(key: string, ms: number): void;
  addRateLimited(key: string): void;
  forget(key: string): void;
  numRequeues(key: string): number;
  get(options?: { signal?: AbortSignal }): Promise<string | undefined>;
  done(key: string): void;
  len(): number;
  shutdown(): void;
  shutdownWithDrain(options?: { signal?: AbortSignal }): Promise<void>;
  readonly shuttingDown: boolean;
  metrics(): WorkQueueMetrics;
}

/** Builds a queue on `clock`, with `rateLimiter` when given. */
export type QueueFactory = (
  clock: FakeClock,
  rateLimiter?: RateLimiter<string>,
) => QueueUnderTest;

/** Takes every key waiting now (each one `done` at once). */
async function drainNow(queue: QueueUnderTest): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) {
    const key = (await queue.get())!;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

/** Runs the contract as steps of `t`. */
export async function workQueueContract(t: Deno.TestContext, make: QueueFactory): Promise<void> {
  await t.step("a key added twice while waiting is handed out once", async () => {
    const queue = make(new FakeClock());
    queue.add("a");
    queue.add("b");
    queue.add("a");
    assertEquals(queue.len(), 2);
    assertEquals(await drainNow(queue), ["a", "b"]);
    assertEquals(queue.metrics().adds, 2);
    queue.shutdown();
  });

  await t.step("a key added while processing waits until done, then comes back once", async () => {
    const queue = make(new FakeClock());
    queue.add("a");
    const key = await queue.get();
    assertEquals(key, "a");
    queue.add("a");
    queue.add("a");
    assertEquals(queue.len(), 0, "not handed to a second worker while processing");
    const second = queue.get();
    let secondKey: string | undefined = "pending";
    second.then((k) => (secondKey = k));
    await Promise.resolve();
    assertEquals(secondKey, "pending");
    queue.done("a");
    assertEquals(await second, "a");
    queue.done("a");
    assertEquals(queue.len(), 0);
    queue.shutdown();
  });

  await t.step("concurrent workers never hold one key at once", async () => {
    const clock = new FakeClock();
    const queue = make(clock);
    const holding = new Set<string>();
    let overlaps = 0;
    let processed = 0;
    const worker = async () => {
      for (let key; (key = await queue.get()) !== undefined;) {
        if (holding.has(key)) overlaps++;
        holding.add(key);
        await Promise.resolve();
        if (processed++ < 200) queue.add(key); // re-added while processing
        await Promise.resolve();
        holding.delete(key);
        queue.done(key);
      }
    };
    const workers = Promise.all([worker(), worker(), worker(), worker()]);
    for (let i = 0; i < 50; i++) queue.add(`k${i % 5}`);
    await clock.flush();
    await queue.shutdownWithDrain();
    await workers;
    assertEquals(overlaps, 0);
    assert(processed > 5, `processed only ${processed}`);
  });

  await t.step(
    "get waits for a key, and rejects with the reason when its signal aborts",
    async () => {
      const queue = make(new FakeClock());
      const waiting = queue.get();
      queue.add("x");
      assertEquals(await waiting, "x");
      queue.done("x");
      const ac = new AbortController();
      const aborted = queue.get({ signal: ac.signal });
      ac.abort(new RangeError("stop"));
      await assertRejects(aborted, RangeError, "stop");
      queue.add("y"); // the aborted get took nothing
      assertEquals(queue.len(), 1);
      queue.shutdown();
    },
  );

  await t.step(
    "addAfter waits on the clock; an earlier delay wins; shutdown drops delays",
    async () => {
      const clock = new FakeClock();
      const queue = make(clock);
      queue.addAfter("a", 100);
      queue.addAfter("a", 50);
      queue.addAfter("a", 500);
      queue.addAfter("b", 0);
      assertEquals(queue.len(), 1);
      assertEquals(queue.metrics().delayed, 1);
      await clock.advance(49);
      assertEquals(queue.len(), 1);
      await clock.advance(1);
      assertEquals(queue.len(), 2);
      assertEquals(clock.pendingTimers, 0, "the later delays were merged");
      queue.addAfter("c", 1000);
      assertEquals(clock.pendingTimers, 1);
      queue.shutdown();
      assertEquals(clock.pendingTimers, 0, "shutdown leaves no timer");
      queue.add("d");
      queue.addAfter("d", 1);
      assertEquals(queue.len(), 2, "adds after shutdown are ignored");
    },
  );

  await t.step("the default rate limiter: 5 ms doubling per key, forget resets", async () => {
    const clock = new FakeClock();
    const queue = make(clock);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = clock.now();
      queue.addRateLimited("a");
      await clock.next();
      delays.push(clock.now() - before);
      assertEquals(await queue.get(), "a");
      queue.done("a");
    }
    assertEquals(delays, [5, 10, 20, 40, 80]);
    assertEquals(queue.numRequeues("a"), 5);
    queue.forget("a");
    assertEquals(queue.numRequeues("a"), 0);
    queue.addRateLimited("a");
    assertEquals(clock.nextTimerIn, 5);
    assertEquals(queue.metrics().retries, 6);
    queue.shutdown();
  });

  await t.step("the default rate limiter: per key capped at 1,000 s", async () => {
    const clock = new FakeClock();
    const queue = make(clock);
    for (let i = 0; i < 30; i++) {
      queue.addRateLimited("a");
      await clock.next();
      await queue.get();
      queue.done("a");
    }
    queue.addRateLimited("a");
    assertEquals(clock.nextTimerIn, 1_000_000);
    queue.shutdown();
  });

  await t.step("the default rate limiter: 100 keys at once, then 10 per second", async () => {
    const clock = new FakeClock();
    const queue = make(clock);
    for (let i = 0; i < 100; i++) queue.addRateLimited(`burst-${i}`);
    // Within the burst each key waits only its own 5 ms.
    assertEquals(clock.nextTimerIn, 5);
    await clock.advance(5);
    assertEquals(queue.len(), 100);
    await drainNow(queue);
    // The bucket is empty: the next keys are spaced 100 ms apart.
    for (let i = 0; i < 5; i++) queue.addRateLimited(`late-${i}`);
    const arrivals: number[] = [];
    const start = clock.now();
    while (arrivals.length < 5) {
      await clock.next();
      for (const _ of await drainNow(queue)) arrivals.push(clock.now() - start);
    }
    // The 5 ms waited above refilled 0.05 of a token, so the first waits 95 ms.
    assertEquals(arrivals.map((ms) => Math.round(ms)), [95, 195, 295, 395, 495]);
    queue.shutdown();
  });

  await t.step("a custom rate limiter decides the delays", () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    const limiter: RateLimiter<string> = {
      when: (key) => {
        calls.push(key);
        return 42;
      },
      forget: () => {},
      numRequeues: () => 7,
    };
    const queue = make(clock, limiter);
    queue.addRateLimited("a");
    assertEquals(clock.nextTimerIn, 42);
    assertEquals(queue.numRequeues("a"), 7);
    assertEquals(calls, ["a"]);
    queue.shutdown();
    assertEquals(clock.pendingTimers, 0);
  });

  await t.step(
    "after shutdown, waiting keys are still handed out, then get resolves undefined",
    async () => {
      const queue = make(new FakeClock());
      const idle = queue.get();
      queue.add("a"); // taken by the idle get
      queue.add("b");
      queue.add("c");
      assertEquals(await idle, "a");
      queue.shutdown();
      assert(queue.shuttingDown);
      assertEquals(await queue.get(), "b");
      assertEquals(await queue.get(), "c");
      assertEquals(await queue.get(), undefined);
      const waiters = [queue.get(), queue.get()];
      assertEquals(await Promise.all(waiters), [undefined, undefined]);
    },
  );

  await t.step("shutdown wakes every idle get with undefined", async () => {
    const queue = make(new FakeClock());
    const waiters = [queue.get(), queue.get(), queue.get()];
    queue.shutdown();
    assertEquals(await Promise.all(waiters), [undefined, undefined, undefined]);
  });

  await t.step("shutdownWithDrain waits until every key handed out is done", async () => {
    const queue = make(new FakeClock());
    queue.add("a");
    queue.add("b");
    const a = (await queue.get())!;
    let drained = false;
    const draining = queue.shutdownWithDrain().then(() => (drained = true));
    await Promise.resolve();
    assertEquals(drained, false);
    queue.done(a);
    await Promise.resolve();
    assertEquals(drained, false, "b is still waiting to be handed out");
    const b = (await queue.get())!;
    queue.done(b);
    await draining;
    assertEquals(drained, true);
    // An aborted drain rejects and leaves the queue shut down.
    const other = make(new FakeClock());
    other.add("x");
    await other.get();
    const ac = new AbortController();
    const wait = other.shutdownWithDrain({ signal: ac.signal });
    ac.abort(new RangeError("enough"));
    await assertRejects(wait, RangeError);
    assert(other.shuttingDown);
  });

  await t.step(
    "metrics: depth, latency, work duration, unfinished and longest running",
    async () => {
      const clock = new FakeClock();
      const queue = make(clock);
      queue.add("a");
      queue.add("b");
      assertEquals(queue.metrics().depth, 2);
      await clock.advance(30);
      const a = (await queue.get())!;
      await clock.advance(10);
      const b = (await queue.get())!;
      await clock.advance(5);
      let m = queue.metrics();
      assertEquals(m.processing, 2);
      assertEquals(m.unfinishedWorkMs, 15 + 5);
      assertEquals(m.longestRunningProcessorMs, 15);
      assertEquals(m.queueLatency, { count: 2, sumMs: 70, maxMs: 40 });
      queue.done(a);
      queue.done(b);
      m = queue.metrics();
      assertEquals(m.workDuration, { count: 2, sumMs: 20, maxMs: 15 });
      assertEquals(m.unfinishedWorkMs, 0);
      assertEquals(m.depth, 0);
      queue.shutdown();
      assert(queue.metrics().shuttingDown);
    },
  );
}

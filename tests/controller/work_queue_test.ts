import { ItemExponentialRateLimiter, WorkQueue } from "../../mod.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";
import { workQueueContract } from "./_work_queue_contract.ts";

Deno.test("WorkQueue keeps the work queue contract", async (t) => {
  await workQueueContract(t, (clock, rateLimiter) => new WorkQueue<string>({ clock, rateLimiter }));
});

Deno.test("WorkQueue.watchMetrics yields snapshots on the clock and ends after a drained shutdown", async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue<string>({ clock });
  const seen: number[] = [];
  const watching = (async () => {
    for await (const m of queue.watchMetrics({ intervalMs: 100 })) seen.push(m.depth);
  })();
  await clock.flush();
  queue.add("a");
  await clock.advance(100);
  queue.add("b");
  await clock.advance(100);
  const key = (await queue.get())!;
  queue.shutdown();
  await clock.flush();
  queue.done(key);
  await queue.get().then((k) => k && queue.done(k));
  await watching;
  // Shutdown wakes the watcher at once (one key taken, one waiting), then once drained.
  assertEquals(seen, [0, 1, 2, 1, 0]);
  assertEquals(clock.pendingTimers, 0);
});

Deno.test("WorkQueue.watchMetrics stops when its signal aborts and leaves no timer", async () => {
  const clock = new FakeClock();
  const queue = new WorkQueue<string>({ clock });
  const ac = new AbortController();
  let count = 0;
  const watching = (async () => {
    for await (const _ of queue.watchMetrics({ intervalMs: 1000, signal: ac.signal })) count++;
  })();
  await clock.advance(2500);
  ac.abort();
  await watching;
  assertEquals(count, 3);
  assertEquals(clock.pendingTimers, 0);
  queue.shutdown();
});

Deno.test("WorkQueue on the real clock leaves no timer behind after shutdown (sanitizers on)", async () => {
  const queue = new WorkQueue<string>({
    rateLimiter: new ItemExponentialRateLimiter({ baseDelayMs: 60_000 }),
  });
  queue.addRateLimited("a");
  queue.addAfter("b", 60_000);
  const ac = new AbortController();
  const pending = queue.get({ signal: ac.signal }).catch(() => "aborted");
  ac.abort();
  assertEquals(await pending, "aborted");
  queue.shutdown();
});

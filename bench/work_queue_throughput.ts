/**
 * Keys per second through a no-op reconcile, with 1 and 8 workers: once
 * through the bare {@linkcode WorkQueue} (get, no-op, forget, done), once
 * through a {@linkcode Controller}'s workers (keys added to its queue, the
 * reconcile an async no-op). Distinct keys, added all at once, and the same
 * with every key added twice (the second add is de-duplicated).
 *
 * Run: `deno run --allow-net=127.0.0.1 bench/work_queue_throughput.ts [--keys 200000] [--rounds 3]`
 *
 * @module
 */

import { Controller, type Pod, pods, SharedInformerFactory, WorkQueue } from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";

const args = Deno.args;
const flag = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const KEYS = flag("--keys", 200_000);
const ROUNDS = flag("--rounds", 3);
const keys = Array.from({ length: KEYS }, (_, i) => `ns-${i % 100}/pod-${i}`);
const noop = async () => {};

async function bareQueue(workers: number, duplicates: boolean): Promise<number> {
  const queue = new WorkQueue<string>();
  const worker = async () => {
    for (let key; (key = await queue.get()) !== undefined;) {
      await noop();
      queue.forget(key);
      queue.done(key);
    }
  };
  const start = performance.now();
  const running = Promise.all(Array.from({ length: workers }, worker));
  for (const key of keys) {
    queue.add(key);
    if (duplicates) queue.add(key);
  }
  await queue.shutdownWithDrain();
  await running;
  return KEYS / ((performance.now() - start) / 1000);
}

async function controller(workers: number, server: FakeApiServer): Promise<number> {
  const factory = new SharedInformerFactory(server.client());
  let done = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((resolve) => (finished = resolve));
  const c = new Controller<Pod>({
    factory,
    resource: pods,
    workers,
    reconcile: async () => {
      await noop();
      if (++done === KEYS) finished();
    },
  });
  const ac = new AbortController();
  const running = c.run(ac.signal);
  await factory.waitForCacheSync();
  const start = performance.now();
  for (const key of keys) c.queue.add(key);
  await all;
  const rate = KEYS / ((performance.now() - start) / 1000);
  ac.abort();
  await running;
  await factory.shutdown();
  return rate;
}

const server = await FakeApiServer.start();
const rows: string[] = [];
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const workers of [1, 8]) {
  for (
    const [name, run] of [
      ["WorkQueue, distinct keys", () => bareQueue(workers, false)],
      ["WorkQueue, every key added twice", () => bareQueue(workers, true)],
      ["Controller, no-op reconcile", () => controller(workers, server)],
    ] as const
  ) {
    await run(); // warm-up
    const rates: number[] = [];
    for (let i = 0; i < ROUNDS; i++) rates.push(await run());
    rows.push(
      `| ${name.padEnd(34)} | ${String(workers).padStart(7)} | ${
        Math.round(median(rates)).toLocaleString("en-US").padStart(12)
      } |`,
    );
  }
}
await server.close();
console.log(
  `${
    KEYS.toLocaleString("en-US")
  } keys, median of ${ROUNDS} rounds after a warm-up, Deno ${Deno.version.deno}`,
);
console.log(`| ${"path".padEnd(34)} | workers | keys per s   |`);
console.log(`| ${"-".repeat(34)} | ------- | ------------ |`);
for (const row of rows) console.log(row);

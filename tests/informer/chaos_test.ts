import type { Pod } from "../../src/api/core_v1.ts";
import { pods } from "../../src/api/resources.ts";
import type { WatchEvent } from "../../src/api/watch_event.ts";
import { metaNamespaceKey } from "../../src/cache/keys.ts";
import { SharedIndexInformer } from "../../src/informer/shared_index_informer.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../_helpers/assert.ts";
import { type ChaosOptions, formatChaosReport, runChaos } from "../_helpers/chaos.ts";
import { waitFor } from "../_helpers/wait.ts";

const OPERATIONS = 2000;

/**
 * The seeds of the default run. The configuration each seed draws (page
 * size, resync, streaming lists) is printed with its report; two are forced
 * here so that both server flavours run over both transports.
 */
const CASES: ChaosOptions[] = [
  { seed: 1, transport: "in-process" },
  { seed: 2, transport: "in-process" },
  { seed: 5, transport: "in-process" }, // a server without streaming lists
  { seed: 6, transport: "in-process" }, // resync every 3 s of fake time
  { seed: 11, transport: "in-process" }, // pages of 2, no streaming lists, resync
  { seed: 23, transport: "in-process" }, // pages of 2, streaming lists, resync
  { seed: 3, transport: "http", streamingLists: true },
  { seed: 9, transport: "http", streamingLists: false },
];

Deno.test("SharedIndexInformer converges exactly to the server through thousands of random writes and faults", async (t) => {
  for (const options of CASES) {
    await t.step(`seed ${options.seed} over ${options.transport}`, async () => {
      const report = await runChaos({ ...options, operations: OPERATIONS });
      console.log(formatChaosReport(report));
      const operations = Object.values(report.operations).reduce((a, b) => a + b, 0);
      assertEquals(operations, OPERATIONS);
      assert(report.writes > OPERATIONS, "bursts and create+delete pairs write more than once");
      for (const [fault, count] of Object.entries(report.faults)) {
        assert(count > 0, `fault ${fault} was never injected`);
      }
      // An initial list per informer, and the forced relist at the end.
      assert(report.relists >= 4, `only ${report.relists} relists`);
      assert(report.notifications.add > 0 && report.notifications.delete > 0);
      assert(report.selectorNotifications > 0);
    });
  }
});

Deno.test("runChaos chooses the same operations and faults for the same seed", async () => {
  const summary = async (seed: number) => {
    const r = await runChaos({ seed, operations: 300 });
    return {
      config: [r.streamingLists, r.pageSize, r.resyncPeriodMs],
      operations: r.operations,
      writes: r.writes,
      faults: r.faults,
      failures: r.failures,
    };
  };
  const first = await summary(42);
  assertEquals(await summary(42), first);
  const other = await summary(43);
  assert(
    JSON.stringify(other) !== JSON.stringify(first),
    "another seed draws another sequence",
  );
});

Deno.test("runChaos reports a watch stream that replays an older state of an object", async () => {
  // Every fifth MODIFIED event is followed by the stream's previous version of
  // the same object: the informer applies it, and the handlers see an update
  // whose resourceVersion goes backwards.
  let modified = 0;
  const tamper = (event: WatchEvent<Pod>, previous: WatchEvent<Pod> | undefined) => {
    if (event.type !== "MODIFIED" || previous?.type !== "MODIFIED") return [event];
    if (metaNamespaceKey(previous.object) !== metaNamespaceKey(event.object)) return [event];
    return ++modified % 5 === 0 ? [event, previous] : [event];
  };
  const err = await assertRejects(
    () => runChaos({ seed: 4, operations: 400, faultRate: 0, tamper }),
    Error,
  );
  assertStringIncludes(err.message, "does not move the resourceVersion forward");
});

// The chaos run aborts only once every handler is idle; this covers a handler
// with a backlog at the moment of abort: its queued notifications are dropped.
Deno.test({
  name: "SharedIndexInformer delivers nothing to a slow handler once run() has resolved on abort",
  async fn() {
    const server = new FakeApiServer();
    const client = server.client();
    const informer = new SharedIndexInformer(client.resource(pods), pods);
    let stopped = false;
    const afterStop: string[] = [];
    informer.addEventHandler({
      onAdd: async (pod) => {
        if (stopped) afterStop.push(pod.metadata!.name!);
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    });
    const ac = new AbortController();
    const running = informer.run(ac.signal);
    await informer.waitForSync();
    await waitFor(() => server.watchCount === 1);
    for (let i = 0; i < 5; i++) {
      server.create(pods, { metadata: { name: `p${i}`, namespace: "default" } });
    }
    await waitFor(() => informer.indexer.size === 5);
    ac.abort();
    await running;
    stopped = true;
    await new Promise((resolve) => setTimeout(resolve, 30));
    client.close();
    await server.close();
    assertEquals(afterStop, []);
  },
});

import { UnexpectedKindError, UserCodeError } from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import type { KubeList, KubeObject } from "../../src/api/meta.ts";
import type { WatchEvent } from "../../src/api/watch_event.ts";
import { pods } from "../../src/api/resources.ts";
import { isDeletedFinalStateUnknown } from "../../src/cache/deleted_final_state_unknown.ts";
import type { InformerErrorEvent } from "../../src/informer/event_handler.ts";
import {
  SharedIndexInformer,
  type SharedIndexInformerOptions,
} from "../../src/informer/shared_index_informer.ts";
import { SharedInformerFactory } from "../../src/informer/shared_informer_factory.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runUserCodeFaults } from "../_helpers/user_code_faults.ts";
import { waitFor } from "../_helpers/wait.ts";

function pod(name: string, labels: Record<string, string> = {}): Pod {
  return {
    metadata: { name, namespace: "default", labels },
    spec: { containers: [{ name: "app", image: "nginx" }] },
  };
}

/** An informer over an in-process fake server; records notifications and errors. */
function start(server: FakeApiServer, options: SharedIndexInformerOptions<Pod> = {}) {
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(pods), pods, options);
  const errors: InformerErrorEvent[] = [];
  informer.setWatchErrorHandler((event) => errors.push(event));
  const seen: string[] = [];
  informer.addEventHandler({
    onAdd: (p) => void seen.push(`add ${p.metadata?.name}`),
    onUpdate: (_o, n) => void seen.push(`update ${n.metadata?.name}`),
    onDelete: (p) =>
      void seen.push(
        isDeletedFinalStateUnknown(p) ? `forget ${p.key}` : `delete ${p.metadata?.name}`,
      ),
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  return {
    informer,
    errors,
    seen,
    async stop() {
      ac.abort();
      await running;
      client.close();
    },
  };
}

const userCodeErrors = (errors: InformerErrorEvent[]) =>
  errors.filter((e) => e.error instanceof UserCodeError).map((e) => e.error as UserCodeError);

Deno.test("SharedIndexInformer reports a transform that throws on a watched object with its key, leaves the object out and keeps running", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("good-0"));
  const h = start(server, {
    transform: (p) => {
      if (p.metadata?.labels?.bad === "yes") throw new Error("cannot transform");
      return p;
    },
  });
  await h.informer.waitForSync();
  server.create(pods, pod("bad", { bad: "yes" }));
  server.create(pods, pod("good-1"));
  await waitFor(() => h.informer.indexer.getByKey("default/good-1") !== undefined);
  assertEquals(h.informer.indexer.listKeys().sort(), ["default/good-0", "default/good-1"]);
  const [error] = userCodeErrors(h.errors);
  assertEquals(error?.stage, "transform");
  assertEquals(error?.key, "default/bad");
  assertEquals(h.errors.find((e) => e.error === error)?.recovery, "skip");

  // A cached object whose new version cannot be transformed leaves the cache: no stale version.
  server.update(pods, pod("good-0", { bad: "yes" }));
  await waitFor(() => h.informer.indexer.getByKey("default/good-0") === undefined);
  assert(h.seen.includes("forget default/good-0"), h.seen.join(", "));
  // And comes back once it can be transformed again.
  server.update(pods, pod("good-0", { bad: "no" }));
  await waitFor(() => h.informer.indexer.getByKey("default/good-0") !== undefined);
  assert(!h.informer.isStopped());
  await h.stop();
  await server.close();
});

Deno.test("SharedIndexInformer leaves out objects whose transform throws during the list and reports them once", async () => {
  const server = new FakeApiServer();
  for (let i = 0; i < 5; i++) {
    server.create(pods, pod(`p${i}`, { bad: i % 2 === 0 ? "yes" : "no" }));
  }
  const h = start(server, {
    transform: (p) => {
      if (p.metadata?.labels?.bad === "yes") throw new Error("no");
      return p;
    },
  });
  assertEquals(await h.informer.waitForSync(), true);
  assertEquals(h.informer.indexer.listKeys().sort(), ["default/p1", "default/p3"]);
  const errors = userCodeErrors(h.errors);
  assertEquals(errors.length, 1);
  assert(errors[0]!.message.includes("3 objects were left out"), errors[0]!.message);
  await h.stop();
  await server.close();
});

Deno.test("SharedIndexInformer treats a transform that returns no named object as a failure", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("p"));
  const h = start(server, { transform: () => undefined as unknown as Pod });
  await h.informer.waitForSync();
  assertEquals(h.informer.indexer.listKeys(), []);
  assertEquals(userCodeErrors(h.errors)[0]?.stage, "transform");
  await h.stop();
  await server.close();
});

Deno.test("SharedIndexInformer reports an index function that throws with the object's key and leaves the object out", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  server.create(pods, pod("boom-list"));
  const h = start(server, {
    indexers: {
      byName: (p) => {
        if (p.metadata?.name?.startsWith("boom")) throw new Error("index fn failed");
        return [p.metadata?.name ?? ""];
      },
    },
  });
  await h.informer.waitForSync();
  assertEquals(h.informer.indexer.listKeys(), ["default/a"]);
  server.create(pods, pod("boom-watch"));
  server.create(pods, pod("b"));
  await waitFor(() => h.informer.indexer.getByKey("default/b") !== undefined);
  const keys = userCodeErrors(h.errors).map((e) => `${e.stage} ${e.key}`);
  assertEquals(keys, ["index default/boom-list", "index default/boom-watch"]);
  assertEquals(h.informer.indexer.byIndex("byName", "b").length, 1);
  assert(!h.informer.isStopped());
  await h.stop();
  await server.close();
});

Deno.test("SharedIndexInformer reports a tweakListOptions that throws and retries with a backoff, never a loop", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  let calls = 0;
  const h = start(server, {
    tweakListOptions: () => {
      calls++;
      throw new Error("tweak failed");
    },
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert(calls >= 1 && calls <= 3, `${calls} calls in 1.5 s`);
  const errors = userCodeErrors(h.errors);
  assert(errors.length >= 1 && errors.every((e) => e.stage === "tweakListOptions"));
  assert(h.errors.every((e) => e.delayMs > 0), "a retry without a delay");
  assert(!h.informer.isStopped());
  await h.stop();
  await server.close();
});

/** A lister-watcher that lists `items` and then watches `events` (and waits for abort). */
function scripted<T extends KubeObject>(items: T[], events: WatchEvent<T>[]) {
  return {
    list(): Promise<KubeList<T>> {
      return Promise.resolve({ metadata: { resourceVersion: "10" }, items });
    },
    async *watch(options: { signal?: AbortSignal | undefined }): AsyncGenerator<WatchEvent<T>> {
      yield* events;
      await new Promise<void>((resolve) => {
        if (options.signal?.aborted) resolve();
        options.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    },
  };
}

Deno.test("SharedIndexInformer skips and reports a watch event of another kind", async () => {
  const node = {
    kind: "Node",
    apiVersion: "v1",
    metadata: { name: "node-1", resourceVersion: "11" },
  };
  const next: Pod = { kind: "Pod", apiVersion: "v1", ...pod("b") };
  next.metadata!.resourceVersion = "12";
  const lw = scripted<Pod>([], [
    { type: "ADDED", object: node as Pod },
    { type: "ADDED", object: next },
  ]);
  const informer = new SharedIndexInformer<Pod>(lw, pods, { streamingList: false });
  const errors: InformerErrorEvent[] = [];
  informer.setWatchErrorHandler((e) => errors.push(e));
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  await waitFor(() => informer.indexer.getByKey("default/b") !== undefined);
  assertEquals(informer.indexer.listKeys(), ["default/b"]);
  assertEquals(errors.map((e) => [(e.error as Error).name, e.recovery]), [[
    "UnexpectedKindError",
    "skip",
  ]]);
  assert(errors[0]!.error instanceof UnexpectedKindError);
  ac.abort();
  await running;
});

Deno.test("SharedIndexInformer deep-freezes an object nested 20,000 levels without overflowing the stack", async () => {
  let nested: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 20_000; i++) nested = { child: nested };
  const deep = { ...pod("deep"), spec: { containers: [], nested } } as unknown as Pod;
  deep.metadata!.resourceVersion = "5";
  const informer = new SharedIndexInformer<Pod>(scripted([deep], []), pods, {
    streamingList: false,
    freeze: "deep",
  });
  const errors: InformerErrorEvent[] = [];
  informer.setWatchErrorHandler((e) => errors.push(e));
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  assertEquals(await informer.waitForSync(), true);
  let level = (informer.indexer.getByKey("default/deep")!.spec as unknown as { nested: unknown })
    .nested;
  let depth = 0;
  while (typeof level === "object" && level !== null && "child" in level) {
    assert(Object.isFrozen(level));
    level = (level as { child: unknown }).child;
    depth++;
  }
  assertEquals(depth, 20_000);
  assertEquals(errors, []);
  ac.abort();
  await running;
});

Deno.test("SharedInformerFactory: a factory transform that throws never crashes the process or stops the informer", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const factory = new SharedInformerFactory(server.client(), {
    transform: <T extends KubeObject>(object: T): T => {
      if (object.metadata?.name === "bad") throw new Error("factory transform failed");
      return object;
    },
  });
  const informer = factory.informerFor(pods);
  const errors: InformerErrorEvent[] = [];
  informer.setWatchErrorHandler((e) => errors.push(e));
  const ac = new AbortController();
  factory.start(ac.signal);
  await factory.waitForCacheSync(ac.signal);
  server.create(pods, pod("bad"));
  server.create(pods, pod("c"));
  await waitFor(() => informer.indexer.getByKey("default/c") !== undefined);
  assertEquals(userCodeErrors(errors).map((e) => e.key), ["default/bad"]);
  assert(!informer.isStopped());
  ac.abort();
  await factory.shutdown();
  await server.close();
});

Deno.test("SharedIndexInformer survives user code failing at random points of a seeded fault run", async (t) => {
  for (const seed of [1, 2, 3]) {
    await t.step(`seed ${seed}`, () => runUserCodeFaults(seed, 300));
  }
});

Deno.test("SharedIndexInformer hands its users a read-only view of the cache", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const h = start(server);
  await h.informer.waitForSync();
  const view = h.informer.indexer as unknown as Record<string, unknown>;
  for (const write of ["add", "update", "delete", "deleteByKey", "replace", "addIndexers"]) {
    assert(!(write in view), `the view has ${write}`);
  }
  assert(Object.isFrozen(view));
  assertEquals(h.informer.indexer.listKeys(), ["default/a"]);
  assertEquals(h.informer.indexer.size, 1);
  await h.stop();
  await server.close();
});

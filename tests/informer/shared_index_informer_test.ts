import { ApiError, HandlerLagError, WatchIdleError } from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import type { KubeObject } from "../../src/api/meta.ts";
import { defineResource } from "../../src/api/resource.ts";
import { pods, secrets } from "../../src/api/resources.ts";
import { isDeletedFinalStateUnknown } from "../../src/cache/deleted_final_state_unknown.ts";
import type { InformerErrorEvent, InformerEvent } from "../../src/informer/event_handler.ts";
import {
  SharedIndexInformer,
  type SharedIndexInformerOptions,
} from "../../src/informer/shared_index_informer.ts";
import { stripManagedFields } from "../../src/informer/strip_managed_fields.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertStrictEquals,
  assertThrows,
} from "../_helpers/assert.ts";
import { FakeClock } from "../_helpers/fake_clock.ts";
import { deferred, waitFor } from "../_helpers/wait.ts";

function pod(name: string, namespace = "default", ip?: string): Pod {
  const p: Pod = {
    metadata: { name, namespace },
    spec: { containers: [{ name: "app", image: "nginx" }] },
  };
  if (ip) p.status = { phase: "Running", podIP: ip, podIPs: [{ ip }] };
  return p;
}

type Seen = string[];

/** Starts an informer over an in-process fake server and records handler calls as strings. */
function setup(
  server: FakeApiServer,
  options: SharedIndexInformerOptions<Pod> = {},
) {
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(pods), pods, options);
  const errors: InformerErrorEvent[] = [];
  informer.setWatchErrorHandler((event) => errors.push(event));
  const seen: Seen = [];
  const registration = informer.addEventHandler({
    onAdd: (p, initial) => void seen.push(`add ${p.metadata?.name}${initial ? " (initial)" : ""}`),
    onUpdate: (o, n) =>
      void seen.push(
        `update ${n.metadata?.name} ${o.metadata?.resourceVersion}->${n.metadata?.resourceVersion}`,
      ),
    onDelete: (p) =>
      void seen.push(
        isDeletedFinalStateUnknown(p) ? `tombstone ${p.key}` : `delete ${p.metadata?.name}`,
      ),
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  const stop = async () => {
    ac.abort();
    await running;
    client.close();
  };
  return { informer, errors, seen, registration, ac, running, stop };
}

Deno.test("SharedIndexInformer syncs the initial list and reports it with isInInitialList", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  server.create(pods, pod("b", "kube-system"));
  const { informer, seen, registration, stop } = setup(server);
  assertEquals(await informer.waitForSync(), true);
  assertEquals(informer.hasSynced(), true);
  assertEquals(registration.hasSynced(), true);
  assertEquals(seen.sort(), ["add a (initial)", "add b (initial)"]);
  assertEquals(informer.indexer.listKeys().sort(), ["default/a", "kube-system/b"]);
  assertEquals(informer.lastSyncResourceVersion(), server.resourceVersion);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer notifies adds, updates and deletes after the cache reflects them", async () => {
  const server = new FakeApiServer();
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(pods), pods);
  const checks: string[] = [];
  informer.addEventHandler({
    onAdd: (p) =>
      checks.push(`add cached=${informer.indexer.getByKey(`default/${p.metadata?.name}`) === p}`),
    onUpdate: (_o, n) =>
      checks.push(`update cached=${informer.indexer.getByKey("default/a") === n}`),
    onDelete: () =>
      checks.push(`delete cached=${informer.indexer.getByKey("default/a") === undefined}`),
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  const a = server.create(pods, pod("a"));
  await waitFor(() => checks.length === 1);
  server.update(pods, { ...a, metadata: { ...a.metadata, labels: { v: "2" } } });
  await waitFor(() => checks.length === 2);
  server.delete(pods, "default", "a");
  await waitFor(() => checks.length === 3);
  assertEquals(checks, ["add cached=true", "update cached=true", "delete cached=true"]);
  ac.abort();
  await running;
  await server.close();
});

Deno.test("SharedIndexInformer replays the cache to a late handler and syncs its registration after delivery", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  server.create(pods, pod("b"));
  const { informer, stop } = setup(server);
  await informer.waitForSync();
  const gate = deferred();
  const late: string[] = [];
  const registration = informer.addEventHandler({
    onAdd: async (p, initial) => {
      late.push(`${p.metadata?.name} ${initial}`);
      await gate.promise;
    },
  });
  assertEquals(late, ["a true"], "the second add waits for the first to finish");
  assertEquals(registration.hasSynced(), false);
  gate.resolve();
  await waitFor(() => registration.hasSynced());
  assertEquals(late.sort(), ["a true", "b true"]);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer isolates handlers: a throwing one is reported, a slow one delays only itself", async () => {
  const server = new FakeApiServer();
  const { informer, errors, seen, stop } = setup(server);
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  informer.addEventHandler({
    onAdd: () => {
      throw new Error("handler bug");
    },
  });
  const gate = deferred();
  const slow: string[] = [];
  informer.addEventHandler({
    onAdd: async (p) => {
      slow.push(p.metadata!.name!);
      await gate.promise;
    },
  });
  server.create(pods, pod("a"));
  server.create(pods, pod("b"));
  await waitFor(() => seen.length === 2);
  assertEquals(seen, ["add a", "add b"]);
  assertEquals(slow, ["a"]);
  assertEquals(
    errors.filter((e) => e.recovery === "handler").map((e) => (e.error as Error).message),
    [
      "handler bug",
      "handler bug",
    ],
  );
  gate.resolve();
  await waitFor(() => slow.length === 2);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer turns a missed delete into a tombstone on relist, without spurious updates", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("keep"));
  server.create(pods, pod("gone"));
  const clock = new FakeClock();
  const { informer, seen, errors, stop } = setup(server, { clock, random: () => 0 });
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  const before = informer.indexer.getByKey("default/keep");
  server.delete(pods, "default", "gone", { silent: true });
  server.compact();
  server.closeWatches();
  // The re-watch from the last resourceVersion meets 410; the informer relists after a backoff.
  await waitFor(() => errors.some((e) => e.recovery === "relist"));
  await clock.advance(1000);
  await waitFor(() => seen.includes("tombstone default/gone"));
  assertEquals(seen.filter((s) => !s.includes("(initial)")), ["tombstone default/gone"]);
  assert(
    informer.indexer.getByKey("default/keep") === before,
    "the unchanged object keeps its identity",
  );
  assertEquals(informer.indexer.listKeys(), ["default/keep"]);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer resyncs only the handlers that are due, without the server", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const clock = new FakeClock();
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(pods), pods, {
    clock,
    resyncPeriodMs: 10_000,
  });
  const fast: string[] = [];
  const slow: string[] = [];
  const none: string[] = [];
  informer.addEventHandler({ onUpdate: (o, n) => void fast.push(`${o === n}`) });
  informer.addEventHandler({ onUpdate: (o, n) => void slow.push(`${o === n}`) }, {
    resyncPeriodMs: 30_000,
  });
  informer.addEventHandler({ onUpdate: (o, n) => void none.push(`${o === n}`) }, {
    resyncPeriodMs: 0,
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  const requestsBefore = server.requests.length;
  await clock.advance(10_000);
  assertEquals([fast.length, slow.length, none.length], [1, 0, 0]);
  await clock.advance(20_000);
  assertEquals([fast.length, slow.length, none.length], [3, 1, 0]);
  assertEquals(fast, ["true", "true", "true"]);
  assertEquals(server.requests.length, requestsBefore, "resync does not contact the server");
  ac.abort();
  await running;
  assertEquals(clock.pendingTimers, 0);
  await server.close();
});

Deno.test("SharedIndexInformer freezes cached objects and applies its transform first", async () => {
  const server = new FakeApiServer();
  const withFields = pod("a");
  withFields.metadata!.managedFields = [{ manager: "kubectl", operation: "Update" }];
  withFields.metadata!.labels = { app: "web" };
  server.create(pods, withFields);
  const { informer, stop } = setup(server, { transform: stripManagedFields });
  await informer.waitForSync();
  const cached = informer.indexer.getByKey("default/a")!;
  assertEquals(cached.metadata?.managedFields, undefined);
  assert(
    Object.isFrozen(cached) && Object.isFrozen(cached.metadata) && Object.isFrozen(cached.spec),
  );
  assert(Object.isFrozen(cached.metadata?.labels), "labels feed selectors and indexes");
  assert(!Object.isFrozen(cached.spec?.containers), "the default freezes only the top levels");
  assertThrows(() => {
    (cached.metadata as { name: string }).name = "changed";
  }, TypeError);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer freezes whole objects with freeze: deep, and none with freeze: none", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const deep = setup(server, { freeze: "deep" });
  const none = setup(server, { freeze: "none" });
  await deep.informer.waitForSync();
  await none.informer.waitForSync();
  const frozen = deep.informer.indexer.getByKey("default/a")!;
  assert(Object.isFrozen(frozen.spec?.containers[0]));
  assert(!Object.isFrozen(none.informer.indexer.getByKey("default/a")));
  await deep.stop();
  await none.stop();
  await server.close();
});

Deno.test("SharedIndexInformer.setTransform and setWatchErrorHandler refuse after start, addEventHandler after stop", async () => {
  const server = new FakeApiServer();
  const { informer, stop } = setup(server);
  assertThrows(() => informer.setTransform((p) => p), Error, "already started");
  assertThrows(() => informer.setWatchErrorHandler(() => {}), Error, "already started");
  await stop();
  assertEquals(informer.isStopped(), true);
  assertThrows(() => informer.addEventHandler({}), Error, "stopped already");
  await server.close();
});

Deno.test("SharedIndexInformer.events yields notifications, the sync and errors, and ends on abort", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const clock = new FakeClock();
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(pods), pods, { clock, random: () => 0 });
  informer.setWatchErrorHandler(() => {});
  const ac = new AbortController();
  const events: InformerEvent<Pod>[] = [];
  const reading = (async () => {
    for await (const ev of informer.events({ signal: ac.signal })) events.push(ev);
  })();
  const running = informer.run(ac.signal);
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  server.create(pods, pod("b"));
  await waitFor(() => events.length === 3);
  server.failNext({ status: 500, match: { verb: "watch" } });
  server.closeWatches();
  await waitFor(() => events.length === 4);
  ac.abort();
  await Promise.all([running, reading]);
  assertEquals(events.map((e) => e.type), ["add", "synced", "add", "error"]);
  const error = events[3] as InformerErrorEvent;
  assert(error.error instanceof ApiError && error.error.code === 500);
  assertEquals(error.recovery, "relist");
  await server.close();
});

Deno.test("SharedIndexInformer reports a forbidden list with its cause and retries with growing backoff", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  server.failNext({ status: 403, count: 4, match: { resource: "pods" } });
  const clock = new FakeClock();
  const { informer, errors, stop } = setup(server, {
    clock,
    random: () => 0,
    streamingList: false,
  });
  for (let i = 0; i < 4; i++) {
    await waitFor(() => errors.length === i + 1);
    await clock.advance(errors[i]!.delayMs);
  }
  assertEquals(await informer.waitForSync(), true);
  assertEquals(errors.map((e) => (e.error as ApiError).code), [403, 403, 403, 403]);
  assertEquals(errors.map((e) => e.delayMs), [800, 1600, 3200, 6400]);
  assertEquals(informer.indexer.listKeys(), ["default/a"]);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer uses streaming lists when the server has them and LIST when it does not", async () => {
  for (const streamingLists of [true, false]) {
    const server = new FakeApiServer({ streamingLists });
    server.create(pods, pod("a"));
    const { informer, errors, stop } = setup(server, { streamingList: true });
    await informer.waitForSync();
    assertEquals(informer.indexer.listKeys(), ["default/a"]);
    const verbs = server.requests.filter((r) => r.resource === "pods").map((r) => r.verb);
    assertEquals(
      verbs.slice(0, streamingLists ? 1 : 2),
      streamingLists ? ["watch"] : ["watch", "list"],
    );
    assertEquals(errors.map((e) => e.recovery), streamingLists ? [] : ["fallback-to-list"]);
    await stop();
    await server.close();
  }
});

Deno.test("SharedIndexInformer reconnects a stalled watch after the idle timeout", async () => {
  const server = new FakeApiServer({ bookmarkIntervalMs: 0 });
  const clock = new FakeClock();
  const { informer, errors, seen, stop } = setup(server, { clock, idleTimeoutMs: 60_000 });
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  server.stallWatches();
  server.create(pods, pod("late"));
  await clock.advance(60_000);
  await waitFor(() => seen.includes("add late"));
  assert(errors.some((e) => e.error instanceof WatchIdleError && e.recovery === "rewatch"));
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer survives garbage on the watch stream without corrupting the cache", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const clock = new FakeClock();
  const { informer, errors, stop } = setup(server, { clock, random: () => 0 });
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  server.injectMalformedLine();
  await waitFor(() => errors.length === 1);
  assertEquals((errors[0]!.error as Error).name, "WatchDecodeError");
  server.create(pods, pod("b"));
  await clock.advance(errors[0]!.delayMs);
  await waitFor(() => informer.indexer.size === 2);
  assertEquals(informer.indexer.listKeys().sort(), ["default/a", "default/b"]);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer in metadata-only mode caches PartialObjectMetadata", async () => {
  const server = new FakeApiServer();
  server.create(secrets, {
    metadata: { name: "s", namespace: "default" },
    data: { password: "c2VjcmV0" },
  });
  const client = server.client();
  const informer = new SharedIndexInformer<KubeObject>(client.metadata(secrets), secrets);
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  await informer.waitForSync();
  const cached = informer.indexer.getByKey("default/s") as Record<string, unknown>;
  assertEquals(cached.kind, "PartialObjectMetadata");
  assertEquals(cached.data, undefined);
  ac.abort();
  await running;
  await server.close();
});

Deno.test("SharedIndexInformer's lister reads the cache by namespace and reports NotFound", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a", "ns1"));
  server.create(pods, pod("b", "ns2"));
  const { informer, stop } = setup(server);
  await informer.waitForSync();
  const lister = informer.lister();
  assertEquals(lister.list().length, 2);
  assertEquals(lister.namespace("ns1").list().map((p) => p.metadata?.name), ["a"]);
  assertEquals(lister.namespace("ns2").get("b").metadata?.namespace, "ns2");
  const err = assertThrows(() => lister.namespace("ns1").get("b"), ApiError);
  assertEquals(err.code, 404);
  assertEquals(err.status.message, 'pod "b" not found');
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer over real HTTP stops cleanly on abort", async () => {
  await using server = await FakeApiServer.start();
  server.create(pods, pod("a", "default", "10.0.0.1"));
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(pods), pods, {
    indexers: { byIP: (p) => (p.status?.podIPs ?? []).map((x) => x.ip) },
  });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  server.create(pods, pod("b", "default", "10.0.0.1"));
  await waitFor(() => informer.indexer.byIndex("byIP", "10.0.0.1").length === 2);
  ac.abort();
  await running;
  await waitFor(() => server.watchCount === 0);
  assertEquals(await informer.waitForSync(), true);
  client.close();
});

Deno.test("SharedIndexInformer.waitForSync resolves false when aborted before the sync", async () => {
  const server = new FakeApiServer();
  server.failNext({ status: 403, count: 100 });
  const clock = new FakeClock();
  const { informer, stop } = setup(server, { clock });
  const ac = new AbortController();
  const waiting = informer.waitForSync(ac.signal);
  ac.abort();
  assertEquals(await waiting, false);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer reports a handler that falls behind, and remove() stops its deliveries", async () => {
  const server = new FakeApiServer();
  const { informer, errors, stop } = setup(server, { handlerLagThreshold: 3 });
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  const gate = deferred();
  const slow: string[] = [];
  const registration = informer.addEventHandler({
    onAdd: async (p) => {
      slow.push(p.metadata!.name!);
      await gate.promise;
    },
  });
  for (let i = 0; i < 8; i++) server.create(pods, pod(`p${i}`));
  await waitFor(() => informer.indexer.size === 8);
  const lag = errors.filter((e) => e.error instanceof HandlerLagError).map((e) =>
    (e.error as HandlerLagError).pending
  );
  assertEquals(lag, [3, 6], "reported at the threshold and at each doubling");
  registration.remove();
  registration.remove();
  gate.resolve();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assertEquals(slow, ["p0"], "queued notifications are dropped on remove");
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer for a resource the server does not serve reports 404 and keeps retrying", async () => {
  const server = new FakeApiServer();
  const widgets = defineResource<KubeObject>({
    group: "example.com",
    version: "v1",
    kind: "Widget",
    plural: "widgets",
    namespaced: true,
  });
  const clock = new FakeClock();
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(widgets), widgets, {
    clock,
    random: () => 0,
  });
  const errors: InformerErrorEvent[] = [];
  informer.setWatchErrorHandler((e) => errors.push(e));
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  await waitFor(() => errors.length === 1);
  assertEquals(errors.map((e) => [(e.error as ApiError).code, e.recovery]), [[404, "relist"]]);
  // Each failed LIST is followed by a growing backoff: no hot loop.
  await clock.advance(errors[0]!.delayMs - 1);
  assertEquals(errors.length, 1, "no request before the backoff ends");
  await clock.advance(1);
  await waitFor(() => errors.length === 2);
  assertEquals(errors.map((e) => e.recovery), ["relist", "relist"]);
  assert(errors[1]!.delayMs > errors[0]!.delayMs, "the backoff grows");
  server.register(widgets);
  server.create(widgets, { metadata: { name: "w", namespace: "default" } });
  await clock.advance(errors[1]!.delayMs);
  assertEquals(await informer.waitForSync(), true);
  assertEquals(informer.indexer.listKeys(), ["default/w"]);
  ac.abort();
  await running;
  client.close();
  await server.close();
});

Deno.test("SharedIndexInformer hands an update the cached version's unchanged parts: old.spec === new.spec", async () => {
  const server = new FakeApiServer();
  const client = server.client();
  const informer = new SharedIndexInformer(client.resource(pods), pods);
  const updates: [Pod, Pod][] = [];
  informer.addEventHandler({ onUpdate: (o, n) => updates.push([o, n]) });
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  const a = server.create(pods, { ...pod("a"), spec: { containers: [{ name: "c", image: "i" }] } });
  await waitFor(() => informer.indexer.getByKey("default/a") !== undefined);
  server.update(pods, { ...a, metadata: { ...a.metadata, labels: { v: "2" } } });
  await waitFor(() => updates.length === 1);
  const [before, after] = updates[0]!;
  assert(before !== after);
  assertStrictEquals(after.spec, before.spec, "the unchanged spec is shared");
  assert(after.metadata !== before.metadata, "the changed metadata is new");
  assertEquals(after.metadata?.labels, { v: "2" });
  assertEquals(before.metadata?.labels, undefined, "the old version is untouched");
  assert(Object.isFrozen(after) && Object.isFrozen(after.spec));
  ac.abort();
  await running;
  await server.close();
});

Deno.test("SharedIndexInformer.health counts lists, watches, reconnects and 410s and keeps the last error", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const clock = new FakeClock();
  const { informer, errors, stop } = setup(server, { clock, random: () => 0 });
  const before = informer.health();
  assertEquals(
    [before.synced, before.lists, before.watches, before.errors, before.lastError],
    [false, 0, 0, 0, undefined],
  );
  await informer.waitForSync();
  await waitFor(() => server.watchCount === 1);
  const synced = informer.health();
  assertEquals(
    [synced.resource, synced.synced, synced.objects, synced.listedObjects, synced.listing],
    ["pods", true, 1, 1, false],
  );
  assertEquals([synced.lists, synced.relists, synced.watches], [1, 0, 1]);
  assert(synced.lastSyncAt !== undefined);
  // A healthy watch ends; its re-watch meets 410: one more watch, one expiry, one relist.
  await clock.advance(31_000);
  server.delete(pods, "default", "a", { silent: true });
  server.compact();
  server.closeWatches();
  await waitFor(() => errors.some((e) => e.recovery === "relist"));
  await clock.advance(1000);
  await waitFor(() => informer.health().lists === 2, 5000, "a second list");
  await waitFor(() => server.watchCount === 1);
  const after = informer.health();
  assertEquals(after.watches, 3);
  assertEquals(after.relists, 1);
  assertEquals(after.expired, 1);
  assertEquals(after.errors, errors.length);
  assertEquals(after.lastError?.recovery, "relist");
  assertEquals(after.lastError?.name, "ExpiredError");
  server.create(pods, pod("b"));
  await waitFor(() => informer.health().objects === 1);
  assertEquals(informer.health().lastEventAt, clock.now());
  await stop();
  assertEquals(informer.health().stopped, true);
  await server.close();
});

Deno.test("SharedIndexInformer.watchHealth yields snapshots until the signal aborts", async () => {
  const server = new FakeApiServer();
  const clock = new FakeClock();
  const { informer, stop } = setup(server, { clock });
  await informer.waitForSync();
  const ac = new AbortController();
  const seen: boolean[] = [];
  const reading = (async () => {
    for await (const health of informer.watchHealth({ intervalMs: 500, signal: ac.signal })) {
      seen.push(health.synced);
    }
  })();
  await clock.advance(1600);
  ac.abort();
  await reading;
  assertEquals(seen, [true, true, true, true]);
  await stop();
  await server.close();
});

Deno.test("SharedIndexInformer warns in one plain line that says what happens next", async () => {
  const server = new FakeApiServer();
  server.failNext({ status: 500, match: { resource: "pods" }, body: "boom\nsecond line" });
  const informer = new SharedIndexInformer(server.client().resource(pods), pods, {
    random: () => 0,
  });
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.join(" "));
  const ac = new AbortController();
  try {
    const running = informer.run(ac.signal);
    await informer.waitForSync(AbortSignal.timeout(10_000));
    ac.abort();
    await running;
  } finally {
    console.warn = warn;
  }
  assertEquals(warnings.length, 1, warnings.join("\n"));
  assertMatch(warnings[0]!, /^kubesnap: pods informer: [^\n]*; listing again in \d+\.\d s$/);
  await server.close();
});

Deno.test("SharedIndexInformer speaks the factory's words: waitForCacheSync, setErrorHandler, notifications", async () => {
  const server = new FakeApiServer();
  server.failNext({ status: 403, count: 1000, match: { resource: "pods" } });
  const informer = new SharedIndexInformer(server.client().resource(pods), pods);
  const errors: string[] = [];
  informer.setErrorHandler((event) => errors.push(event.recovery));
  const ac = new AbortController();
  const running = informer.run(ac.signal);
  assertEquals(
    await informer.waitForCacheSync({ timeoutMs: 200 }),
    false,
    "forbidden: never syncs",
  );
  assert(errors.length > 0 && errors.every((r) => r === "relist"), errors.join());
  ac.abort();
  await running;
  await server.close();

  const healthy = new FakeApiServer();
  healthy.create(pods, pod("a"));
  const second = new SharedIndexInformer(healthy.client().resource(pods), pods);
  const stop = new AbortController();
  const run = second.run(stop.signal);
  assertEquals(await second.waitForCacheSync({ timeoutMs: 5_000 }), true);
  const seen: string[] = [];
  for await (const n of second.notifications({ signal: AbortSignal.timeout(200) })) {
    seen.push(n.type);
  }
  assertEquals(seen, ["add"], "a late consumer first gets the cached objects");
  stop.abort();
  await run;
  await healthy.close();
});

Deno.test("SharedIndexInformer with dropManagedFields caches objects without managedFields, listed and watched", async () => {
  await using server = await FakeApiServer.start();
  const client = server.client();
  // Written over HTTP, so that the server records managedFields.
  await client.resource(pods).create(pod("listed"));
  const plain = new SharedIndexInformer(client.resource(pods), pods);
  const dropping = new SharedIndexInformer(client.resource(pods), pods, {
    dropManagedFields: true,
  });
  const ac = new AbortController();
  const running = [plain.run(ac.signal), dropping.run(ac.signal)];
  await plain.waitForCacheSync({ timeoutMs: 5_000 });
  await dropping.waitForCacheSync({ timeoutMs: 5_000 });
  await waitFor(() => server.watchCount === 2);
  await client.resource(pods).create(pod("watched"));
  await waitFor(() =>
    dropping.indexer.listKeys().length === 2 && plain.indexer.listKeys().length === 2
  );
  for (const key of ["default/listed", "default/watched"]) {
    assert((plain.indexer.getByKey(key)?.metadata?.managedFields?.length ?? 0) > 0, key);
    const dropped = dropping.indexer.getByKey(key)!;
    assertEquals(dropped.metadata?.managedFields, undefined, key);
    assertEquals(dropped.metadata?.name, plain.indexer.getByKey(key)?.metadata?.name);
  }
  ac.abort();
  await Promise.all(running);
});

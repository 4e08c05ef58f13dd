import { CacheSyncTimeoutError } from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import { nodes, pods, replicaSets, services } from "../../src/api/resources.ts";
import { SharedInformerFactory } from "../../src/informer/shared_informer_factory.ts";
import { stripManagedFields } from "../../src/informer/strip_managed_fields.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals, assertMatch, assertStrictEquals } from "../_helpers/assert.ts";
import { waitFor } from "../_helpers/wait.ts";

function pod(name: string, namespace: string, labels: Record<string, string> = {}): Pod {
  return { metadata: { name, namespace, labels }, spec: { containers: [{ name: "app" }] } };
}

Deno.test("SharedInformerFactory returns one informer per resource and option set", async () => {
  const server = new FakeApiServer();
  const factory = new SharedInformerFactory(server.client());
  const a = factory.informerFor(pods);
  assertStrictEquals(factory.informerFor(pods), a);
  assert(factory.informerFor(pods, { labelSelector: "app=web" }) !== a);
  assert(factory.informerFor(pods, { metadataOnly: true }) !== a);
  assert(factory.informerFor(pods, { namespace: "prod" }) !== a);
  assertStrictEquals(factory.informerFor(nodes, { namespace: "prod" }), factory.informerFor(nodes));
  await factory.shutdown();
  await server.close();
});

Deno.test("SharedInformerFactory starts informers, waits for their caches and shuts down", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a", "default"));
  server.create(services, { metadata: { name: "s", namespace: "default" } });
  const factory = new SharedInformerFactory(server.client(), { resyncPeriodMs: 10 * 60_000 });
  const podInformer = factory.informerFor(pods);
  const serviceInformer = factory.informerFor(services);
  const ac = new AbortController();
  factory.start(ac.signal);
  factory.start(ac.signal);
  const synced = await factory.waitForCacheSync(ac.signal);
  assertEquals([...synced.entries()].map(([informer, ok]) => [informer.resource.plural, ok]), [
    ["pods", true],
    ["services", true],
  ]);
  assertEquals(podInformer.indexer.listKeys(), ["default/a"]);
  assertEquals(serviceInformer.indexer.listKeys(), ["default/s"]);

  // An informer created after start runs only after another start.
  const rsInformer = factory.informerFor(replicaSets);
  assertEquals((await factory.waitForCacheSync(ac.signal)).has(rsInformer), false);
  factory.start(ac.signal);
  assertEquals((await factory.waitForCacheSync(ac.signal)).get(rsInformer), true);

  const listsBefore = server.requests.filter((r) => r.resource === "pods" && r.verb === "list")
    .length;
  assertEquals(listsBefore, 1, "starting twice did not start the pods informer twice");
  await factory.shutdown();
  assert(podInformer.isStopped() && serviceInformer.isStopped() && rsInformer.isStopped());
  assertEquals(server.watchCount, 0);
  factory.start(ac.signal);
  assertEquals(server.watchCount, 0, "start after shutdown does nothing");
  await server.close();
});

Deno.test("SharedInformerFactory applies its namespace, selectors, tweak and transform to every request", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a", "team-a", { app: "web", tier: "front" }));
  server.create(pods, pod("b", "team-a", { app: "db" }));
  server.create(pods, pod("c", "team-b", { app: "web" }));
  const tweaked: string[] = [];
  const factory = new SharedInformerFactory(server.client(), {
    namespace: "team-a",
    tweakListOptions: (options) => {
      tweaked.push(String(options.labelSelector));
      options.fieldSelector = "metadata.name!=zzz";
    },
    transform: stripManagedFields,
  });
  const informer = factory.informerFor(pods, { labelSelector: { app: "web" } });
  const ac = new AbortController();
  factory.start(ac.signal);
  await factory.waitForCacheSync(ac.signal);
  assertEquals(informer.indexer.listKeys(), ["team-a/a"]);
  await waitFor(() => server.watchCount === 1);
  const sent = server.requests.filter((r) => r.resource === "pods");
  assert(sent.length >= 1);
  for (const request of sent) {
    assertEquals(request.namespace, "team-a");
    const query = new URLSearchParams(request.query);
    assertEquals(query.get("labelSelector"), "app=web");
    assertEquals(query.get("fieldSelector"), "metadata.name!=zzz");
  }
  assert(tweaked.length >= 1 && tweaked.every((s) => s === "app=web"));
  ac.abort();
  await factory.shutdown();
  await server.close();
});

Deno.test("SharedInformerFactory.waitForCacheSync maps unsynced informers to false when aborted", async () => {
  const server = new FakeApiServer();
  server.failNext({ status: 403, count: 1000, match: { resource: "pods" } });
  const factory = new SharedInformerFactory(server.client());
  const podInformer = factory.informerFor(pods);
  podInformer.setWatchErrorHandler(() => {});
  const nodeInformer = factory.informerFor(nodes);
  const ac = new AbortController();
  factory.start(ac.signal);
  await nodeInformer.waitForSync();
  const waiting = factory.waitForCacheSync(AbortSignal.timeout(50));
  const result = await waiting;
  assertEquals(result.get(podInformer), false);
  assertEquals(result.get(nodeInformer), true);
  ac.abort();
  await factory.shutdown();
  await server.close();
});

Deno.test("SharedInformerFactory.waitForCacheSync with timeoutMs names each unsynced informer and its last error", async () => {
  const server = new FakeApiServer();
  server.failNext({ status: 403, count: 1000, match: { resource: "pods" } });
  const factory = new SharedInformerFactory(server.client());
  const podInformer = factory.informerFor(pods);
  podInformer.setWatchErrorHandler(() => {});
  factory.informerFor(nodes);
  factory.start(AbortSignal.timeout(10_000));
  const started = performance.now();
  let caught: unknown;
  try {
    await factory.waitForCacheSync({ timeoutMs: 300 });
  } catch (err) {
    caught = err;
  }
  assert(caught instanceof CacheSyncTimeoutError, String(caught));
  assert(performance.now() - started < 5_000, "it gave up at the timeout");
  assertEquals(caught.unsynced.map((u) => u.informer), ["pods informer"]);
  assertMatch(
    caught.message,
    /^1 informer did not sync within 0\.3 s: pods informer \(last error: .*forbidden/i,
  );
  assertEquals(caught.timeoutMs, 300);
  // Synced informers and a generous timeout: the same Map as without one.
  const nodesOnly = new SharedInformerFactory(server.client());
  const nodeInformer = nodesOnly.informerFor(nodes);
  nodesOnly.start(AbortSignal.timeout(10_000));
  const result = await nodesOnly.waitForCacheSync({ timeoutMs: 5_000 });
  assertEquals(result.get(nodeInformer), true);
  assertEquals(`${nodeInformer}`, "nodes informer");
  await factory.shutdown();
  await nodesOnly.shutdown();
  await server.close();
});

Deno.test("SharedInformerFactory.health lists every informer's health", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a", "default"));
  const factory = new SharedInformerFactory(server.client());
  factory.informerFor(pods);
  factory.informerFor(replicaSets);
  factory.start(AbortSignal.timeout(10_000));
  await factory.waitForCacheSync({ timeoutMs: 5_000 });
  const health = factory.health();
  assertEquals(health.map((h) => [h.resource, h.synced, h.objects]), [
    ["pods", true, 1],
    ["replicasets.apps", true, 0],
  ]);
  await factory.shutdown();
  await server.close();
});

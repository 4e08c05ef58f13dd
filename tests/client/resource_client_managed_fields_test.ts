import type { ConfigMap } from "../../src/api/core_v1.ts";
import type { KubeObject } from "../../src/api/meta.ts";
import { configMaps } from "../../src/api/resources.ts";
import type { WatchEvent } from "../../src/api/watch_event.ts";
import type { KubeClient } from "../../src/client/kube_client.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { waitFor } from "../_helpers/wait.ts";

/** A ConfigMap with `managedFields` as a data key and an annotation, which must stay. */
function configMap(name: string): ConfigMap {
  return {
    metadata: { name, namespace: "default", annotations: { managedFields: "an annotation" } },
    data: { managedFields: '"managedFields":[]', other: "x" },
  };
}

/** Creates the ConfigMaps over HTTP (so the server records managedFields) and returns a client. */
async function seed(server: FakeApiServer, names: readonly string[]): Promise<KubeClient> {
  const client = server.client();
  const api = client.resource(configMaps, "default");
  for (const name of names) {
    await api.create(configMap(name), { fieldManager: "seeder" });
    await api.patch(name, { data: { patched: "1" } }, { fieldManager: "patcher" });
  }
  return client;
}

function withoutManagedFields<T extends KubeObject>(object: T): T {
  const { managedFields: _dropped, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

function assertDropped(objects: readonly ConfigMap[], full: readonly ConfigMap[]): void {
  assert(
    full.every((cm) => (cm.metadata?.managedFields?.length ?? 0) > 0),
    "the server sets managedFields",
  );
  assertEquals(
    objects.map((cm) => "managedFields" in (cm.metadata ?? {})),
    objects.map(() => false),
  );
  assertEquals(objects, full.map(withoutManagedFields));
  for (const cm of objects) {
    assertEquals(cm.data?.managedFields, '"managedFields":[]');
    assertEquals(cm.metadata?.annotations?.managedFields, "an annotation");
  }
}

Deno.test("ResourceClient.list with dropManagedFields returns items without managedFields", async () => {
  await using server = await FakeApiServer.start();
  const client = await seed(server, ["a", "b", "c"]);
  const api = client.resource(configMaps);
  const full = await api.list();
  const dropped = await api.list({ dropManagedFields: true });
  assertEquals(dropped.metadata.resourceVersion, full.metadata.resourceVersion);
  assertEquals(dropped.items.map((cm) => cm.kind), ["ConfigMap", "ConfigMap", "ConfigMap"]);
  assertDropped(dropped.items, full.items);
  client.close();
});

Deno.test("ResourceClient.listPages and listComplete with dropManagedFields drop it on every page", async () => {
  await using server = await FakeApiServer.start();
  const client = await seed(server, ["a", "b", "c", "d", "e"]);
  const api = client.resource(configMaps);
  const full = await api.listComplete({ limit: 2 });
  const pages: ConfigMap[][] = [];
  for await (const page of api.listPages({ limit: 2, dropManagedFields: true })) {
    pages.push(page.items);
  }
  assertEquals(pages.map((items) => items.length), [2, 2, 1]);
  assertDropped(pages.flat(), full.items);
  const complete = await api.listComplete({ limit: 2, dropManagedFields: true });
  assertDropped(complete.items, full.items);
  client.close();
});

Deno.test("ResourceClient.watch with dropManagedFields drops it from replayed and live events", async () => {
  await using server = await FakeApiServer.start();
  const client = await seed(server, ["a", "b"]);
  const api = client.resource(configMaps, "default");
  const full = (await api.list()).items;
  const ac = new AbortController();
  const events: WatchEvent<ConfigMap>[] = [];
  const run = (async () => {
    for await (
      const ev of api.watch({ resourceVersion: "0", dropManagedFields: true, signal: ac.signal })
    ) {
      events.push(ev);
      if (events.length === 3) break;
    }
  })();
  await waitFor(() => events.length === 2);
  const patched = await api.patch("a", { data: { live: "yes" } }, { fieldManager: "live" });
  await run;
  assert(
    (patched.metadata?.managedFields?.length ?? 0) >= 3,
    "the live change carries managedFields",
  );
  assertEquals(events.map((e) => e.type), ["ADDED", "ADDED", "MODIFIED"]);
  const objects = events.map((e) => e.object as ConfigMap);
  assertDropped(objects.slice(0, 2), full);
  assertDropped(objects.slice(2), [patched]);
  ac.abort();
  client.close();
});

Deno.test("ResourceClient.watch with dropManagedFields drops it from a streaming list", async () => {
  await using server = await FakeApiServer.start();
  const client = await seed(server, ["a", "b", "c"]);
  const api = client.resource(configMaps);
  const full = (await api.list()).items;
  const added: ConfigMap[] = [];
  for await (
    const ev of api.watch({
      sendInitialEvents: true,
      resourceVersionMatch: "NotOlderThan",
      allowWatchBookmarks: true,
      dropManagedFields: true,
    })
  ) {
    if (ev.type === "ADDED") added.push(ev.object);
    if (ev.type === "BOOKMARK") break;
  }
  assertDropped(added, full);
  client.close();
});

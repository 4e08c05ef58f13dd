import { ApiError, ExpiredError, WatchDecodeError } from "../../src/api/errors.ts";
import type { ConfigMap, Pod } from "../../src/api/core_v1.ts";
import type { KubeList, Status } from "../../src/api/meta.ts";
import { configMaps, deployments, pods } from "../../src/api/resources.ts";
import type { WatchEvent } from "../../src/api/watch_event.ts";
import { KubeClient } from "../../src/client/kube_client.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../_helpers/assert.ts";

function pod(name: string, namespace = "default", labels: Record<string, string> = {}): Pod {
  return {
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: "app", image: "nginx" }] },
  };
}

async function take<T>(iterable: AsyncIterable<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  if (count === 0) return out;
  for await (const item of iterable) {
    out.push(item);
    if (out.length === count) break;
  }
  return out;
}

Deno.test("ResourceClient creates, reads, replaces, patches and deletes over real HTTP", async () => {
  await using server = await FakeApiServer.start();
  const client = server.client();
  const api = client.resource(pods, "default");

  const created = await api.create(pod("web-0"));
  assertEquals(created.kind, "Pod");
  assertEquals(created.apiVersion, "v1");
  assert(created.metadata?.uid, "the server assigns a uid");

  const read = await api.get("web-0");
  assertEquals(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

  const replaced = await api.replace({
    ...read,
    metadata: { ...read.metadata, labels: { tier: "front" } },
  });
  assertEquals(replaced.metadata?.labels, { tier: "front" });

  const stale = await assertRejects(() => api.replace(read), ApiError);
  assertEquals(stale.code, 409);
  assertEquals(stale.reason, "Conflict");

  const merged = await api.patch("web-0", { metadata: { labels: { app: "web" } } });
  assertEquals(merged.metadata?.labels, { tier: "front", app: "web" });
  const json = await api.patch("web-0", [{ op: "remove", path: "/metadata/labels/tier" }], {
    type: "json",
  });
  assertEquals(json.metadata?.labels, { app: "web" });
  // Pod updates may change little more than container images (a real server refuses new
  // containers with 422): the strategic patch finds the container by its name.
  const strategic = await api.patch(
    "web-0",
    { spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
    { type: "strategic" },
  );
  assertEquals(strategic.spec?.containers.map((c) => [c.name, c.image]), [["app", "nginx:1.27"]]);
  const applied = await api.patch(
    "web-0",
    { metadata: { name: "web-0", annotations: { owner: "team-a" } } },
    { type: "apply", fieldManager: "tests" },
  );
  assertEquals(applied.metadata?.annotations?.owner, "team-a");

  const missing = await assertRejects(() => api.get("nope"), ApiError);
  assertEquals(missing.code, 404);
  assertEquals(missing.status.message, 'pods "nope" not found');

  const precondition = await assertRejects(
    () => api.delete("web-0", { preconditions: { uid: "not-the-uid" } }),
    ApiError,
    "the UID in the precondition (not-the-uid) does not match",
  );
  assertEquals(precondition.code, 409);
  await api.delete("web-0", { preconditions: { uid: created.metadata!.uid! } });
  assertEquals(server.list(pods).length, 0);
  client.close();
});

Deno.test("ResourceClient refuses requests that cannot be addressed", () => {
  const client = new KubeClient({ server: "http://k.invalid" });
  assertThrows(() => client.resource(pods).get("x"), TypeError, "namespaced");
  assertThrows(
    () => client.resource(pods, "default").replace({ metadata: {} }),
    TypeError,
    "metadata.name",
  );
  assertThrows(
    () => client.resource(pods, "default").patch("x", {}, { type: "apply" }),
    TypeError,
    "fieldManager",
  );
  assertThrows(
    () => client.resource(pods, "default").patch("x", {}, { type: "json" }),
    TypeError,
    "array",
  );
});

Deno.test("ResourceClient.list fills in kind and apiVersion of items from the list", async () => {
  const server = new FakeApiServer();
  server.create(deployments, { metadata: { name: "d", namespace: "prod" } });
  const raw = await (await server.fetch(new Request("http://x/apis/apps/v1/deployments"))).json();
  assertEquals(raw.items[0].kind, undefined, "the server omits item kinds, like a real one");
  const list = await server.client().resource(deployments).list();
  assertEquals(list.kind, "DeploymentList");
  assertEquals(list.items[0]?.kind, "Deployment");
  assertEquals(list.items[0]?.apiVersion, "apps/v1");
  await server.close();
});

Deno.test("ResourceClient.deleteCollection fills in kind and apiVersion of the deleted items", async () => {
  // A real kube-apiserver 1.37 answers deletecollection with a ConfigMapList whose items carry
  // no kind or apiVersion, as its lists do.
  const server = new FakeApiServer();
  const client = server.client();
  const cms = client.resource(configMaps, "default");
  await cms.create({ metadata: { name: "old", labels: { age: "old" } } });
  await cms.create({ metadata: { name: "new", labels: { age: "new" } } });
  const result = await cms.deleteCollection({ labelSelector: { age: "old" } });
  assert(result.kind === "ConfigMapList", `a list of the deleted objects, got ${result.kind}`);
  const deleted = result as KubeList<ConfigMap>;
  assertEquals(deleted.items.map((cm) => [cm.kind, cm.apiVersion, cm.metadata?.name]), [
    ["ConfigMap", "v1", "old"],
  ]);
  assertEquals((await cms.list()).items.map((cm) => cm.metadata?.name), ["new"]);
  await server.close();
});

Deno.test("ResourceClient.listAll follows continue tokens", async () => {
  const server = new FakeApiServer();
  for (let i = 0; i < 7; i++) {
    server.create(configMaps, { metadata: { name: `c${i}`, namespace: "default" } });
  }
  const names: string[] = [];
  for await (const cm of server.client().resource(configMaps).listAll({ limit: 2 })) {
    names.push(cm.metadata!.name!);
  }
  assertEquals(names, ["c0", "c1", "c2", "c3", "c4", "c5", "c6"]);
  const lists = server.requests.filter((r) => r.verb === "list");
  assertEquals(lists.length, 4);
  await server.close();
});

Deno.test("ResourceClient.listComplete starts over when the continue token expires mid-list", async () => {
  const server = serverWithConfigMaps(5);
  let pages = 0;
  const client = new KubeClient({
    server: "http://fake.invalid",
    fetch: async (request) => {
      const response = await server.fetch(request);
      if (++pages === 1) {
        // Between page one and page two: one object goes, one comes, history is compacted.
        server.delete(configMaps, "default", "c0");
        server.create(configMaps, { metadata: { name: "c9", namespace: "default" } });
        server.compact();
      }
      return response;
    },
  });
  const list = await client.resource(configMaps).listComplete({ limit: 2 });
  assertEquals(list.items.map((c) => c.metadata?.name), ["c1", "c2", "c3", "c4", "c9"]);
  assertEquals(list.metadata.resourceVersion, server.resourceVersion);
  assertEquals(list.metadata.continue, undefined);
  await server.close();
});

Deno.test("ResourceClient.listComplete gives up with ExpiredError after maxRestarts", async () => {
  const server = serverWithConfigMaps(5);
  const client = expiringEveryResponse(server);
  await assertRejects(
    () => client.resource(configMaps).listComplete({ limit: 2, maxRestarts: 2 }),
    ExpiredError,
  );
  await server.close();
});

Deno.test("ResourceClient.watch yields changes after a resourceVersion and bookmarks on demand", async () => {
  await using server = await FakeApiServer.start({ bookmarkIntervalMs: 0 });
  const client = server.client();
  server.create(pods, pod("a"));
  const from = server.resourceVersion;
  const ac = new AbortController();
  const events = client.resource(pods).watch({
    resourceVersion: from,
    allowWatchBookmarks: true,
    signal: ac.signal,
  });
  const collected = take(events, 4);
  await waitFor(() => server.watchCount === 1);
  server.create(pods, pod("b"));
  const b = server.get(pods, "default", "b")!;
  server.update(pods, { ...b, metadata: { ...b.metadata, labels: { x: "1" } } });
  server.bookmark();
  server.delete(pods, "default", "b");
  const got = await collected;
  assertEquals(got.map((e) => e.type), ["ADDED", "MODIFIED", "BOOKMARK", "DELETED"]);
  assertEquals(
    got.map((e) => e.type === "BOOKMARK" ? undefined : (e.object as Pod).metadata?.name),
    [
      "b",
      "b",
      undefined,
      "b",
    ],
  );
  assertEquals(got[2]?.object.metadata?.resourceVersion !== undefined, true);
  ac.abort();
  await waitFor(() => server.watchCount === 0);
  client.close();
});

Deno.test("ResourceClient.watch yields an ERROR event with ExpiredError for a compacted resourceVersion", async () => {
  const server = new FakeApiServer();
  server.create(pods, pod("a"));
  const old = server.resourceVersion;
  server.create(pods, pod("b"));
  server.compact();
  const events: WatchEvent<Pod>[] = [];
  for await (const ev of server.client().resource(pods).watch({ resourceVersion: old })) {
    events.push(ev);
  }
  assertEquals(events.length, 1);
  const ev = events[0]!;
  assert(ev.type === "ERROR");
  assert(ev.error instanceof ExpiredError);
  assertEquals((ev.object as Status).code, 410);
  await server.close();
});

Deno.test("ResourceClient.watch ends with WatchDecodeError when the stream carries garbage", async () => {
  await using server = await FakeApiServer.start();
  const client = server.client();
  const ac = new AbortController();
  const seen: string[] = [];
  const run = (async () => {
    for await (
      const ev of client.resource(pods).watch({
        resourceVersion: server.resourceVersion,
        signal: ac.signal,
      })
    ) {
      seen.push(ev.type);
    }
  })();
  await waitFor(() => server.watchCount === 1);
  server.create(pods, pod("a"));
  await waitFor(() => seen.length === 1);
  server.injectMalformedLine();
  const err = await assertRejects(() => run, WatchDecodeError);
  assertEquals(err.kind, "malformed-json");
  assertEquals(seen, ["ADDED"]);
  await waitFor(() => server.watchCount === 0);
  client.close();
});

Deno.test("ResourceClient.watch refused with an HTTP error throws the ApiError", async () => {
  const server = new FakeApiServer();
  server.failNext({ status: 403, match: { verb: "watch" } });
  const err = await assertRejects(
    () => take(server.client().resource(pods).watch({ resourceVersion: "0" }), 1),
    ApiError,
  );
  assertEquals(err.code, 403);
  assertEquals(err.reason, "Forbidden");
  await server.close();
});

Deno.test("ResourceClient.watch over HTTP closes the connection when aborted mid-stream", async () => {
  await using server = await FakeApiServer.start();
  const client = server.client();
  server.create(pods, pod("a"));
  const ac = new AbortController();
  const reason = new Error("done");
  const run = (async () => {
    for await (
      const _ev of client.resource(pods).watch({ resourceVersion: "0", signal: ac.signal })
    ) {
      ac.abort(reason);
    }
  })();
  const err = await assertRejects(() => run);
  assertEquals(err, reason);
  await waitFor(() => server.watchCount === 0);
  client.close();
});

/** Polls `condition` every few milliseconds for up to 5 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A server holding config maps c0..c(n-1) in "default". */
function serverWithConfigMaps(n: number): FakeApiServer {
  const server = new FakeApiServer();
  for (let i = 0; i < n; i++) {
    server.create(configMaps, { metadata: { name: `c${i}`, namespace: "default" } });
  }
  return server;
}

/** A client after each of whose responses the server changes and compacts, so every continue token expires. */
function expiringEveryResponse(server: FakeApiServer): KubeClient {
  return new KubeClient({
    server: "http://fake.invalid",
    fetch: async (request) => {
      const response = await server.fetch(request);
      server.create(configMaps, { metadata: { generateName: "x-", namespace: "default" } });
      server.compact();
      return response;
    },
  });
}

function countingClient(server: FakeApiServer, rewrite?: (body: string) => string) {
  const requests: Request[] = [];
  const client = new KubeClient({
    server: "http://fake.invalid",
    fetch: async (request) => {
      requests.push(request);
      const response = await server.fetch(request);
      if (!rewrite) return response;
      return new Response(rewrite(await response.text()), {
        status: response.status,
        headers: response.headers,
      });
    },
  });
  return { client, requests };
}

Deno.test("ResourceClient.listPages asks for the next page before the current one is consumed", async () => {
  const server = serverWithConfigMaps(5);
  const { client, requests } = countingClient(server);
  const pages = client.resource(configMaps).listPages({ limit: 2 })[Symbol.asyncIterator]();
  const first = await pages.next();
  assertEquals(first.value?.items.length, 2);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(requests.length, 2, "page two was requested while page one was being consumed");
  const sizes = [first.value!.items.length];
  for (let next = await pages.next(); !next.done; next = await pages.next()) {
    sizes.push(next.value.items.length);
  }
  assertEquals(sizes, [2, 2, 1]);
  assertEquals(requests.length, 3);
  assertEquals(
    new URL(requests[1]!.url).searchParams.get("resourceVersion"),
    null,
    "no RV with continue",
  );
  await server.close();
});

Deno.test("ResourceClient.listPages cancels the prefetched request when the consumer stops early", async () => {
  const server = serverWithConfigMaps(5);
  const { client, requests } = countingClient(server);
  for await (const _page of client.resource(configMaps).listPages({ limit: 2 })) break;
  assertEquals(requests.length, 2);
  assertEquals(requests[1]!.signal.aborted, true);
  await server.close();
});

Deno.test("ResourceClient.listPages pages one at a time when a response puts its metadata after the items", async () => {
  const server = serverWithConfigMaps(5);
  const { client } = countingClient(server, (body) => {
    const { items, ...rest } = JSON.parse(body);
    return JSON.stringify({ items, ...rest });
  });
  const names: string[] = [];
  for await (const page of client.resource(configMaps).listPages({ limit: 2 })) {
    names.push(...page.items.map((c) => c.metadata!.name!));
  }
  assertEquals(names, ["c0", "c1", "c2", "c3", "c4"]);
  await server.close();
});

Deno.test("ResourceClient.listPages throws ExpiredError for a continue token that expired", async () => {
  const server = serverWithConfigMaps(5);
  const client = expiringEveryResponse(server);
  const sizes: number[] = [];
  await assertRejects(async () => {
    for await (const page of client.resource(configMaps).listPages({ limit: 2 })) {
      sizes.push(page.items.length);
    }
  }, ExpiredError);
  assertEquals(sizes, [2]);
  await server.close();
});

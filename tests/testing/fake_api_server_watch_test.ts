import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import {
  assertStatus,
  conformance,
  type Harness,
  jsonBody,
} from "../_helpers/fake_server_harness.ts";
import { pods } from "../../src/api/resources.ts";
import type { Pod } from "../../src/api/core_v1.ts";

// deno-lint-ignore no-explicit-any -- tests read arbitrary JSON
type Any = any;
const PODS = "/api/v1/namespaces/default/pods";

function pod(name: string, labels: Record<string, string> = {}, namespace = "default"): Pod {
  return { metadata: { name, namespace, labels }, spec: { containers: [] } };
}

function summary(events: { type?: string; object?: Any }[]): string[] {
  return events.map((e) =>
    e.type === "BOOKMARK"
      ? `BOOKMARK ${e.object.metadata.resourceVersion}${
        e.object.metadata.annotations?.["k8s.io/initial-events-end"] ? " end" : ""
      }`
      : `${e.type} ${e.object?.metadata?.name ?? e.object?.reason}`
  );
}

async function relabel(h: Harness, name: string, labels: Record<string, string>): Promise<void> {
  const p = h.server.get(pods, "default", name)!;
  p.metadata!.labels = labels;
  h.server.update(pods, p);
  await Promise.resolve();
}

conformance(
  "watch from resourceVersion 0 sends synthetic ADDED in key order, then changes",
  async (h) => {
    h.server.create(pods, pod("b"));
    h.server.create(pods, pod("a"));
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=0`);
    assertEquals(w.response.status, 200);
    assertEquals(w.response.headers.get("content-type"), "application/json");
    assertEquals(summary(await w.take(2)), ["ADDED a", "ADDED b"]);
    h.server.create(pods, pod("c"));
    const added = await w.next();
    assertEquals(summary([added!]), ["ADDED c"]);
    assertEquals(added!.object.kind, "Pod");
    assertEquals(added!.object.apiVersion, "v1");
    assertEquals(added!.object.metadata.resourceVersion, "4");
    assertEquals(h.server.watchCount, 1);
  },
);

conformance("watch with an unset resourceVersion starts from the current state too", async (h) => {
  h.server.create(pods, pod("a"));
  const w = await h.watch(`${PODS}?watch=true`);
  assertEquals(summary(await w.take(1)), ["ADDED a"]);
  await w.expectQuiet(50);
});

conformance(
  "watch from resourceVersion N sends only later changes, with MODIFIED and DELETED",
  async (h) => {
    h.server.create(pods, pod("a"));
    const rv = h.server.resourceVersion;
    await relabel(h, "a", { v: "1" });
    h.server.delete(pods, "default", "a");
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=${rv}`);
    const events = await w.take(2);
    assertEquals(summary(events), ["MODIFIED a", "DELETED a"]);
    assertEquals(events[0]!.object.metadata.labels, { v: "1" });
    assertEquals(events[1]!.object.metadata.resourceVersion, "4");
    await w.expectQuiet(50);
    h.server.create(pods, pod("b"));
    assertEquals(summary(await w.take(1)), ["ADDED b"]);
  },
);

conformance(
  "watch from a future resourceVersion waits for it and sends only later changes",
  async (h) => {
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=3`);
    h.server.create(pods, pod("a")); // 2
    h.server.create(pods, pod("b")); // 3
    h.server.create(pods, pod("c")); // 4
    const [event] = await w.take(1);
    assertEquals(
      [event!.type, event!.object.metadata.name, event!.object.metadata.resourceVersion],
      ["ADDED", "c", "4"],
    );
  },
);

conformance(
  "watch from a compacted resourceVersion is 200 then an in-stream 410 Expired",
  async (h) => {
    h.server.create(pods, pod("a"));
    h.server.create(pods, pod("b"));
    h.server.compact();
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=2`);
    assertEquals(w.response.status, 200);
    const [error] = await w.take(1);
    assertEquals(error!.type, "ERROR");
    assertEquals(error!.object, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "too old resource version: 2 (3)",
      reason: "Expired",
      code: 410,
    });
    assertEquals(await w.expectEnd(), []);
    assertEquals(h.server.watchCount, 0);
    const ok = await h.watch(`${PODS}?watch=1&resourceVersion=3`);
    await ok.expectQuiet(30);
  },
);

conformance("the bounded history expires old resourceVersions for watches", async (h) => {
  for (const n of ["a", "b", "c", "d"]) h.server.create(pods, pod(n));
  const old = await h.watch(`${PODS}?watch=1&resourceVersion=2`);
  const [error] = await old.take(1);
  assertEquals([error!.type, error!.object.code, error!.object.message], [
    "ERROR",
    410,
    "too old resource version: 2 (3)",
  ]);
  const kept = await h.watch(`${PODS}?watch=1&resourceVersion=3`);
  assertEquals(summary(await kept.take(2)), ["ADDED c", "ADDED d"]);
}, { historySize: 2 });

conformance(
  "watch filters by label selector with ADDED on entering and DELETED on leaving",
  async (h) => {
    h.server.create(pods, pod("a", { app: "web" }));
    h.server.create(pods, pod("b", { app: "db" }));
    const w = await h.watch(`${PODS}?watch=1&labelSelector=app%3Dweb&resourceVersion=0`);
    assertEquals(summary(await w.take(1)), ["ADDED a"]);
    await relabel(h, "b", { app: "web" });
    assertEquals(summary(await w.take(1)), ["ADDED b"]);
    await relabel(h, "b", { app: "web", extra: "1" });
    assertEquals(summary(await w.take(1)), ["MODIFIED b"]);
    const leaveRv = String(Number(h.server.resourceVersion) + 1);
    await relabel(h, "a", { app: "other" });
    const [left] = await w.take(1);
    assertEquals(summary([left!]), ["DELETED a"]);
    assertEquals(left!.object.metadata.labels, { app: "web" });
    assertEquals(left!.object.metadata.resourceVersion, leaveRv);
    await relabel(h, "a", { app: "still-other" });
    h.server.create(pods, pod("c", { app: "db" }));
    await w.expectQuiet(50);
  },
);

conformance("watch filters by field selector and namespace", async (h) => {
  const w = await h.watch(
    `/api/v1/pods?watch=1&fieldSelector=${
      encodeURIComponent("metadata.namespace=x,spec.nodeName=n1")
    }`,
  );
  h.server.create(pods, {
    metadata: { name: "a", namespace: "x" },
    spec: { nodeName: "n1", containers: [] },
  });
  h.server.create(pods, {
    metadata: { name: "b", namespace: "y" },
    spec: { nodeName: "n1", containers: [] },
  });
  h.server.create(pods, { metadata: { name: "c", namespace: "x" }, spec: { containers: [] } });
  assertEquals(summary(await w.take(1)), ["ADDED a"]);
  await w.expectQuiet(50);
  const bad = await h.json(`${PODS}?watch=1&fieldSelector=spec.nope%3Dx`);
  assertStatus(bad, 400, "BadRequest", "field label not supported: spec.nope");
});

conformance("watch on an object path follows only that object", async (h) => {
  h.server.create(pods, pod("a"));
  h.server.create(pods, pod("b"));
  const w = await h.watch(`${PODS}/b?watch=true`);
  assertEquals(summary(await w.take(1)), ["ADDED b"]);
  await relabel(h, "a", { x: "1" });
  await relabel(h, "b", { x: "1" });
  assertEquals(summary(await w.take(1)), ["MODIFIED b"]);
  const conflict = await h.json(`${PODS}/b?watch=true&fieldSelector=metadata.name%3Da`);
  assertStatus(conflict, 400, "BadRequest");
  const legacy = await h.watch("/api/v1/watch/namespaces/default/pods/a");
  assertEquals(summary(await legacy.take(1)), ["ADDED a"]);
});

conformance(
  "bookmarks come on demand with the current resourceVersion, only when asked for",
  async (h) => {
    h.server.create(pods, pod("a"));
    const rv = h.server.resourceVersion;
    const withMarks = await h.watch(
      `${PODS}?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`,
    );
    const without = await h.watch(`${PODS}?watch=1&resourceVersion=${rv}`);
    h.server.bookmark();
    const [mark] = await withMarks.take(1);
    assertEquals(mark!.type, "BOOKMARK");
    assertEquals(mark!.object, {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { resourceVersion: "2" },
    });
    h.server.create(pods, pod("b"));
    h.server.bookmark();
    assertEquals(summary(await withMarks.take(2)), ["ADDED b", "BOOKMARK 3"]);
    assertEquals(summary(await without.take(1)), ["ADDED b"]);
    await without.expectQuiet(50);
  },
  { bookmarkIntervalMs: 0 },
);

conformance("periodic bookmarks arrive every bookmarkIntervalMs", async (h) => {
  const w = await h.watch(`${PODS}?watch=1&allowWatchBookmarks=1&resourceVersion=1`);
  assertEquals(summary(await w.take(2, 1000)), ["BOOKMARK 1", "BOOKMARK 1"]);
}, { bookmarkIntervalMs: 30 });

conformance(
  "streaming list sends ADDED for the state, then the initial-events-end bookmark, then changes",
  async (h) => {
    h.server.create(pods, pod("b"));
    h.server.create(pods, pod("a"));
    h.server.create(pods, pod("c", {}, "other"));
    const w = await h.watch(
      `${PODS}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=2`,
    );
    const events = await w.take(3);
    assertEquals(summary(events), ["ADDED a", "ADDED b", "BOOKMARK 4 end"]);
    assertEquals(events[2]!.object, {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { resourceVersion: "4", annotations: { "k8s.io/initial-events-end": "true" } },
    });
    h.server.create(pods, pod("d"));
    assertEquals(summary(await w.take(1)), ["ADDED d"]);
  },
);

conformance("streaming list without allowWatchBookmarks sends no end marker", async (h) => {
  h.server.create(pods, pod("a"));
  const w = await h.watch(
    `${PODS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
  );
  assertEquals(summary(await w.take(1)), ["ADDED a"]);
  await w.expectQuiet(50);
});

conformance(
  "a plain watch from 0 with bookmarks also gets the end marker (server defaulting)",
  async (h) => {
    h.server.create(pods, pod("a"));
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=0&allowWatchBookmarks=true`);
    assertEquals(summary(await w.take(2)), ["ADDED a", "BOOKMARK 2 end"]);
  },
);

conformance("streaming list validation and a future resourceVersion", async (h) => {
  const noMatch = await h.json(`${PODS}?watch=1&sendInitialEvents=true`);
  assertStatus(
    noMatch,
    422,
    "Invalid",
    'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
  );
  const matchOnly = await h.json(`${PODS}?watch=1&resourceVersionMatch=NotOlderThan`);
  assertStatus(
    matchOnly,
    422,
    "Invalid",
    'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
  );
  const future = await h.watch(
    `${PODS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=50`,
  );
  const [error] = await future.take(1);
  assertEquals([error!.type, error!.object.code, error!.object.reason], ["ERROR", 504, "Timeout"]);
  assertEquals(await future.expectEnd(), []);
});

conformance("a server without streaming lists refuses sendInitialEvents with 422", async (h) => {
  const res = await h.json<Any>(
    `${PODS}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
  );
  assertStatus(res, 422, "Invalid");
  assertMatch(res.body.message, /sendInitialEvents: Forbidden/);
  h.server.create(pods, pod("a"));
  const legacy = await h.watch(`${PODS}?watch=1&resourceVersion=0&allowWatchBookmarks=true`);
  assertEquals(summary(await legacy.take(1)), ["ADDED a"]);
  await legacy.expectQuiet(50);
}, { streamingLists: false });

conformance("sendInitialEvents=false with NotOlderThan starts from now", async (h) => {
  h.server.create(pods, pod("a"));
  const w = await h.watch(
    `${PODS}?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`,
  );
  h.server.create(pods, pod("b"));
  assertEquals(summary(await w.take(1)), ["ADDED b"]);
});

conformance("timeoutSeconds ends the stream cleanly", async (h) => {
  const started = Date.now();
  const w = await h.watch(`${PODS}?watch=1&timeoutSeconds=1`);
  assertEquals(await w.expectEnd(3000), []);
  const elapsed = Date.now() - started;
  assert(elapsed >= 900 && elapsed < 2500, `ended after ${elapsed} ms`);
  assertEquals(h.server.watchCount, 0);
});

conformance("metadata-only watches carry PartialObjectMetadata, bookmarks included", async (h) => {
  h.server.create(pods, pod("a", { x: "1" }));
  const w = await h.watch(`${PODS}?watch=1&resourceVersion=0&allowWatchBookmarks=true`, {
    headers: {
      Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, application/json",
    },
  });
  const [added, end] = await w.take(2);
  assertEquals(Object.keys(added!.object), ["kind", "apiVersion", "metadata"]);
  assertEquals([added!.object.kind, added!.object.metadata.labels], ["PartialObjectMetadata", {
    x: "1",
  }]);
  assertEquals(end!.object.kind, "PartialObjectMetadata");
  await relabel(h, "a", {});
  const [modified] = await w.take(1);
  assertEquals([modified!.type, modified!.object.kind], ["MODIFIED", "PartialObjectMetadata"]);
});

conformance("Table watches send column definitions only with the first event", async (h) => {
  h.server.create(pods, pod("a"));
  const w = await h.watch(`${PODS}?watch=1&resourceVersion=0`, {
    headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" },
  });
  const [first] = await w.take(1);
  assertEquals(first!.object.kind, "Table");
  assertEquals(first!.object.columnDefinitions.length, 9);
  assertEquals(first!.object.rows[0].cells[0], "a");
  h.server.create(pods, pod("b"));
  const [second] = await w.take(1);
  assertEquals([second!.type, second!.object.columnDefinitions, second!.object.rows[0].cells[0]], [
    "ADDED",
    null,
    "b",
  ]);
});

conformance("closeWatches ends every stream and lets clients reconnect", async (h) => {
  const a = await h.watch(`${PODS}?watch=1`);
  const b = await h.watch(`/api/v1/pods?watch=1`);
  assertEquals(h.server.watchCount, 2);
  assertEquals(h.server.closeWatches(), 2);
  assertEquals(await a.expectEnd(), []);
  assertEquals(await b.expectEnd(), []);
  assertEquals(h.server.watchCount, 0);
});

conformance("stallWatches keeps the connection open and sends nothing more", async (h) => {
  const w = await h.watch(`${PODS}?watch=1&allowWatchBookmarks=true&timeoutSeconds=1`);
  assertEquals(summary(await w.take(1)), ["BOOKMARK 1 end"]);
  assertEquals(h.server.stallWatches(), 1);
  h.server.create(pods, pod("a"));
  h.server.bookmark();
  await w.expectQuiet(1300);
  assertEquals(h.server.watchCount, 1);
  const fresh = await h.watch(`${PODS}?watch=1&resourceVersion=1`);
  assertEquals(summary(await fresh.take(1)), ["ADDED a"]);
}, { bookmarkIntervalMs: 0 });

conformance("injectMalformedLine writes a line that is not JSON", async (h) => {
  const w = await h.watch(`${PODS}?watch=1`);
  assertEquals(h.server.injectMalformedLine(), 1);
  const line = await w.next();
  assertEquals(line, { raw: "{this is not json" });
  h.server.injectMalformedLine("garbage\n");
  assertEquals((await w.next())?.raw, "garbage");
});

conformance(
  "silent writes change state without an event but advance the resourceVersion",
  async (h) => {
    h.server.create(pods, pod("a"));
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=${h.server.resourceVersion}`);
    const a = h.server.get(pods, "default", "a")!;
    a.metadata!.labels = { missed: "yes" };
    h.server.update(pods, a, { silent: true });
    h.server.delete(pods, "default", "a", { silent: true });
    h.server.create(pods, pod("b"), { silent: true });
    assertEquals(h.server.resourceVersion, "5");
    await w.expectQuiet(50);
    h.server.create(pods, pod("c"));
    const [added] = await w.take(1);
    assertEquals(
      [added!.type, added!.object.metadata.name, added!.object.metadata.resourceVersion],
      ["ADDED", "c", "6"],
    );
    const list = (await h.json<Any>(PODS)).body;
    assertEquals(list.items.map((p: Any) => p.metadata.name), ["b", "c"]);
    const replay = await h.watch(`${PODS}?watch=1&resourceVersion=2`);
    assertEquals(summary(await replay.take(1)), ["ADDED c"]);
  },
);

conformance("a client that goes away is forgotten", async (h) => {
  const w = await h.watch(`${PODS}?watch=1`);
  assertEquals(h.server.watchCount, 1);
  await w.close();
  for (let i = 0; i < 50 && h.server.watchCount > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(h.server.watchCount, 0);
});

conformance("events written in one burst reach a watcher in few large chunks", async (h) => {
  h.server.create(pods, pod("a"));
  const w = await h.watch(`${PODS}?watch=1&resourceVersion=${h.server.resourceVersion}`);
  const p = h.server.get(pods, "default", "a")!;
  for (let i = 0; i < 500; i++) {
    p.metadata!.labels = { i: String(i) };
    h.server.update(pods, p);
  }
  const events = await w.take(500);
  assertEquals(events[499]!.object.metadata.labels, { i: "499" });
  if (h.mode === "fetch") assertEquals(w.chunks, 1);
  else assert(w.chunks < 50, `${w.chunks} chunks for 500 events`);
});

conformance("close() ends open watches, and later requests get 503", async (h) => {
  const w = await h.watch(`${PODS}?watch=1`);
  await h.server.close();
  assertEquals(await w.expectEnd(), []);
  if (h.mode === "fetch") {
    const res = await h.json(PODS);
    assertStatus(res, 503, "ServiceUnavailable");
  }
});

conformance(
  "watch with a list-only Accept is 406 and POST to a watch path is refused",
  async (h) => {
    const res = await h.json(`${PODS}?watch=1`, {
      headers: { Accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1" },
    });
    assertStatus(res, 406, "NotAcceptable");
    const post = await h.json(
      `/api/v1/watch/namespaces/default/pods`,
      jsonBody("POST", { metadata: { name: "x" } }),
    );
    assertEquals(post.status, 405);
  },
);

Deno.test("aborting an in-process watch request errors its body like fetch does", async () => {
  const { FakeApiServer } = await import("../../src/testing/mod.ts");
  const server = new FakeApiServer();
  try {
    const abort = new AbortController();
    const res = await server.fetch(
      new Request(`http://x${PODS}?watch=1`, { signal: abort.signal }),
    );
    const reader = res.body!.getReader();
    const pending = reader.read();
    abort.abort(new DOMException("stop", "AbortError"));
    let err: unknown;
    try {
      await pending;
    } catch (e) {
      err = e;
    }
    assert(err instanceof DOMException && err.name === "AbortError", `got ${err}`);
    assertEquals(server.watchCount, 0);
  } finally {
    await server.close();
  }
});

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

function seed(h: Harness, names: string[], namespace = "default"): void {
  for (const name of names) h.server.create(pods, { metadata: { name, namespace } });
}

function names(list: Any): string[] {
  return list.items.map((i: Any) => i.metadata.name);
}

conformance("list carries the current resourceVersion, also when empty", async (h) => {
  const empty = await h.json<Any>(PODS);
  assertEquals(empty.status, 200);
  assertEquals(empty.body, {
    kind: "PodList",
    apiVersion: "v1",
    metadata: { resourceVersion: "1" },
    items: [],
  });
  seed(h, ["a"]);
  h.server.create(pods, { metadata: { name: "x", namespace: "other" } });
  const list = await h.json<Any>(PODS);
  assertEquals(list.body.metadata, { resourceVersion: "3" });
  assertEquals(names(list.body), ["a"]);
  assertEquals(list.headers.get("content-type"), "application/json");
  const missingNs = await h.json<Any>("/api/v1/namespaces/nope/pods");
  assertEquals([missingNs.status, missingNs.body.items], [200, []]);
});

conformance("list is ordered by namespace then name across namespaces", async (h) => {
  seed(h, ["b", "a"], "ns2");
  seed(h, ["c"], "ns1");
  seed(h, ["z"], "ns-1");
  const list = (await h.json<Any>("/api/v1/pods")).body;
  assertEquals(list.items.map((i: Any) => `${i.metadata.namespace}/${i.metadata.name}`), [
    "ns-1/z",
    "ns1/c",
    "ns2/a",
    "ns2/b",
  ]);
});

conformance(
  "list resourceVersion matrix: unset, 0, NotOlderThan, Exact and legacy exact",
  async (h) => {
    seed(h, ["a"]);
    const rvA = h.server.resourceVersion; // "2"
    seed(h, ["b"]);
    const current = h.server.resourceVersion; // "3"
    const get = (q: string) => h.json<Any>(`${PODS}?${q}`);
    assertEquals((await get("")).body.metadata.resourceVersion, current);
    assertEquals(names((await get("resourceVersion=0")).body), ["a", "b"]);
    const notOlder = (await get(`resourceVersion=${rvA}`)).body;
    assertEquals([notOlder.metadata.resourceVersion, names(notOlder)], [current, ["a", "b"]]);
    const notOlder2 = (await get(`resourceVersion=${rvA}&resourceVersionMatch=NotOlderThan`)).body;
    assertEquals(notOlder2.metadata.resourceVersion, current);
    const exact = (await get(`resourceVersion=${rvA}&resourceVersionMatch=Exact`)).body;
    assertEquals([exact.metadata.resourceVersion, names(exact)], [rvA, ["a"]]);
    const legacyExact = (await get(`resourceVersion=${rvA}&limit=10`)).body;
    assertEquals([legacyExact.metadata.resourceVersion, names(legacyExact)], [rvA, ["a"]]);
    const beforeAll = (await get("resourceVersion=1&resourceVersionMatch=Exact")).body;
    assertEquals([beforeAll.metadata.resourceVersion, names(beforeAll)], ["1", []]);
  },
);

conformance(
  "list at an Exact resourceVersion sees the state of that moment after updates and deletes",
  async (h) => {
    seed(h, ["a", "b"]);
    const rv = h.server.resourceVersion;
    const a = h.server.get(pods, "default", "a")!;
    a.metadata!.labels = { v: "2" };
    h.server.update(pods, a);
    h.server.delete(pods, "default", "b");
    seed(h, ["c"]);
    const exact =
      (await h.json<Any>(`${PODS}?resourceVersion=${rv}&resourceVersionMatch=Exact`)).body;
    assertEquals(names(exact), ["a", "b"]);
    assertEquals(exact.items[0].metadata.labels, undefined);
    const now = (await h.json<Any>(PODS)).body;
    assertEquals(names(now), ["a", "c"]);
    assertEquals(now.items[0].metadata.labels, { v: "2" });
  },
);

conformance(
  "list with a resourceVersion newer than the server is 504 Too large resource version",
  async (h) => {
    const res = await h.json<Any>(`${PODS}?resourceVersion=99`);
    assertStatus(res, 504, "Timeout", "Timeout: Too large resource version: 99, current: 1");
    assertEquals(res.body.details, {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    });
    assertEquals(res.headers.get("retry-after"), "1");
  },
);

conformance("list option validation answers 422 and 400 like ValidateListOptions", async (h) => {
  const invalid = async (q: string, message: string) =>
    assertStatus(await h.json(`${PODS}?${q}`), 422, "Invalid", message);
  await invalid(
    "resourceVersionMatch=Exact",
    'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
  );
  await invalid(
    "resourceVersionMatch=NotARealMatch",
    'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Unsupported value: "NotARealMatch": supported values: "Exact", "NotOlderThan", ""]',
  );
  await invalid(
    "resourceVersion=0&resourceVersionMatch=Exact",
    'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
  );
  await invalid(
    "sendInitialEvents=true",
    'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list',
  );
  const badRv = await h.json<Any>(`${PODS}?resourceVersion=abc`);
  assertStatus(badRv, 400, "BadRequest");
  assertMatch(badRv.body.message, /^invalid resource version: /);
  assertStatus(await h.json(`${PODS}?continue=%%%`), 400, "BadRequest");
  const garbageToken = await h.json<Any>(`${PODS}?continue=bm90LWpzb24`);
  assertStatus(garbageToken, 400, "BadRequest");
  assertMatch(garbageToken.body.message, /^invalid continue token: /);
  assertStatus(await h.json(`${PODS}?limit=x`), 400, "BadRequest");
});

conformance("limit and continue page through the list with remainingItemCount", async (h) => {
  seed(h, ["a", "b", "c", "d", "e"]);
  const first = (await h.json<Any>(`${PODS}?limit=2`)).body;
  assertEquals(names(first), ["a", "b"]);
  assertEquals(first.metadata.remainingItemCount, 3);
  assert(typeof first.metadata.continue === "string" && first.metadata.continue !== "");
  const token = JSON.parse(atob(first.metadata.continue.replaceAll("-", "+").replaceAll("_", "/")));
  assertEquals(token, { v: "meta.k8s.io/v1", rv: 6, start: "default/b\u0000" });
  const second = (await h.json<Any>(`${PODS}?limit=2&continue=${first.metadata.continue}`)).body;
  assertEquals([names(second), second.metadata.remainingItemCount], [["c", "d"], 1]);
  const last = (await h.json<Any>(`${PODS}?limit=2&continue=${second.metadata.continue}`)).body;
  assertEquals(names(last), ["e"]);
  assertEquals(last.metadata, { resourceVersion: "6" });
  const withRv = await h.json<Any>(
    `${PODS}?limit=2&resourceVersion=6&continue=${first.metadata.continue}`,
  );
  assertStatus(
    withRv,
    400,
    "BadRequest",
    "specifying resource version is not allowed when using continue",
  );
  const withRv0 = await h.json<Any>(
    `${PODS}?limit=2&resourceVersion=0&continue=${first.metadata.continue}`,
  );
  assertEquals(names(withRv0.body), ["c", "d"]);
});

conformance(
  "pages of one list come from the first page's snapshot while writes happen",
  async (h) => {
    seed(h, ["a", "b", "c", "d"]);
    const first = (await h.json<Any>(`${PODS}?limit=2`)).body;
    const listRv = first.metadata.resourceVersion;
    h.server.delete(pods, "default", "c");
    seed(h, ["bb", "e"]);
    const d = h.server.get(pods, "default", "d")!;
    d.metadata!.labels = { changed: "yes" };
    h.server.update(pods, d);
    const second = (await h.json<Any>(`${PODS}?limit=2&continue=${first.metadata.continue}`)).body;
    assertEquals(second.metadata.resourceVersion, listRv);
    assertEquals(names(second), ["c", "d"]);
    assertEquals(second.items[1].metadata.labels, undefined);
    assertEquals(second.metadata.continue, undefined);
    const fresh = (await h.json<Any>(PODS)).body;
    assertEquals(names(fresh), ["a", "b", "bb", "d", "e"]);
  },
);

conformance(
  "a continue token after compaction is 410 Expired carrying an inconsistent token",
  async (h) => {
    seed(h, ["a", "b", "c"]);
    const first = (await h.json<Any>(`${PODS}?limit=1`)).body;
    seed(h, ["aa"]);
    h.server.compact();
    const expired = await h.json<Any>(`${PODS}?limit=1&continue=${first.metadata.continue}`);
    assertStatus(expired, 410, "Expired");
    assertMatch(
      expired.body.message,
      /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token/,
    );
    const token = expired.body.metadata.continue;
    assert(typeof token === "string" && token !== "");
    assertEquals(JSON.parse(atob(token.replaceAll("-", "+").replaceAll("_", "/"))).rv, -1);
    const rest = (await h.json<Any>(`${PODS}?limit=10&continue=${token}`)).body;
    assertEquals(names(rest), ["aa", "b", "c"]);
    assertEquals(rest.metadata.resourceVersion, h.server.resourceVersion);
    const exact = await h.json<Any>(`${PODS}?resourceVersion=2&resourceVersionMatch=Exact`);
    assertStatus(exact, 410, "Expired", "The resourceVersion for the provided list is too old.");
  },
);

conformance("a small history expires old snapshots without compact()", async (h) => {
  seed(h, ["a", "b"]);
  const first = (await h.json<Any>(`${PODS}?limit=1`)).body;
  seed(h, ["c", "d", "e"]);
  assertStatus(await h.json(`${PODS}?limit=1&continue=${first.metadata.continue}`), 410, "Expired");
}, { historySize: 2 });

conformance("resourceVersion=0 ignores limit like the watch cache", async (h) => {
  seed(h, ["a", "b", "c"]);
  const list = (await h.json<Any>(`${PODS}?limit=1&resourceVersion=0`)).body;
  assertEquals(names(list), ["a", "b", "c"]);
  assertEquals(list.metadata.continue, undefined);
});

conformance(
  "label selectors filter lists with the full syntax, and drop remainingItemCount",
  async (h) => {
    const label = (name: string, labels: Record<string, string>) =>
      h.server.create(pods, { metadata: { name, namespace: "default", labels } });
    label("a", { app: "web", tier: "front" });
    label("b", { app: "db" });
    label("c", { app: "web", canary: "true" });
    label("d", {});
    const sel = async (s: string) =>
      names((await h.json<Any>(`${PODS}?labelSelector=${encodeURIComponent(s)}`)).body);
    assertEquals(await sel("app=web"), ["a", "c"]);
    assertEquals(await sel("app==web,!canary"), ["a"]);
    assertEquals(await sel("app!=web"), ["b", "d"]);
    assertEquals(await sel("app in (db, web),tier notin (front)"), ["b", "c"]);
    assertEquals(await sel("canary"), ["c"]);
    assertEquals(await sel(""), ["a", "b", "c", "d"]);
    const page = (await h.json<Any>(`${PODS}?limit=1&labelSelector=app%3Dweb`)).body;
    assertEquals(names(page), ["a"]);
    assertEquals(page.metadata.remainingItemCount, undefined);
    assert(page.metadata.continue);
    const next = (await h.json<Any>(
      `${PODS}?limit=1&labelSelector=app%3Dweb&continue=${page.metadata.continue}`,
    )).body;
    assertEquals([names(next), next.metadata.continue], [["c"], undefined]);
    const bad = await h.json<Any>(`${PODS}?labelSelector=${encodeURIComponent("app in (web")}`);
    assertStatus(bad, 400, "BadRequest");
  },
);

conformance(
  "field selectors filter on metadata and pod fields; unknown labels are 400",
  async (h) => {
    const pod = (
      name: string,
      namespace: string,
      nodeName: string | undefined,
      phase: string,
    ): Pod => ({
      metadata: { name, namespace },
      spec: nodeName === undefined ? { containers: [] } : { nodeName, containers: [] },
      status: { phase },
    });
    h.server.create(pods, pod("a", "x", "n1", "Running"));
    h.server.create(pods, pod("b", "x", undefined, "Pending"));
    h.server.create(pods, pod("c", "y", "n2", "Running"));
    const sel = async (s: string) =>
      names((await h.json<Any>(`/api/v1/pods?fieldSelector=${encodeURIComponent(s)}`)).body);
    assertEquals(await sel("metadata.name=b"), ["b"]);
    assertEquals(await sel("metadata.namespace=y"), ["c"]);
    assertEquals(await sel("spec.nodeName="), ["b"]);
    assertEquals(await sel("status.phase=Running,spec.nodeName!=n1"), ["c"]);
    assertEquals(await sel("spec.host=n2"), ["c"]);
    const bad = await h.json<Any>(`/api/v1/pods?fieldSelector=spec.containers=x`);
    assertStatus(bad, 400, "BadRequest", "field label not supported: spec.containers");
    const nodes = await h.json<Any>(`/api/v1/nodes?fieldSelector=metadata.namespace%3Dx`);
    assertStatus(nodes, 400, "BadRequest", "field label not supported: metadata.namespace");
  },
);

conformance(
  "metadata-only lists answer PartialObjectMetadataList; the single form on a list is 406",
  async (h) => {
    h.server.create(pods, {
      metadata: { name: "a", namespace: "default", labels: { x: "y" } },
      spec: { containers: [] },
    });
    const accept =
      "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1, application/json";
    const list = (await h.json<Any>(PODS, { headers: { Accept: accept } })).body;
    assertEquals(list.kind, "PartialObjectMetadataList");
    assertEquals(list.apiVersion, "meta.k8s.io/v1");
    assertEquals(list.metadata, { resourceVersion: "2" });
    assertEquals(list.items.length, 1);
    assertEquals(list.items[0].kind, "PartialObjectMetadata");
    assertEquals(list.items[0].apiVersion, "meta.k8s.io/v1");
    assertEquals(list.items[0].metadata.labels, { x: "y" });
    assertEquals(Object.keys(list.items[0]), ["kind", "apiVersion", "metadata"]);
    const single = (await h.json<Any>(`${PODS}/a`, {
      headers: { Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" },
    })).body;
    assertEquals([single.kind, single.metadata.name, single.spec], [
      "PartialObjectMetadata",
      "a",
      undefined,
    ]);
    const wrong = await h.json<Any>(PODS, {
      headers: { Accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" },
    });
    assertStatus(wrong, 406, "NotAcceptable");
    const protobufOnly = await h.json<Any>(PODS, {
      headers: { Accept: "application/vnd.kubernetes.protobuf" },
    });
    assertStatus(protobufOnly, 406, "NotAcceptable");
    const protobufFirst = await h.json<Any>(PODS, {
      headers: {
        Accept:
          "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," +
          accept,
      },
    });
    assertEquals(protobufFirst.body.kind, "PartialObjectMetadataList");
  },
);

conformance("Table requests get the real server's pod columns with metadata rows", async (h) => {
  h.server.create(pods, {
    metadata: { name: "a", namespace: "default", creationTimestamp: "2024-05-06T07:08:09Z" },
  });
  const accept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  const table = (await h.json<Any>(`${PODS}?limit=500`, { headers: { Accept: accept } })).body;
  assertEquals([table.kind, table.apiVersion, table.metadata], ["Table", "meta.k8s.io/v1", {
    resourceVersion: "2",
  }]);
  // kube-apiserver's printers.go podColumnDefinitions; priority 1 is shown by -o wide.
  assertEquals(table.columnDefinitions.map((c: Any) => [c.name, c.type, c.format, c.priority]), [
    ["Name", "string", "name", 0],
    ["Ready", "string", "", 0],
    ["Status", "string", "", 0],
    ["Restarts", "string", "", 0],
    ["Age", "string", "", 0],
    ["IP", "string", "", 1],
    ["Node", "string", "", 1],
    ["Nominated Node", "string", "", 1],
    ["Readiness Gates", "string", "", 1],
  ]);
  assertEquals(table.rows.length, 1);
  const [name, ready, status, restarts, age, ...wide] = table.rows[0].cells;
  assertEquals([name, ready, status, restarts, wide], ["a", "0/0", "", "0", [
    "<none>",
    "<none>",
    "<none>",
    "<none>",
  ]]);
  assertMatch(age, /^\d+y(\d+d)?$/);
  assertEquals(table.rows[0].object.kind, "PartialObjectMetadata");
  const full =
    (await h.json<Any>(`${PODS}?includeObject=Object`, { headers: { Accept: accept } })).body;
  assertEquals(full.rows[0].object.kind, "Pod");
  const none =
    (await h.json<Any>(`${PODS}?includeObject=None`, { headers: { Accept: accept } })).body;
  assertEquals(Object.keys(none.rows[0]), ["cells"]);
  assertStatus(
    await h.json(`${PODS}?includeObject=Everything`, { headers: { Accept: accept } }),
    400,
    "BadRequest",
  );
});

conformance("Table requests of kinds without a printer get Name and Created At", async (h) => {
  const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  await h.json("/apis/coordination.k8s.io/v1/namespaces/default/leases", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ metadata: { name: "l" } }),
  });
  const table = (await h.json<Any>("/apis/coordination.k8s.io/v1/namespaces/default/leases", {
    headers: { Accept: accept },
  })).body;
  assertEquals(table.columnDefinitions.map((c: Any) => [c.name, c.type, c.format]), [
    ["Name", "string", "name"],
    ["Created At", "date", ""],
  ]);
  assertEquals(table.rows[0].cells[0], "l");
  assertMatch(table.rows[0].cells[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

Deno.test("large lists stream in chunks and stay valid JSON", async () => {
  const { FakeApiServer } = await import("../../src/testing/mod.ts");
  const server = new FakeApiServer();
  try {
    const pad = "x".repeat(2000);
    for (let i = 0; i < 3000; i++) {
      server.create(pods, {
        metadata: {
          name: `p${String(i).padStart(4, "0")}`,
          namespace: "default",
          annotations: { pad },
        },
      });
    }
    const res = await server.fetch(new Request(`http://x${PODS}`));
    const reader = res.body!.getReader();
    const parts: Uint8Array[] = [];
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    assert(parts.length > 1, `expected several chunks, got ${parts.length}`);
    const text = new TextDecoder().decode(await new Blob(parts as BlobPart[]).arrayBuffer());
    const list = JSON.parse(text);
    assertEquals(list.items.length, 3000);
    assertEquals(list.items[2999].metadata.name, "p2999");
  } finally {
    await server.close();
  }
});

conformance("direct list and get see the same state as HTTP lists", async (h) => {
  seed(h, ["b", "a"]);
  await h.json(PODS, jsonBody("POST", { metadata: { name: "c" } }));
  assertEquals(h.server.list(pods).map((p) => p.metadata?.name), ["a", "b", "c"]);
  assertEquals(h.server.list(pods, "other"), []);
  assertEquals(h.server.get(pods, "default", "c")?.metadata?.resourceVersion, "4");
});

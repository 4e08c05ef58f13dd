import { ApiError } from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import type { KubeObject } from "../../src/api/meta.ts";
import { createIndexer, type Indexer } from "../../src/cache/indexer.ts";
import { createLister } from "../../src/cache/lister.ts";
import { metaNamespaceKey } from "../../src/cache/keys.ts";
import { assertEquals, assertStrictEquals, assertThrows } from "../_helpers/assert.ts";

const PODS = { group: "", plural: "pods", singular: "pod" };
const DEPLOYMENTS = { group: "apps", plural: "deployments", singular: "deployment" };

function pod(namespace: string, name: string, labels?: Record<string, string>): Pod {
  return labels ? { metadata: { namespace, name, labels } } : { metadata: { namespace, name } };
}

function fill(indexer: Indexer<Pod>): Indexer<Pod> {
  indexer.add(pod("default", "web-0", { app: "web", tier: "front" }));
  indexer.add(pod("default", "web-1", { app: "web", tier: "back" }));
  indexer.add(pod("default", "db-0", { app: "db" }));
  indexer.add(pod("prod", "web-0", { app: "web", tier: "front" }));
  indexer.add(pod("prod", "bare"));
  return indexer;
}

function keys(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => metaNamespaceKey(o)).sort();
}

const ALL = ["default/db-0", "default/web-0", "default/web-1", "prod/bare", "prod/web-0"];

Deno.test("Lister.list without a selector returns every object", () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  assertEquals(keys(lister.list()), ALL);
  assertEquals(keys(lister.list("")), ALL);
  assertEquals(keys(lister.list({})), ALL);
});

Deno.test("Lister.list filters by a string selector", () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  assertEquals(keys(lister.list("app=web")), ["default/web-0", "default/web-1", "prod/web-0"]);
  assertEquals(keys(lister.list("app=web,tier!=front")), ["default/web-1"]);
  assertEquals(keys(lister.list("app in (db, web),tier")), [
    "default/web-0",
    "default/web-1",
    "prod/web-0",
  ]);
  assertEquals(keys(lister.list("!app")), ["prod/bare"]);
  assertEquals(keys(lister.list("app=nothing")), []);
});

Deno.test("Lister.list filters by a structured selector and by a label record", () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  assertEquals(
    keys(lister.list({
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }],
    })),
    ["default/web-1"],
  );
  assertEquals(keys(lister.list({ app: "web", tier: "front" })), ["default/web-0", "prod/web-0"]);
});

Deno.test("Lister.list rejects an invalid selector with TypeError", () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  assertThrows(() => lister.list("app in (web"), TypeError);
});

Deno.test("NamespaceLister.list returns only that namespace, filtered by labels", () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  assertEquals(keys(lister.namespace("default").list()), [
    "default/db-0",
    "default/web-0",
    "default/web-1",
  ]);
  assertEquals(keys(lister.namespace("default").list("app=web")), [
    "default/web-0",
    "default/web-1",
  ]);
  assertEquals(keys(lister.namespace("prod").list({ app: "web" })), ["prod/web-0"]);
  assertEquals(lister.namespace("empty").list(), []);
});

Deno.test('NamespaceLister.list with namespace "" covers every namespace', () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  assertEquals(keys(lister.namespace("").list()), ALL);
  assertEquals(keys(lister.namespace("").list("tier=front")), ["default/web-0", "prod/web-0"]);
});

Deno.test("NamespaceLister.list scans when the indexer has no namespace index", () => {
  const indexer = fill(createIndexer<Pod>({}, { namespaceIndex: false }));
  const lister = createLister(indexer, PODS);
  assertEquals(keys(lister.namespace("default").list("app=web")), [
    "default/web-0",
    "default/web-1",
  ]);
  assertEquals(keys(lister.namespace("prod").list()), ["prod/bare", "prod/web-0"]);
});

Deno.test("NamespaceLister.list reflects later changes to the indexer", () => {
  const indexer = fill(createIndexer<Pod>());
  const inProd = createLister(indexer, PODS).namespace("prod");
  indexer.deleteByKey("prod/bare");
  indexer.add(pod("prod", "web-9", { app: "web" }));
  assertEquals(keys(inProd.list()), ["prod/web-0", "prod/web-9"]);
});

Deno.test("NamespaceLister.get returns the cached object", () => {
  const indexer = fill(createIndexer<Pod>());
  const lister = createLister(indexer, PODS);
  assertStrictEquals(lister.namespace("prod").get("web-0"), indexer.getByKey("prod/web-0"));
  assertEquals(lister.namespace("prod").get("web-0").metadata?.namespace, "prod");
});

Deno.test("Lister.get finds cluster-scoped objects by name", () => {
  const indexer = createIndexer<KubeObject>();
  const node: KubeObject = { metadata: { name: "node-1", labels: { zone: "a" } } };
  indexer.add(node);
  const lister = createLister(indexer, { group: "", plural: "nodes", singular: "node" });
  assertStrictEquals(lister.get("node-1"), node);
  assertStrictEquals(lister.namespace("").get("node-1"), node);
  assertEquals(lister.list("zone=a"), [node]);
});

Deno.test("NamespaceLister.get throws a 404 NotFound ApiError for a missing object", () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  const err = assertThrows(() => lister.namespace("prod").get("db-0"), ApiError);
  assertEquals(err.code, 404);
  assertEquals(err.reason, "NotFound");
  assertEquals(err.status, {
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message: 'pod "db-0" not found',
    reason: "NotFound",
    details: { name: "db-0", kind: "pods" },
    code: 404,
  });
  assertEquals(err.message, '404 NotFound: pod "db-0" not found');
});

Deno.test("Lister.get throws a 404 NotFound ApiError naming the group for a non-core resource", () => {
  const lister = createLister(createIndexer<KubeObject>(), DEPLOYMENTS);
  const err = assertThrows(() => lister.get("web"), ApiError);
  assertEquals(err.status, {
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message: 'deployment.apps "web" not found',
    reason: "NotFound",
    details: { name: "web", group: "apps", kind: "deployments" },
    code: 404,
  });
});

Deno.test("Lister.get does not find a namespaced object by its bare name", () => {
  const lister = createLister(fill(createIndexer<Pod>()), PODS);
  assertThrows(() => lister.get("web-0"), ApiError, "not found");
});

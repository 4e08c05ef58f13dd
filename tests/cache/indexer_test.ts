import { KubeError } from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import { createIndexer } from "../../src/cache/indexer.ts";
import { DeletedFinalStateUnknown } from "../../src/cache/deleted_final_state_unknown.ts";
import { metaNamespaceIndexFunc, NAMESPACE_INDEX } from "../../src/cache/keys.ts";
import { assertEquals, assertStrictEquals, assertThrows } from "../_helpers/assert.ts";
import { runIndexerContract } from "../_helpers/indexer_contract.ts";

runIndexerContract(
  "createIndexer",
  (indexers) => createIndexer(indexers, { namespaceIndex: false }),
);

function pod(namespace: string, name: string, ips: string[] = []): Pod {
  return {
    metadata: { namespace, name },
    spec: { containers: [] },
    status: { podIPs: ips.map((ip) => ({ ip })) },
  };
}

Deno.test("createIndexer installs the namespace index by default", () => {
  const indexer = createIndexer<Pod>();
  assertEquals(Object.keys(indexer.getIndexers()), [NAMESPACE_INDEX]);
  assertStrictEquals(indexer.getIndexers()[NAMESPACE_INDEX], metaNamespaceIndexFunc);
  indexer.add(pod("default", "a"));
  indexer.add(pod("default", "b"));
  indexer.add(pod("prod", "c"));
  indexer.add({ metadata: { name: "node-1" } });
  assertEquals(indexer.indexKeys(NAMESPACE_INDEX, "default"), ["default/a", "default/b"]);
  assertEquals(indexer.indexKeys(NAMESPACE_INDEX, ""), ["node-1"]);
  assertEquals(indexer.listIndexFuncValues(NAMESPACE_INDEX).sort(), ["", "default", "prod"]);
});

Deno.test("createIndexer leaves the namespace index out when namespaceIndex is false", () => {
  const indexer = createIndexer<Pod>({}, { namespaceIndex: false });
  assertEquals(Object.keys(indexer.getIndexers()), []);
  assertThrows(() => indexer.byIndex(NAMESPACE_INDEX, "default"), RangeError);
});

Deno.test("createIndexer rejects an indexer named like the namespace index while installing it", () => {
  assertThrows(
    () => createIndexer<Pod>({ [NAMESPACE_INDEX]: () => [] }),
    RangeError,
    "indexer conflict: namespace",
  );
  const indexer = createIndexer<Pod>({ [NAMESPACE_INDEX]: () => ["x"] }, { namespaceIndex: false });
  indexer.add(pod("default", "a"));
  assertEquals(indexer.indexKeys(NAMESPACE_INDEX, "x"), ["default/a"]);
});

Deno.test("createIndexer installs custom indexers next to the namespace index", () => {
  const indexer = createIndexer<Pod>({ byIP: (p) => (p.status?.podIPs ?? []).map((i) => i.ip) });
  const a = pod("default", "a", ["10.0.0.5", "fd00::5"]);
  indexer.add(a);
  assertEquals(Object.keys(indexer.getIndexers()).sort(), ["byIP", NAMESPACE_INDEX]);
  assertEquals(indexer.byIndex("byIP", "fd00::5"), [a]);
  assertEquals(indexer.byIndex(NAMESPACE_INDEX, "default"), [a]);
});

Deno.test("createIndexer uses a custom key function", () => {
  const indexer = createIndexer<Pod>({}, { keyFunc: (p) => p.metadata?.uid ?? "?" });
  const a: Pod = { metadata: { namespace: "default", name: "a", uid: "u-1" } };
  indexer.add(a);
  assertEquals(indexer.listKeys(), ["u-1"]);
  assertStrictEquals(indexer.get({ metadata: { uid: "u-1" } }), a);
  assertEquals(indexer.indexKeys(NAMESPACE_INDEX, "default"), ["u-1"]);
});

Deno.test("createIndexer rejects an object without a name and stays unchanged", () => {
  const indexer = createIndexer<Pod>();
  assertThrows(() => indexer.add({ metadata: { namespace: "default" } }), TypeError);
  assertEquals(indexer.size, 0);
  assertEquals(indexer.listIndexFuncValues(NAMESPACE_INDEX), []);
});

Deno.test("createIndexer rejects a key function that returns a non-string", () => {
  const indexer = createIndexer<Pod>({}, { keyFunc: () => 42 as unknown as string });
  assertThrows(() => indexer.add(pod("default", "a")), TypeError, "not a string");
  assertEquals(indexer.size, 0);
});

Deno.test("createIndexer deletes by a tombstone's key with the default key function", () => {
  const indexer = createIndexer<Pod>();
  indexer.add(pod("default", "a"));
  const tombstone = new DeletedFinalStateUnknown<Pod>("default/a", undefined);
  indexer.delete(tombstone as unknown as Pod);
  assertEquals(indexer.size, 0);
});

Deno.test("createIndexer addIndexers rejects a value that is not a function", () => {
  const indexer = createIndexer<Pod>();
  assertThrows(
    () => indexer.addIndexers({ bad: "nope" as unknown as () => string[] }),
    TypeError,
    '"bad"',
  );
  assertEquals(Object.keys(indexer.getIndexers()), [NAMESPACE_INDEX]);
});

Deno.test("createIndexer index wraps an index function error in a KubeError", () => {
  const indexer = createIndexer<Pod>({
    boom: () => {
      throw new Error("kaput");
    },
  });
  const err = assertThrows(() => indexer.index("boom", pod("default", "a")), KubeError);
  assertEquals(err.message, 'index function "boom" failed for key "default/a"');
});

Deno.test("createIndexer getIndexers returns a frozen copy", () => {
  const indexer = createIndexer<Pod>();
  const got = indexer.getIndexers();
  assertEquals(Object.isFrozen(got), true);
  assertThrows(() => {
    (got as Record<string, unknown>)["x"] = () => [];
  }, TypeError);
  assertEquals(Object.keys(indexer.getIndexers()), [NAMESPACE_INDEX]);
});

Deno.test("createIndexer update moving an object between values touches only that object", () => {
  const indexer = createIndexer<Pod>({ byIP: (p) => (p.status?.podIPs ?? []).map((i) => i.ip) });
  const a = pod("default", "a", ["10.0.0.1"]);
  const b = pod("default", "b", ["10.0.0.1"]);
  indexer.add(a);
  indexer.add(b);
  const a2 = pod("default", "a", ["10.0.0.2"]);
  indexer.update(a2);
  assertEquals(indexer.byIndex("byIP", "10.0.0.1"), [b]);
  assertEquals(indexer.byIndex("byIP", "10.0.0.2"), [a2]);
  assertEquals(indexer.listIndexFuncValues("byIP").sort(), ["10.0.0.1", "10.0.0.2"]);
});

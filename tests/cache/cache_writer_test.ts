import type { Pod } from "../../src/api/core_v1.ts";
import type { UserCodeError } from "../../src/api/errors.ts";
import { type CacheChange, CacheWriter } from "../../src/cache/cache_writer.ts";
import { isDeletedFinalStateUnknown } from "../../src/cache/deleted_final_state_unknown.ts";
import { createKeyedIndexer, type KeyedIndexer } from "../../src/cache/indexer.ts";
import { assert, assertEquals, assertStrictEquals } from "../_helpers/assert.ts";

function pod(name: string, resourceVersion: string, labels: Record<string, string> = {}): Pod {
  return { metadata: { namespace: "default", name, resourceVersion, labels } };
}

function describe(change: CacheChange<Pod>): string {
  switch (change.type) {
    case "add":
      return `add ${change.object.metadata?.name}@${change.object.metadata?.resourceVersion}${
        change.isInInitialList ? " initial" : ""
      }`;
    case "update":
      return `update ${change.newObject.metadata?.name}@${change.newObject.metadata?.resourceVersion}`;
    case "delete":
      return isDeletedFinalStateUnknown(change.object)
        ? `forget ${change.object.key}`
        : `delete ${change.object.metadata?.name}`;
  }
}

function setup(
  options: { transform?: (p: Pod) => Pod; cache?: KeyedIndexer<Pod> } = {},
) {
  const cache = options.cache ?? createKeyedIndexer<Pod>();
  const changes: string[] = [];
  const failures: string[] = [];
  const writer = new CacheWriter<Pod>(cache, {
    transform: options.transform,
    freeze: (o) => Object.freeze(o),
    onChange: (c) => changes.push(describe(c)),
    onFailure: (e, key) => failures.push(`${e.stage} ${key ?? "-"}`),
  });
  const relist = (objects: Pod[], initial = false) => {
    writer.init();
    for (const o of objects) writer.initApply(o);
    for (const c of writer.initDone(initial)) changes.push(describe(c));
  };
  return { cache, writer, changes, failures, relist };
}

Deno.test("CacheWriter applies a relist as a diff: adds, updates, tombstones, and nothing for what did not change", () => {
  const h = setup();
  h.relist([pod("a", "1"), pod("b", "1"), pod("c", "1")], true);
  const cachedB = h.cache.getByKey("default/b");
  h.relist([pod("a", "2"), pod("b", "1"), pod("d", "1")]);
  assertEquals(h.changes, [
    "add a@1 initial",
    "add b@1 initial",
    "add c@1 initial",
    "update a@2",
    "add d@1",
    "forget default/c",
  ]);
  assertStrictEquals(
    h.cache.getByKey("default/b"),
    cachedB,
    "an unchanged object keeps its instance",
  );
  assertEquals(h.cache.listKeys().sort(), ["default/a", "default/b", "default/d"]);
});

Deno.test("CacheWriter drops a relist cut short when another one begins, and takes deletes during a relist out of it", () => {
  const h = setup();
  h.writer.init();
  h.writer.initApply(pod("x", "1"));
  h.writer.init(); // the first relist ended early
  h.writer.initApply(pod("a", "1"));
  h.writer.initApply(pod("b", "1"));
  h.writer.delete(pod("a", "2"));
  for (const c of h.writer.initDone(true)) h.changes.push(describe(c));
  assertEquals(h.changes, ["add b@1 initial"]);
});

Deno.test("CacheWriter skips the same resourceVersion again and hands out old and new on an update", () => {
  const h = setup();
  h.writer.apply(pod("a", "1"));
  const first = h.cache.getByKey("default/a");
  h.writer.apply(pod("a", "1"));
  assertStrictEquals(h.cache.getByKey("default/a"), first);
  h.writer.apply(pod("a", "2"));
  h.writer.delete(pod("a", "3"));
  h.writer.delete(pod("zz", "4"));
  assertEquals(h.changes, ["add a@1", "update a@2", "delete a"]);
  assert(Object.isFrozen(first));
});

Deno.test("CacheWriter leaves out an object its transform fails on, forgetting an earlier version", () => {
  const h = setup({
    transform: (p) => {
      if (p.metadata?.labels?.bad === "throw") throw new Error("no");
      if (p.metadata?.labels?.bad === "garbage") return {} as Pod;
      return p;
    },
  });
  h.writer.apply(pod("a", "1"));
  h.writer.apply(pod("a", "2", { bad: "throw" }));
  h.writer.apply(pod("b", "1", { bad: "garbage" }));
  h.relist([pod("c", "1", { bad: "throw" }), pod("d", "1", { bad: "throw" }), pod("e", "1")]);
  assertEquals(h.changes, ["add a@1", "forget default/a", "add e@1"]);
  assertEquals(h.failures, ["transform default/a", "transform default/b", "transform -"]);
  assertEquals(h.cache.listKeys(), ["default/e"]);
});

Deno.test("CacheWriter leaves out an object an index function throws on", () => {
  const cache = createKeyedIndexer<Pod>({
    byLabel: (p) => {
      if (p.metadata?.labels?.bad) throw new Error("index");
      return [];
    },
  });
  const h = setup({ cache });
  h.writer.apply(pod("a", "1"));
  h.writer.apply(pod("a", "2", { bad: "x" }));
  assertEquals(h.changes, ["add a@1", "forget default/a"]);
  assertEquals(h.failures, ["index default/a"]);
  assert(h.failures.length === 1 && cache.size === 0);
  const errors: UserCodeError[] = [];
  const writer = new CacheWriter<Pod>(cache, {
    freeze: (o) => o,
    onChange: () => {},
    onFailure: (e) => errors.push(e),
  });
  writer.init();
  writer.initApply(pod("b", "1", { bad: "x" }));
  writer.initApply(pod("c", "1", { bad: "x" }));
  writer.initDone(false);
  assertEquals(errors.length, 1);
  assert(errors[0]!.message.includes("2 objects were left out"), errors[0]!.message);
});

Deno.test("CacheWriter computes a watch event's key once and looks the cache up once", () => {
  const cache = createKeyedIndexer<Pod>({}, { namespaceIndex: false });
  let lookups = 0;
  let keyed = 0;
  const counted = new Proxy(cache, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "getByKey") {
        return (key: string) => (lookups++, target.getByKey(key));
      }
      if (property === "update") {
        throw new Error("update computes the key again: use updateWithKey");
      }
      if (property === "updateWithKey") {
        return (key: string, obj: Pod) => (keyed++, target.updateWithKey(key, obj));
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const h = setup({ cache: counted });
  h.writer.apply(pod("a", "1"));
  h.writer.apply(pod("a", "2"));
  assertEquals([lookups, keyed], [2, 2]);
});

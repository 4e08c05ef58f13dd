/**
 * The {@linkcode Indexer} contract as a reusable test suite: every
 * implementation must pass it. Call {@linkcode runIndexerContract} from a test
 * file with a factory that builds an empty indexer keyed by
 * `metaNamespaceKey` with exactly the given index functions.
 *
 * @module
 */

import { seededRandom } from "./random.ts";
import { KubeError } from "../../src/api/errors.ts";
import type { KubeObject } from "../../src/api/meta.ts";
import type { Indexer } from "../../src/cache/indexer.ts";
import { type Indexers, metaNamespaceIndexFunc, metaNamespaceKey } from "../../src/cache/keys.ts";
import { assert, assertEquals, assertStrictEquals, assertThrows, fail } from "./assert.ts";

/** The object type the contract stores. */
export interface ContractObject extends KubeObject {
  /** Fields the test index functions read. */
  spec?: { ips?: string[]; tags?: string[]; boom?: boolean };
}

/** Builds an empty indexer keyed by `metaNamespaceKey` with exactly these indexes. */
export type IndexerFactory = (indexers: Indexers<ContractObject>) => Indexer<ContractObject>;

/** Index functions used throughout the suite. */
export const CONTRACT_INDEXERS: Indexers<ContractObject> = {
  namespace: metaNamespaceIndexFunc,
  byIP: (obj) => obj.spec?.ips ?? [],
  byTag: (obj) => obj.spec?.tags ?? [],
};

/** Builds a test object. */
export function obj(
  namespace: string | undefined,
  name: string,
  spec: ContractObject["spec"] = {},
): ContractObject {
  const metadata: { name: string; namespace?: string } = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  return { metadata, spec };
}

function sortedKeys(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => metaNamespaceKey(o)).sort();
}

/** The full observable state of an indexer, in a canonical (sorted) form. */
export function snapshot<T extends KubeObject>(
  indexer: Indexer<T>,
): { keys: string[]; objects: Map<string, T>; indexes: Record<string, Record<string, string[]>> } {
  const keys = indexer.listKeys().sort();
  const objects = new Map<string, T>();
  for (const key of keys) {
    const o = indexer.getByKey(key);
    if (o === undefined) fail(`listKeys names ${key} but getByKey misses it`);
    objects.set(key, o);
  }
  const indexes: Record<string, Record<string, string[]>> = {};
  for (const name of Object.keys(indexer.getIndexers()).sort()) {
    const values: Record<string, string[]> = {};
    for (const value of indexer.listIndexFuncValues(name).sort()) {
      values[value] = indexer.indexKeys(name, value);
    }
    indexes[name] = values;
  }
  return { keys, objects, indexes };
}

/**
 * Checks every index of `indexer` against a recomputation from scratch over
 * `expected` (key -> object), through every read method of the interface.
 */
export function assertIndexesExact<T extends KubeObject>(
  indexer: Indexer<T>,
  expected: ReadonlyMap<string, T>,
  context = "",
): void {
  const at = context ? ` (${context})` : "";
  assertEquals(indexer.size, expected.size, `size${at}`);
  assertEquals(indexer.listKeys().sort(), [...expected.keys()].sort(), `listKeys${at}`);
  assertEquals(sortedKeys(indexer.list()), [...expected.keys()].sort(), `list${at}`);
  for (const [key, o] of expected) {
    assertStrictEquals(indexer.getByKey(key), o, `getByKey ${key}${at}`);
  }
  for (const [name, fn] of Object.entries(indexer.getIndexers())) {
    const want = new Map<string, Set<string>>();
    for (const [key, o] of expected) {
      for (const value of fn(o)) {
        const keys = want.get(value) ?? new Set<string>();
        keys.add(key);
        want.set(value, keys);
      }
    }
    assertEquals(
      indexer.listIndexFuncValues(name).sort(),
      [...want.keys()].sort(),
      `listIndexFuncValues ${name}${at}`,
    );
    for (const [value, keys] of want) {
      const wantKeys = [...keys].sort();
      assertEquals(indexer.indexKeys(name, value), wantKeys, `indexKeys ${name}=${value}${at}`);
      const got = indexer.byIndex(name, value);
      assertEquals(sortedKeys(got), wantKeys, `byIndex ${name}=${value}${at}`);
      for (const o of got) {
        assertStrictEquals(o, expected.get(metaNamespaceKey(o)), `byIndex identity${at}`);
      }
    }
  }
}

/**
 * Registers the Indexer contract tests under `label`.
 *
 * @param label Prefix of every test name, naming the implementation.
 * @param factory Builds an empty indexer with exactly the given indexes.
 */
export function runIndexerContract(label: string, factory: IndexerFactory): void {
  const make = (indexers: Indexers<ContractObject> = CONTRACT_INDEXERS) => factory(indexers);

  Deno.test(`${label}: add stores an object under its key and getByKey returns it`, () => {
    const indexer = make();
    const a = obj("default", "a");
    const c = obj(undefined, "c");
    indexer.add(a);
    indexer.add(c);
    assertStrictEquals(indexer.getByKey("default/a"), a);
    assertStrictEquals(indexer.getByKey("c"), c);
    assertStrictEquals(indexer.get(obj("default", "a")), a);
    assertStrictEquals(indexer.getByKey("default/missing"), undefined);
    assertStrictEquals(indexer.get(obj("other", "a")), undefined);
    assertEquals(indexer.size, 2);
    assertEquals(indexer.listKeys().sort(), ["c", "default/a"]);
    assertEquals(sortedKeys(indexer.list()), ["c", "default/a"]);
  });

  Deno.test(`${label}: add and update are both upserts`, () => {
    const indexer = make();
    const v1 = obj("default", "a", { ips: ["10.0.0.1"] });
    const v2 = obj("default", "a", { ips: ["10.0.0.2"] });
    const v3 = obj("default", "a", { ips: ["10.0.0.3"] });
    indexer.update(v1);
    assertStrictEquals(indexer.getByKey("default/a"), v1);
    indexer.add(v2);
    assertStrictEquals(indexer.getByKey("default/a"), v2);
    indexer.update(v3);
    assertStrictEquals(indexer.getByKey("default/a"), v3);
    assertEquals(indexer.size, 1);
    assertEquals(indexer.listIndexFuncValues("byIP"), ["10.0.0.3"]);
    assertEquals(indexer.byIndex("byIP", "10.0.0.1"), []);
  });

  Deno.test(`${label}: delete and deleteByKey remove objects and ignore missing keys`, () => {
    const indexer = make();
    indexer.add(obj("default", "a", { ips: ["10.0.0.1"] }));
    indexer.add(obj("default", "b", { ips: ["10.0.0.2"] }));
    indexer.delete(obj("default", "a"));
    assertEquals(indexer.listKeys(), ["default/b"]);
    assertEquals(indexer.listIndexFuncValues("byIP"), ["10.0.0.2"]);
    indexer.delete(obj("default", "a"));
    indexer.deleteByKey("nope/nope");
    indexer.deleteByKey("default/b");
    assertEquals(indexer.size, 0);
    assertEquals(indexer.list(), []);
    assertEquals(indexer.listIndexFuncValues("byIP"), []);
    assertEquals(indexer.listIndexFuncValues("namespace"), []);
  });

  Deno.test(`${label}: list and listKeys return fresh arrays`, () => {
    const indexer = make();
    indexer.add(obj("default", "a"));
    const list = indexer.list();
    const keys = indexer.listKeys();
    list.pop();
    keys.pop();
    assertEquals(indexer.listKeys(), ["default/a"]);
    assertEquals(indexer.list().length, 1);
  });

  Deno.test(`${label}: byIndex throws RangeError for an unknown index name`, () => {
    const indexer = make();
    indexer.add(obj("default", "a"));
    assertThrows(
      () => indexer.byIndex("nope", "x"),
      RangeError,
      "Index with name nope does not exist",
    );
    assertThrows(
      () => indexer.indexKeys("nope", "x"),
      RangeError,
      "Index with name nope does not exist",
    );
    assertThrows(
      () => indexer.index("nope", obj("default", "a")),
      RangeError,
      "Index with name nope does not exist",
    );
  });

  Deno.test(`${label}: byIndex and indexKeys return [] for an unknown value`, () => {
    const indexer = make();
    indexer.add(obj("default", "a", { ips: ["10.0.0.1"] }));
    assertEquals(indexer.byIndex("byIP", "10.9.9.9"), []);
    assertEquals(indexer.indexKeys("byIP", "10.9.9.9"), []);
  });

  Deno.test(`${label}: indexKeys returns sorted keys`, () => {
    const indexer = make();
    for (const name of ["m", "b", "z", "a", "k"]) {
      indexer.add(obj(name === "k" ? "aa" : "ns", name, { tags: ["t"] }));
    }
    assertEquals(indexer.indexKeys("byTag", "t"), ["aa/k", "ns/a", "ns/b", "ns/m", "ns/z"]);
  });

  Deno.test(`${label}: listIndexFuncValues drops values no object has any more`, () => {
    const indexer = make();
    indexer.add(obj("default", "a", { tags: ["x", "y"] }));
    indexer.add(obj("default", "b", { tags: ["y"] }));
    assertEquals(indexer.listIndexFuncValues("byTag").sort(), ["x", "y"]);
    indexer.update(obj("default", "a", { tags: ["y"] }));
    assertEquals(indexer.listIndexFuncValues("byTag"), ["y"]);
    indexer.update(obj("default", "a", { tags: [] }));
    indexer.deleteByKey("default/b");
    assertEquals(indexer.listIndexFuncValues("byTag"), []);
    assertEquals(indexer.indexKeys("byTag", "y"), []);
  });

  Deno.test(`${label}: a value shared by several objects tracks each one joining and leaving`, () => {
    const indexer = make();
    const a = obj("default", "a", { ips: ["10.0.0.1"] });
    const b = obj("default", "b", { ips: ["10.0.0.1"] });
    const c = obj("default", "c", { ips: ["10.0.0.1"] });
    indexer.add(a);
    assertEquals(indexer.indexKeys("byIP", "10.0.0.1"), ["default/a"]);
    indexer.add(b);
    indexer.add(c);
    assertEquals(indexer.indexKeys("byIP", "10.0.0.1"), ["default/a", "default/b", "default/c"]);
    indexer.deleteByKey("default/b");
    indexer.deleteByKey("default/a");
    assertEquals(indexer.indexKeys("byIP", "10.0.0.1"), ["default/c"]);
    assertEquals(indexer.byIndex("byIP", "10.0.0.1"), [c]);
    indexer.add(a);
    assertEquals(sortedKeys(indexer.byIndex("byIP", "10.0.0.1")), ["default/a", "default/c"]);
    indexer.deleteByKey("default/a");
    indexer.deleteByKey("default/c");
    assertEquals(indexer.indexKeys("byIP", "10.0.0.1"), []);
    assertEquals(indexer.listIndexFuncValues("byIP"), []);
  });

  Deno.test(`${label}: listIndexFuncValues returns [] for an unknown index`, () => {
    const indexer = make();
    indexer.add(obj("default", "a"));
    assertEquals(indexer.listIndexFuncValues("nope"), []);
  });

  Deno.test(`${label}: a multi-valued index dedupes repeated values`, () => {
    const indexer = make();
    const a = obj("default", "a", { tags: ["x", "x", "y", "x", "y"] });
    indexer.add(a);
    assertEquals(indexer.listIndexFuncValues("byTag").sort(), ["x", "y"]);
    assertEquals(indexer.byIndex("byTag", "x"), [a]);
    assertEquals(indexer.indexKeys("byTag", "y"), ["default/a"]);
    indexer.update(obj("default", "a", { tags: ["y", "y"] }));
    assertEquals(indexer.listIndexFuncValues("byTag"), ["y"]);
    assertEquals(indexer.byIndex("byTag", "y").length, 1);
    indexer.deleteByKey("default/a");
    assertEquals(indexer.listIndexFuncValues("byTag"), []);
  });

  Deno.test(`${label}: index returns the objects sharing any value with the given object`, () => {
    const indexer = make();
    const a = obj("default", "a", { tags: ["x"] });
    const b = obj("default", "b", { tags: ["x", "y"] });
    const c = obj("default", "c", { tags: ["y"] });
    const d = obj("default", "d", { tags: ["z"] });
    for (const o of [a, b, c, d]) indexer.add(o);
    assertEquals(sortedKeys(indexer.index("byTag", obj("q", "probe", { tags: ["x", "y"] }))), [
      "default/a",
      "default/b",
      "default/c",
    ]);
    assertEquals(sortedKeys(indexer.index("byTag", a)), ["default/a", "default/b"]);
    assertEquals(indexer.index("byTag", obj("q", "probe")), []);
  });

  Deno.test(`${label}: getIndexers returns the installed index functions`, () => {
    const indexer = make();
    const got = indexer.getIndexers();
    assertEquals(Object.keys(got).sort(), ["byIP", "byTag", "namespace"]);
    assertStrictEquals(got["byIP"], CONTRACT_INDEXERS["byIP"]);
  });

  Deno.test(`${label}: addIndexers before any object is added indexes later objects`, () => {
    const indexer = make({});
    indexer.addIndexers({ byIP: CONTRACT_INDEXERS["byIP"]! });
    const a = obj("default", "a", { ips: ["10.0.0.1"] });
    indexer.add(a);
    assertEquals(indexer.byIndex("byIP", "10.0.0.1"), [a]);
    assertEquals(Object.keys(indexer.getIndexers()), ["byIP"]);
  });

  Deno.test(`${label}: addIndexers with objects present indexes them at once`, () => {
    const indexer = make({});
    const objects = [
      obj("default", "a", { ips: ["10.0.0.1", "fd00::1"] }),
      obj("default", "b", { ips: ["10.0.0.2"] }),
      obj("prod", "c", { tags: ["x"] }),
    ];
    for (const o of objects) indexer.add(o);
    indexer.addIndexers({ byIP: CONTRACT_INDEXERS["byIP"]!, byTag: CONTRACT_INDEXERS["byTag"]! });
    assertIndexesExact(indexer, new Map(objects.map((o) => [metaNamespaceKey(o), o])));
    assertEquals(indexer.byIndex("byIP", "fd00::1"), [objects[0]]);
    indexer.deleteByKey("default/a");
    assertEquals(indexer.listIndexFuncValues("byIP"), ["10.0.0.2"]);
  });

  Deno.test(`${label}: addIndexers rejects a name already in use with "indexer conflict"`, () => {
    const indexer = make();
    indexer.add(obj("default", "a", { ips: ["10.0.0.1"] }));
    const before = snapshot(indexer);
    const err = assertThrows(
      () =>
        indexer.addIndexers({
          fresh: () => ["v"],
          byTag: () => ["other"],
          byIP: () => ["other"],
        }),
      RangeError,
      "indexer conflict: byIP, byTag",
    );
    assertEquals(err.message, "indexer conflict: byIP, byTag");
    assertEquals(snapshot(indexer), before);
    assertEquals(indexer.listIndexFuncValues("fresh"), []);
  });

  Deno.test(`${label}: a throwing index function on add leaves the store unchanged`, () => {
    const indexers: Indexers<ContractObject> = {
      ...CONTRACT_INDEXERS,
      zBoom: (o) => {
        if (o.spec?.boom) throw new Error("kaput");
        return [o.metadata?.name ?? ""];
      },
    };
    const indexer = make(indexers);
    indexer.add(obj("default", "a", { ips: ["10.0.0.1"], tags: ["t"] }));
    const before = snapshot(indexer);
    const err = assertThrows(
      () => indexer.add(obj("default", "b", { ips: ["10.0.0.2"], tags: ["t"], boom: true })),
      KubeError,
    );
    assertEquals(err.message, 'index function "zBoom" failed for key "default/b"');
    assert(err.cause instanceof Error && err.cause.message === "kaput", "cause is kept");
    assertEquals(snapshot(indexer), before);
    assertEquals(indexer.byIndex("byIP", "10.0.0.2"), []);
  });

  Deno.test(`${label}: a throwing index function on update keeps the old object and values`, () => {
    const indexers: Indexers<ContractObject> = {
      aBoom: (o) => {
        if (o.spec?.boom) throw new TypeError("kaput");
        return o.spec?.tags ?? [];
      },
      ...CONTRACT_INDEXERS,
    };
    const indexer = make(indexers);
    const a = obj("default", "a", { ips: ["10.0.0.1"], tags: ["t"] });
    indexer.add(a);
    const before = snapshot(indexer);
    assertThrows(
      () => indexer.update(obj("default", "a", { ips: ["10.0.0.9"], tags: ["u"], boom: true })),
      KubeError,
      '"aBoom"',
    );
    assertEquals(snapshot(indexer), before);
    assertStrictEquals(indexer.getByKey("default/a"), a);
    assertEquals(indexer.byIndex("byIP", "10.0.0.1"), [a]);
  });

  Deno.test(`${label}: an index function returning a non-array or non-strings fails cleanly`, () => {
    const indexer = make({
      bad: (
        o,
      ) => (o.spec?.boom
        ? ("oops" as unknown as string[])
        : [o.spec?.tags?.length as unknown as string]),
    });
    const err = assertThrows(
      () => indexer.add(obj("default", "a", { boom: true })),
      KubeError,
      '"bad"',
    );
    assert(err.cause instanceof TypeError, "cause is a TypeError");
    assertThrows(() => indexer.add(obj("default", "b", { tags: [] })), KubeError, '"bad"');
    assertEquals(indexer.size, 0);
  });

  Deno.test(`${label}: a throwing index function during replace leaves the store unchanged`, () => {
    const indexer = make({
      ...CONTRACT_INDEXERS,
      boom: (o) => {
        if (o.spec?.boom) throw new Error("kaput");
        return [];
      },
    });
    indexer.add(obj("default", "a", { ips: ["10.0.0.1"] }));
    const before = snapshot(indexer);
    assertThrows(
      () =>
        indexer.replace([
          obj("default", "x", { ips: ["10.0.0.7"] }),
          obj("default", "y", { boom: true }),
        ]),
      KubeError,
      'index function "boom" failed for key "default/y"',
    );
    assertEquals(snapshot(indexer), before);
  });

  Deno.test(`${label}: a throwing index function in addIndexers adds no index`, () => {
    const indexer = make();
    indexer.add(obj("default", "a"));
    indexer.add(obj("default", "b", { boom: true }));
    const before = snapshot(indexer);
    assertThrows(
      () =>
        indexer.addIndexers({
          fine: () => ["v"],
          broken: (o) => {
            if (o.spec?.boom) throw new Error("kaput");
            return [];
          },
        }),
      KubeError,
      '"broken"',
    );
    assertEquals(snapshot(indexer), before);
    assertEquals(Object.keys(indexer.getIndexers()).sort(), ["byIP", "byTag", "namespace"]);
  });

  Deno.test(`${label}: replace swaps the whole content and every index`, () => {
    const indexer = make();
    indexer.add(obj("default", "a", { ips: ["10.0.0.1"], tags: ["x"] }));
    indexer.add(obj("kube-system", "b", { ips: ["10.0.0.2"], tags: ["y"] }));
    const fresh = [
      obj("default", "c", { ips: ["10.0.0.1"], tags: ["z"] }),
      obj(undefined, "node-1", { tags: ["z", "z"] }),
      obj("default", "c", { ips: ["10.0.0.3"], tags: ["w"] }),
    ];
    indexer.replace(fresh);
    const expected = new Map([
      ["default/c", fresh[2]!],
      ["node-1", fresh[1]!],
    ]);
    assertIndexesExact(indexer, expected);
    assertEquals(indexer.listIndexFuncValues("namespace").sort(), ["", "default"]);
    assertEquals(indexer.listIndexFuncValues("byTag").sort(), ["w", "z"]);
    assertEquals(indexer.byIndex("byIP", "10.0.0.1"), []);
    indexer.replace([]);
    assertIndexesExact(indexer, new Map());
  });

  Deno.test(
    `${label}: indexes match a brute-force recomputation after 5000 random operations`,
    () => {
      const random = seededRandom(0x5eed);
      const pick = <V>(values: readonly V[]): V => values[Math.floor(random() * values.length)]!;
      const namespaces = [undefined, "default", "kube-system", "prod"];
      const names = Array.from({ length: 24 }, (_, i) => `obj-${i}`);
      const ips = Array.from({ length: 12 }, (_, i) => `10.0.0.${i}`);
      const tags = ["a", "b", "c", "d", "e"];
      const randomObject = (): ContractObject => {
        const ipCount = Math.floor(random() * 3);
        const tagCount = Math.floor(random() * 12);
        return obj(pick(namespaces), pick(names), {
          ips: Array.from({ length: ipCount }, () => pick(ips)),
          tags: Array.from({ length: tagCount }, () => pick(tags)),
        });
      };
      const indexer = make();
      const model = new Map<string, ContractObject>();
      for (let step = 0; step < 5000; step++) {
        const roll = random();
        if (roll < 0.45) {
          const o = randomObject();
          if (random() < 0.5) indexer.add(o);
          else indexer.update(o);
          model.set(metaNamespaceKey(o), o);
        } else if (roll < 0.6 && model.size > 0) {
          // Update an existing object in place of its key.
          const key = pick([...model.keys()]);
          const { namespace, name } = model.get(key)!.metadata!;
          const o = randomObject();
          const moved = obj(namespace, name!, o.spec);
          indexer.update(moved);
          model.set(key, moved);
        } else if (roll < 0.9) {
          const o = randomObject();
          if (random() < 0.5) indexer.delete(o);
          else indexer.deleteByKey(metaNamespaceKey(o));
          model.delete(metaNamespaceKey(o));
        } else if (roll < 0.995) {
          const fresh = Array.from({ length: Math.floor(random() * 30) }, randomObject);
          indexer.replace(fresh);
          model.clear();
          for (const o of fresh) model.set(metaNamespaceKey(o), o);
        } else {
          indexer.replace([]);
          model.clear();
        }
        assertIndexesExact(indexer, model, `step ${step}`);
      }
    },
  );
}

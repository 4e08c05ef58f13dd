/**
 * The in-memory store of an informer: objects by key, plus any number of
 * secondary indexes kept up to date on every change.
 *
 * @module
 */

import { KubeError } from "../api/errors.ts";
import type { KubeObject } from "../api/meta.ts";
import {
  type Indexers,
  type IndexFunc,
  metaNamespaceIndexFunc,
  metaNamespaceKey,
  NAMESPACE_INDEX,
} from "./keys.ts";

/**
 * A keyed collection of objects. Writes are upserts; objects handed out are
 * shared with the store and must be treated as read-only (mutating one would
 * leave the indexes describing its old state).
 *
 * @typeParam T The object type.
 *
 * @example Using an indexer as a plain store
 * ```ts
 * import { createIndexer, type Store } from "@kubesnap/kubesnap";
 * const store: Store<{ metadata: { name: string } }> = createIndexer();
 * store.add({ metadata: { name: "a" } });
 * console.log(store.listKeys()); // ["a"]
 * ```
 */
export interface Store<T> {
  /** Inserts or replaces the object under its key (same as {@linkcode Store.update}). */
  add(obj: T): void;
  /** Inserts or replaces the object under its key (same as {@linkcode Store.add}). */
  update(obj: T): void;
  /** Removes the object with the same key; a missing key is a no-op. */
  delete(obj: T): void;
  /** Removes the object stored under `key`; a missing key is a no-op. */
  deleteByKey(key: string): void;
  /** The stored object with the same key as `obj`, if any. */
  get(obj: T): T | undefined;
  /** The object stored under `key`, if any. */
  getByKey(key: string): T | undefined;
  /** All objects, in no particular order (a fresh array). */
  list(): T[];
  /** All keys, in no particular order (a fresh array). */
  listKeys(): string[];
  /** Number of objects stored. */
  readonly size: number;
  /**
   * Replaces the whole content with `objects` (later duplicates of a key win).
   * Atomic: if computing a key or an index value throws, nothing changes.
   */
  replace(objects: Iterable<T>): void;
}

/**
 * What an informer's users may do with its cache: read it, never write it
 * (only the informer keeps it current; indexes are added through
 * `informer.addIndexers`).
 *
 * @typeParam T The object type.
 *
 * @example Reading through the view
 * ```ts
 * import { createIndexer, readonlyView } from "@kubesnap/kubesnap";
 * const indexer = createIndexer<{ metadata: { namespace: string; name: string } }>();
 * indexer.add({ metadata: { namespace: "default", name: "web-0" } });
 * const view = readonlyView(indexer);
 * console.log(view.listKeys(), "add" in view); // ["default/web-0"] false
 * ```
 */
export type ReadonlyIndexer<T> = Pick<
  Indexer<T>,
  | "get"
  | "getByKey"
  | "list"
  | "listKeys"
  | "size"
  | "index"
  | "indexKeys"
  | "listIndexFuncValues"
  | "byIndex"
  | "getIndexers"
>;

/**
 * A read-only view of an indexer: the reading methods only, so that code
 * holding the view cannot change the cache.
 *
 * @param indexer The indexer.
 * @returns The view (frozen).
 *
 * @example An informer hands out a view
 * ```ts
 * import { createIndexer, readonlyView } from "@kubesnap/kubesnap";
 * const view = readonlyView(createIndexer());
 * console.log(view.size); // 0
 * ```
 */
export function readonlyView<T>(indexer: Indexer<T>): ReadonlyIndexer<T> {
  return Object.freeze({
    get: (obj: T) => indexer.get(obj),
    getByKey: (key: string) => indexer.getByKey(key),
    list: () => indexer.list(),
    listKeys: () => indexer.listKeys(),
    get size() {
      return indexer.size;
    },
    index: (indexName: string, obj: T) => indexer.index(indexName, obj),
    indexKeys: (indexName: string, value: string) => indexer.indexKeys(indexName, value),
    listIndexFuncValues: (indexName: string) => indexer.listIndexFuncValues(indexName),
    byIndex: (indexName: string, value: string) => indexer.byIndex(indexName, value),
    getIndexers: () => indexer.getIndexers(),
  });
}

/**
 * A {@linkcode Store} with named secondary indexes. Each index maps values
 * (computed by an {@linkcode IndexFunc}) to the keys of the objects that
 * have them.
 *
 * Asking {@linkcode Indexer.byIndex}, {@linkcode Indexer.indexKeys} or
 * {@linkcode Indexer.index} about an index that does not exist throws a
 * `RangeError` ("Index with name X does not exist").
 *
 * @typeParam T The object type.
 *
 * @example Finding pods by IP
 * ```ts
 * import { createIndexer } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const indexer = createIndexer<Pod>({ byIP: (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip) });
 * indexer.add({ metadata: { namespace: "default", name: "web-0" }, status: { podIPs: [{ ip: "10.0.0.5" }] } });
 * console.log(indexer.byIndex("byIP", "10.0.0.5")[0]?.metadata?.name); // "web-0"
 * ```
 */
export interface Indexer<T> extends Store<T> {
  /**
   * Objects sharing at least one value with `obj` in the named index.
   *
   * @throws {RangeError} When the index does not exist.
   * @throws {KubeError} When the index function throws on `obj`.
   */
  index(indexName: string, obj: T): T[];
  /**
   * Sorted keys of the objects that have `value` in the named index.
   *
   * @throws {RangeError} When the index does not exist.
   */
  indexKeys(indexName: string, value: string): string[];
  /** Values currently present in the named index; `[]` for an unknown index. */
  listIndexFuncValues(indexName: string): string[];
  /**
   * Objects that have `value` in the named index; `[]` for an unknown value.
   *
   * @throws {RangeError} When the index does not exist.
   */
  byIndex(indexName: string, value: string): T[];
  /** The installed index functions by name (a frozen copy). */
  getIndexers(): Readonly<Indexers<T>>;
  /**
   * Installs more indexes; objects already stored are indexed at once.
   * Atomic: on any error no index is added.
   *
   * @throws {RangeError} When a name is already in use (`indexer conflict: <names>`).
   * @throws {TypeError} When a value is not a function.
   * @throws {KubeError} When an index function throws on a stored object.
   */
  addIndexers(indexers: Indexers<T>): void;
}

/** Options of {@linkcode createIndexer}. */
export interface IndexerOptions<T> {
  /**
   * Computes an object's store key.
   *
   * @default {metaNamespaceKey}
   */
  keyFunc?: (obj: T) => string;
  /**
   * Whether to install {@linkcode NAMESPACE_INDEX} with
   * {@linkcode metaNamespaceIndexFunc}. Listers use it for namespaced lists.
   *
   * @default {true}
   */
  namespaceIndex?: boolean;
}

/**
 * Values of one object in one index: absent when none, a string when
 * exactly one, else a deduplicated array of two or more.
 */
type IndexValues = string | readonly string[];

/**
 * The objects that have one index value, by key: a single entry when exactly
 * one object has the value (the common case for unique values such as IPs or
 * UIDs, which then cost no Map), else a Map of two or more. Postings hold the
 * objects themselves so that {@linkcode Indexer.byIndex} is a copy of the
 * posting, with no store lookup per result.
 */
type Posting<T> = SinglePosting<T> | Map<string, T>;

/** A posting with exactly one object. */
class SinglePosting<T> {
  constructor(readonly key: string, public obj: T) {}
}

interface IndexState<T> {
  readonly fn: IndexFunc<T>;
  /** value -> the objects that have it (see {@linkcode Posting}). */
  readonly postings: Map<string, Posting<T>>;
  /** key -> the values the object had when last indexed. */
  readonly valuesByKey: Map<string, IndexValues>;
}

const NO_VALUES: readonly string[] = Object.freeze([]);

function newState<T>(fn: IndexFunc<T>): IndexState<T> {
  return { fn, postings: new Map(), valuesByKey: new Map() };
}

function asArray(values: IndexValues | undefined): readonly string[] {
  if (values === undefined) return NO_VALUES;
  return typeof values === "string" ? [values] : values;
}

/** A membership test for `values`; a Set only when the array is long. */
function membership(values: readonly string[]): (value: string) => boolean {
  if (values.length <= 8) return (value) => values.includes(value);
  const set = new Set(values);
  return (value) => set.has(value);
}

/** Adds (or, for a key already there, refreshes) `key` -> `obj` under `value`. */
function addPosting<T>(
  postings: Map<string, Posting<T>>,
  value: string,
  key: string,
  obj: T,
): void {
  const posting = postings.get(value);
  if (posting === undefined) postings.set(value, new SinglePosting(key, obj));
  else if (!(posting instanceof SinglePosting)) posting.set(key, obj);
  else if (posting.key === key) posting.obj = obj;
  else postings.set(value, new Map([[posting.key, posting.obj], [key, obj]]));
}

function removePosting<T>(postings: Map<string, Posting<T>>, value: string, key: string): void {
  const posting = postings.get(value);
  if (posting === undefined) return;
  if (posting instanceof SinglePosting) {
    if (posting.key === key) postings.delete(value);
    return;
  }
  posting.delete(key);
  if (posting.size === 1) {
    const [onlyKey, onlyObj] = posting.entries().next().value as [string, T];
    postings.set(value, new SinglePosting(onlyKey, onlyObj));
  }
}

/** True when both are arrays holding the same values in the same order. */
function sameOrder(a: IndexValues | undefined, b: IndexValues | undefined): boolean {
  if (typeof a !== "object" || typeof b !== "object" || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Moves `key` from its remembered values to `next`: values it no longer has
 * lose it, new values gain it, and values it keeps get the new object.
 */
function applyValues<T>(
  state: IndexState<T>,
  key: string,
  next: IndexValues | undefined,
  obj: T,
): void {
  const prev = state.valuesByKey.get(key);
  const { postings } = state;
  if (prev === undefined && next === undefined) return;
  if (typeof next === "string" && (prev === next || prev === undefined)) {
    addPosting(postings, next, key, obj);
    if (prev === undefined) state.valuesByKey.set(key, next);
    return;
  }
  if (typeof prev === "string" && typeof next === "string") {
    removePosting(postings, prev, key);
    addPosting(postings, next, key, obj);
    state.valuesByKey.set(key, next);
    return;
  }
  const nextValues = asArray(next);
  if (prev !== undefined && !sameOrder(prev, next)) {
    const inNext = membership(nextValues);
    for (const value of asArray(prev)) if (!inNext(value)) removePosting(postings, value, key);
  }
  for (const value of nextValues) addPosting(postings, value, key, obj);
  if (next === undefined) state.valuesByKey.delete(key);
  else if (prev !== next) state.valuesByKey.set(key, next);
}

function removeKey<T>(state: IndexState<T>, key: string): void {
  const prev = state.valuesByKey.get(key);
  if (prev === undefined) return;
  if (typeof prev === "string") removePosting(state.postings, prev, key);
  else for (const value of prev) removePosting(state.postings, value, key);
  state.valuesByKey.delete(key);
}

function indexFailure(indexName: string, key: string, cause: unknown): KubeError {
  return new KubeError(`index function "${indexName}" failed for key ${JSON.stringify(key)}`, {
    cause,
  });
}

/**
 * Runs an index function and normalises its result; any failure, including
 * a result that is not an array of strings, becomes a {@linkcode KubeError}.
 */
function computeValues<T>(
  indexName: string,
  fn: IndexFunc<T>,
  obj: T,
  describeKey: () => string,
): IndexValues | undefined {
  let raw: readonly string[];
  try {
    raw = fn(obj);
  } catch (err) {
    throw indexFailure(indexName, describeKey(), err);
  }
  if (!Array.isArray(raw)) {
    throw indexFailure(
      indexName,
      describeKey(),
      new TypeError("index function must return an array"),
    );
  }
  const length = raw.length;
  if (length === 0) return undefined;
  for (let i = 0; i < length; i++) {
    if (typeof raw[i] !== "string") {
      throw indexFailure(
        indexName,
        describeKey(),
        new TypeError(`index value at position ${i} is a ${typeof raw[i]}, not a string`),
      );
    }
  }
  if (length === 1) return raw[0] as string;
  if (length === 2) {
    return raw[0] === raw[1] ? raw[0] as string : [raw[0] as string, raw[1] as string];
  }
  const unique = [...new Set(raw)];
  return unique.length === 1 ? unique[0] as string : unique;
}

function unknownIndex(indexName: string): RangeError {
  return new RangeError(`Index with name ${indexName} does not exist`);
}

class MemoryIndexer<T> implements Indexer<T> {
  #items = new Map<string, T>();
  #indexes = new Map<string, IndexState<T>>();
  readonly #keyFunc: (obj: T) => string;

  constructor(keyFunc: (obj: T) => string) {
    this.#keyFunc = keyFunc;
  }

  #key(obj: T): string {
    const key = this.#keyFunc(obj);
    if (typeof key !== "string") {
      throw new TypeError(`key function returned a ${typeof key}, not a string`);
    }
    return key;
  }

  #state(indexName: string): IndexState<T> {
    const state = this.#indexes.get(indexName);
    if (state === undefined) throw unknownIndex(indexName);
    return state;
  }

  get size(): number {
    return this.#items.size;
  }

  add(obj: T): void {
    this.#upsert(obj);
  }

  update(obj: T): void {
    this.#upsert(obj);
  }

  /**
   * Stores `obj` under `key`, which the caller computed with the key function
   * already (the cache writer does, once per event). Atomic like `update`.
   */
  updateWithKey(key: string, obj: T): void {
    this.#upsert(obj, key);
  }

  #upsert(obj: T, knownKey?: string): void {
    const key = knownKey ?? this.#key(obj);
    const describeKey = () => key;
    const indexes = this.#indexes;
    // Compute every index value first so a throwing index function leaves
    // the store exactly as it was.
    let computed: (IndexValues | undefined)[] | undefined;
    if (indexes.size > 0) {
      computed = new Array(indexes.size);
      let i = 0;
      for (const [name, state] of indexes) {
        computed[i++] = computeValues(name, state.fn, obj, describeKey);
      }
    }
    this.#items.set(key, obj);
    if (computed === undefined) return;
    let i = 0;
    for (const state of indexes.values()) applyValues(state, key, computed[i++], obj);
  }

  delete(obj: T): void {
    this.deleteByKey(this.#key(obj));
  }

  deleteByKey(key: string): void {
    if (!this.#items.delete(key)) return;
    for (const state of this.#indexes.values()) removeKey(state, key);
  }

  get(obj: T): T | undefined {
    return this.#items.get(this.#key(obj));
  }

  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return Array.from(this.#items.values());
  }

  listKeys(): string[] {
    return Array.from(this.#items.keys());
  }

  replace(objects: Iterable<T>): void {
    const items = new Map<string, T>();
    const indexes = new Map<string, IndexState<T>>();
    for (const [name, state] of this.#indexes) indexes.set(name, newState(state.fn));
    for (const obj of objects) {
      const key = this.#key(obj);
      const describeKey = () => key;
      items.set(key, obj);
      for (const [name, state] of indexes) {
        applyValues(state, key, computeValues(name, state.fn, obj, describeKey), obj);
      }
    }
    this.#items = items;
    this.#indexes = indexes;
  }

  index(indexName: string, obj: T): T[] {
    const state = this.#state(indexName);
    const values = asArray(computeValues(indexName, state.fn, obj, () => {
      try {
        return this.#key(obj);
      } catch {
        return "";
      }
    }));
    if (values.length === 1) return this.byIndex(indexName, values[0] as string);
    const found = new Map<string, T>();
    for (const value of values) {
      const posting = state.postings.get(value);
      if (posting instanceof SinglePosting) found.set(posting.key, posting.obj);
      else if (posting !== undefined) { for (const [key, obj] of posting) found.set(key, obj); }
    }
    return Array.from(found.values());
  }

  indexKeys(indexName: string, value: string): string[] {
    const posting = this.#state(indexName).postings.get(value);
    if (posting === undefined) return [];
    return posting instanceof SinglePosting ? [posting.key] : Array.from(posting.keys()).sort();
  }

  listIndexFuncValues(indexName: string): string[] {
    const state = this.#indexes.get(indexName);
    return state === undefined ? [] : Array.from(state.postings.keys());
  }

  byIndex(indexName: string, value: string): T[] {
    const posting = this.#state(indexName).postings.get(value);
    if (posting === undefined) return [];
    return posting instanceof SinglePosting ? [posting.obj] : Array.from(posting.values());
  }

  getIndexers(): Readonly<Indexers<T>> {
    const out: Indexers<T> = {};
    for (const [name, state] of this.#indexes) out[name] = state.fn;
    return Object.freeze(out);
  }

  addIndexers(indexers: Indexers<T>): void {
    const entries = Object.entries(indexers);
    for (const [name, fn] of entries) {
      if (typeof fn !== "function") {
        throw new TypeError(`indexer ${JSON.stringify(name)} is not a function`);
      }
    }
    const conflicts = entries.map(([name]) => name).filter((name) => this.#indexes.has(name));
    if (conflicts.length > 0) {
      throw new RangeError(`indexer conflict: ${conflicts.sort().join(", ")}`);
    }
    const built: [string, IndexState<T>][] = [];
    for (const [name, fn] of entries) {
      const state = newState(fn);
      for (const [key, obj] of this.#items) {
        applyValues(state, key, computeValues(name, fn, obj, () => key), obj);
      }
      built.push([name, state]);
    }
    for (const [name, state] of built) this.#indexes.set(name, state);
  }
}

/** An {@linkcode Indexer} that also stores under a key its caller computed already. */
export interface KeyedIndexer<T> extends Indexer<T> {
  /**
   * Stores `obj` under `key` (which must be its key); atomic like `update`.
   *
   * @param key The object's key.
   * @param obj The object.
   */
  updateWithKey(key: string, obj: T): void;
}

/**
 * {@linkcode createIndexer}, typed with {@linkcode KeyedIndexer.updateWithKey}
 * (for the informer's cache writer).
 *
 * @param indexers Index functions by name.
 * @param options Key function and whether to add the namespace index.
 * @returns The indexer.
 *
 * @example Storing under a known key
 * ```ts
 * import { createKeyedIndexer } from "./indexer.ts";
 * const indexer = createKeyedIndexer();
 * indexer.updateWithKey("default/web-0", { metadata: { namespace: "default", name: "web-0" } });
 * console.log(indexer.listKeys()); // ["default/web-0"]
 * ```
 */
export function createKeyedIndexer<T extends KubeObject>(
  indexers?: Indexers<T>,
  options: IndexerOptions<T> = {},
): KeyedIndexer<T> {
  indexers ??= {};
  return createIndexer(indexers, options) as KeyedIndexer<T>;
}

/**
 * Creates an empty in-memory {@linkcode Indexer}. Index upkeep is
 * incremental: each object remembers its values per index, so an update
 * only touches the values that changed, and {@linkcode Indexer.byIndex}
 * costs time proportional to its result. Not safe against concurrent
 * mutation of stored objects: treat them as read-only.
 *
 * @typeParam T The object type.
 * @param indexers Index functions to install, by name.
 * @param options Key function and whether to install the namespace index.
 * @returns The indexer.
 * @throws {RangeError} When `indexers` names {@linkcode NAMESPACE_INDEX} while
 * `options.namespaceIndex` is true (`indexer conflict: namespace`).
 *
 * @example An indexer with a custom index
 * ```ts
 * import { createIndexer, NAMESPACE_INDEX } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 *
 * const indexer = createIndexer<Pod>({ byNode: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []) });
 * indexer.add({ metadata: { namespace: "default", name: "a" }, spec: { nodeName: "n1", containers: [] } });
 * indexer.add({ metadata: { namespace: "prod", name: "b" }, spec: { nodeName: "n1", containers: [] } });
 * console.log(indexer.indexKeys("byNode", "n1")); // ["default/a", "prod/b"]
 * console.log(indexer.byIndex(NAMESPACE_INDEX, "prod").length); // 1
 * console.log(indexer.getByKey("default/a")?.spec?.nodeName); // "n1"
 * ```
 */
export function createIndexer<T extends KubeObject>(
  indexers?: Indexers<T>,
  options: IndexerOptions<T> = {},
): Indexer<T> {
  indexers ??= {};
  const indexer = new MemoryIndexer<T>(options.keyFunc ?? metaNamespaceKey);
  if (options.namespaceIndex ?? true) {
    if (Object.hasOwn(indexers, NAMESPACE_INDEX)) {
      throw new RangeError(`indexer conflict: ${NAMESPACE_INDEX}`);
    }
    indexer.addIndexers({ [NAMESPACE_INDEX]: metaNamespaceIndexFunc });
  }
  indexer.addIndexers(indexers);
  return indexer;
}

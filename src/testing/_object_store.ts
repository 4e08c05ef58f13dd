/**
 * The fake apiserver's storage: one global integer resourceVersion (like
 * etcd's revision), one table per resource, every object kept with its JSON
 * encoding (built once per write), a bounded history of changes for watches,
 * and snapshots by resourceVersion for consistent paginated lists.
 *
 * @module
 */

import type { KubeObject, ObjectMeta } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";

/**
 * One stored version of an object, kept as its JSON encoding (built once per
 * write). The parsed forms are computed on demand and cached; they are
 * internal and never handed out.
 */
export class StoredObject {
  /** `namespace/name`, or `name` for cluster-scoped objects. */
  readonly key: string;
  /** Namespace, `""` for cluster-scoped objects. */
  readonly namespace: string;
  /** Name. */
  readonly name: string;
  /** The resourceVersion of the write that produced this version. */
  readonly rv: number;
  /** Full JSON encoding (kind, apiVersion, metadata, other fields, status). */
  readonly json: string;
  readonly #itemStart: number;
  readonly #builtin: boolean;
  readonly #meta: readonly [number, number];
  readonly #spec: readonly [number, number];
  readonly #status: readonly [number, number] | undefined;
  /** Server-owned metadata fields, captured at encode time (no parse needed). */
  readonly system: SystemMeta;
  #object: KubeObject | undefined;
  #metadata: ObjectMeta | undefined;

  constructor(
    parts: {
      namespace: string;
      name: string;
      rv: number;
      json: string;
      itemStart: number;
      builtin: boolean;
      meta: readonly [number, number];
      spec: readonly [number, number];
      status: readonly [number, number] | undefined;
      metadata: ObjectMeta | undefined;
      system: SystemMeta;
    },
  ) {
    this.namespace = parts.namespace;
    this.name = parts.name;
    this.key = parts.namespace === "" ? parts.name : `${parts.namespace}/${parts.name}`;
    this.rv = parts.rv;
    this.json = parts.json;
    this.#itemStart = parts.itemStart;
    this.#builtin = parts.builtin;
    this.#meta = parts.meta;
    this.#spec = parts.spec;
    this.#status = parts.status;
    this.#metadata = parts.metadata;
    this.system = parts.system;
  }

  /** Encoding as a list item: without kind/apiVersion for built-in kinds. */
  get itemJson(): string {
    return this.#builtin ? `{${this.json.slice(this.#itemStart)}` : this.json;
  }

  /** The parsed object (cached; never mutate it). */
  get object(): KubeObject {
    this.#object ??= JSON.parse(this.json) as KubeObject;
    return this.#object;
  }

  /** The parsed metadata (cached; never mutate it). */
  get metadata(): ObjectMeta {
    this.#metadata ??= this.#object?.metadata ??
      (JSON.parse(this.json.slice(this.#meta[0], this.#meta[1])) as ObjectMeta);
    return this.#metadata;
  }

  /** The JSON of the fields between metadata and status, without braces (`""` when none). */
  get specInner(): string {
    return this.json.slice(this.#spec[0], this.#spec[1]);
  }

  /** The JSON of `status`, if present. */
  get statusJson(): string | undefined {
    return this.#status === undefined
      ? undefined
      : this.json.slice(this.#status[0], this.#status[1]);
  }
}

/** The metadata fields the server owns, kept unparsed next to the JSON. */
export interface SystemMeta {
  readonly uid: string | undefined;
  readonly resourceVersion: string | undefined;
  readonly generation: number | undefined;
  readonly creationTimestamp: string | undefined;
  readonly deletionTimestamp: string | undefined;
  readonly deletionGracePeriodSeconds: number | undefined;
  readonly finalizerCount: number;
  readonly hasManagedFields: boolean;
}

/** The parts a stored object is encoded from. */
export interface ObjectParts {
  /** Metadata (its resourceVersion is stamped at commit). */
  metadata: ObjectMeta;
  /** JSON of the fields other than kind, apiVersion, metadata and status, without braces. */
  specInner: string;
  /** JSON of `status`, if any. */
  statusJson: string | undefined;
}

/** Splits an object into {@linkcode ObjectParts} (one stringify of its fields). */
export function partsOf(object: Record<string, unknown>): ObjectParts {
  const rest: Record<string, unknown> = {};
  let status: unknown;
  for (const key in object) {
    if (key === "kind" || key === "apiVersion" || key === "metadata") continue;
    if (key === "status") status = object[key];
    else rest[key] = object[key];
  }
  const restJson = JSON.stringify(rest);
  return {
    metadata: { ...(object.metadata as ObjectMeta | undefined) },
    specInner: restJson.slice(1, -1),
    statusJson: status === undefined ? undefined : JSON.stringify(status),
  };
}

/** Type of a stored change. */
export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

/** One write, as kept in the history. */
export interface Change {
  /** resourceVersion of the write. */
  readonly rv: number;
  /** The table written. */
  readonly table: ResourceTable;
  /** What happened. */
  readonly type: ChangeType;
  /** The new version; for DELETED the last state stamped with the deletion's resourceVersion. */
  readonly object: StoredObject;
  /** The version before the write (undefined for ADDED). */
  readonly previous: StoredObject | undefined;
  /** True for writes that emit no watch event (simulated missed events). */
  readonly silent: boolean;
}

/**
 * Makes the engine store a concatenated string as one flat string now, so
 * reads are fast and the pieces (which may be slices of older versions) are
 * released.
 */
function flatten(text: string): void {
  // Number() of a non-numeric string flattens it in V8 and returns NaN.
  void Number(text);
}

/** Compares keys the way etcd orders them (byte order; keys are ASCII). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first element of a key-sorted array whose key is greater than `key`. */
export function upperBound(items: readonly StoredObject[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.key <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of a key-sorted array whose key is at least `key`. */
export function lowerBound(items: readonly StoredObject[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const MAX_SNAPSHOTS_PER_TABLE = 16;

/** The objects of one resource. */
export class ResourceTable {
  /** The served resource. */
  readonly descriptor: ResourceDescriptor;
  /** `group/plural`. */
  readonly id: string;
  /** Built-in kinds omit kind/apiVersion in list items. */
  readonly builtin: boolean;
  /** Current objects by key. */
  readonly items: Map<string, StoredObject> = new Map();
  /** resourceVersion of the last write to this table (0 when never written). */
  lastRv = 0;
  /** Key-sorted states at a resourceVersion, kept for continue tokens. */
  readonly snapshots: Map<number, readonly StoredObject[]> = new Map();
  #sorted: readonly StoredObject[] | undefined;
  readonly #prefix: string;

  constructor(descriptor: ResourceDescriptor, builtin: boolean) {
    this.descriptor = descriptor;
    this.id = tableId(descriptor);
    this.builtin = builtin;
    this.#prefix = `{"kind":${JSON.stringify(descriptor.kind)},"apiVersion":${
      JSON.stringify(descriptor.apiVersion)
    },`;
  }

  /** The current objects ordered by key. The array is never mutated. */
  sorted(): readonly StoredObject[] {
    if (this.#sorted === undefined) {
      const arr = [...this.items.values()];
      arr.sort((a, b) => compareKeys(a.key, b.key));
      this.#sorted = Object.freeze(arr);
    }
    return this.#sorted;
  }

  /** Forgets the sorted cache after a write. */
  invalidate(): void {
    this.#sorted = undefined;
  }

  /** Remembers a snapshot (bounded, oldest dropped first). */
  keepSnapshot(rv: number, items: readonly StoredObject[]): void {
    if (this.snapshots.has(rv)) return;
    this.snapshots.set(rv, items);
    if (this.snapshots.size > MAX_SNAPSHOTS_PER_TABLE) {
      const oldest = this.snapshots.keys().next().value;
      if (oldest !== undefined) this.snapshots.delete(oldest);
    }
  }

  /** Encodes parts into a stored object; `metadata` is kept (not copied). */
  encode(parts: ObjectParts, rv: number): StoredObject {
    const metaJson = JSON.stringify(parts.metadata);
    const prefix = this.#prefix;
    let json = `${prefix}"metadata":`;
    const metaStart = json.length;
    json += metaJson;
    const metaEnd = json.length;
    let specStart = metaEnd;
    if (parts.specInner !== "") {
      json += ",";
      specStart = json.length;
      json += parts.specInner;
    }
    const specEnd = json.length;
    let status: [number, number] | undefined;
    if (parts.statusJson !== undefined) {
      json += `,"status":`;
      const statusStart = json.length;
      json += parts.statusJson;
      status = [statusStart, json.length];
    }
    json += "}";
    flatten(json);
    const m = parts.metadata;
    const system: SystemMeta = {
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      generation: m.generation,
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
      deletionGracePeriodSeconds: m.deletionGracePeriodSeconds,
      finalizerCount: m.finalizers?.length ?? 0,
      hasManagedFields: (m.managedFields?.length ?? 0) > 0,
    };
    return new StoredObject({
      system,
      namespace: parts.metadata.namespace ?? "",
      name: parts.metadata.name ?? "",
      rv,
      json,
      itemStart: prefix.length,
      builtin: this.builtin,
      meta: [metaStart, metaEnd],
      spec: [specStart, specEnd],
      status,
      metadata: undefined,
    });
  }

  /** Encodes a whole object (split into parts first). */
  encodeObject(object: KubeObject, rv: number): StoredObject {
    return this.encode(partsOf(object as Record<string, unknown>), rv);
  }
}

/** The key of a resource's table: `group/plural`. */
export function tableId(descriptor: { group: string; plural: string }): string {
  return `${descriptor.group}/${descriptor.plural}`;
}

/** Options of {@linkcode ObjectStore}. */
export interface ObjectStoreOptions {
  /** How many changes the history keeps. */
  historySize: number;
  /** Called synchronously after every committed change that is not silent. */
  onChange: (change: Change) => void;
  /** Called after every committed change, silent ones included (after `onChange`). */
  onCommit?: ((change: Change) => void) | undefined;
}

/** Global resourceVersion, tables, history. */
export class ObjectStore {
  readonly #tables = new Map<string, ResourceTable>();
  readonly #historySize: number;
  readonly #onChange: (change: Change) => void;
  readonly #onCommit: ((change: Change) => void) | undefined;
  #rv = 1;
  #compactedRv = 1;
  #history: (Change | undefined)[] = [];
  #head = 0;

  constructor(options: ObjectStoreOptions) {
    this.#historySize = options.historySize;
    this.#onChange = options.onChange;
    this.#onCommit = options.onCommit;
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): number {
    return this.#rv;
  }

  /**
   * The oldest resourceVersion the history still covers: watches and
   * snapshots from any RV at or after it can be served; older ones are 410.
   */
  get compactedRv(): number {
    return this.#compactedRv;
  }

  /** Adds a table for a resource (idempotent per group/plural). */
  register(descriptor: ResourceDescriptor, builtin: boolean): ResourceTable {
    const id = tableId(descriptor);
    let table = this.#tables.get(id);
    if (table === undefined) {
      table = new ResourceTable(descriptor, builtin);
      this.#tables.set(id, table);
    }
    return table;
  }

  /** The table of a resource, if registered. */
  table(descriptor: { group: string; plural: string }): ResourceTable | undefined {
    return this.#tables.get(tableId(descriptor));
  }

  /** Every table, in registration order. */
  tables(): IterableIterator<ResourceTable> {
    return this.#tables.values();
  }

  /** The resourceVersion the next write will get. */
  nextRv(): number {
    return this.#rv + 1;
  }

  /**
   * Commits a write: assigns the next resourceVersion, stamps it into
   * `parts.metadata.resourceVersion`, encodes, stores, records the change
   * and notifies (unless `silent`).
   */
  commit(
    table: ResourceTable,
    type: ChangeType,
    parts: ObjectParts,
    silent: boolean,
  ): StoredObject {
    const rv = ++this.#rv;
    parts.metadata.resourceVersion = String(rv);
    const stored = table.encode(parts, rv);
    const previous = table.items.get(stored.key);
    if (type === "DELETED") table.items.delete(stored.key);
    else table.items.set(stored.key, stored);
    table.lastRv = rv;
    table.invalidate();
    const change: Change = { rv, table, type, object: stored, previous, silent };
    this.#record(change);
    if (!silent) this.#onChange(change);
    this.#onCommit?.(change);
    return stored;
  }

  #record(change: Change): void {
    this.#history.push(change);
    if (this.#history.length - this.#head > this.#historySize) {
      const evicted = this.#history[this.#head];
      this.#history[this.#head] = undefined;
      this.#head++;
      if (evicted !== undefined) this.#setCompacted(evicted.rv);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#history.length) {
      this.#history = this.#history.slice(this.#head);
      this.#head = 0;
    }
  }

  #setCompacted(rv: number): void {
    if (rv <= this.#compactedRv) return;
    this.#compactedRv = rv;
    for (const table of this.#tables.values()) {
      for (const snapRv of table.snapshots.keys()) {
        if (snapRv < rv) table.snapshots.delete(snapRv);
      }
    }
  }

  /** Drops the whole history: every resourceVersion older than the current one becomes 410. */
  compact(): void {
    this.#history = [];
    this.#head = 0;
    this.#setCompacted(this.#rv);
  }

  /**
   * The changes after `rv`, oldest first (silent ones included). The caller
   * checks `rv >= compactedRv` first.
   */
  *changesSince(rv: number): Generator<Change> {
    const history = this.#history;
    let lo = this.#head;
    let hi = history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < history.length; i++) {
      const change = history[i];
      if (change !== undefined) yield change;
    }
  }

  /**
   * The key-sorted state of a table at resourceVersion `rv`, or undefined
   * when the history no longer covers `rv`. `rv` must not exceed the
   * current resourceVersion.
   */
  snapshotAt(table: ResourceTable, rv: number): readonly StoredObject[] | undefined {
    if (rv >= table.lastRv) return table.sorted();
    if (rv < this.#compactedRv) return undefined;
    const cached = table.snapshots.get(rv);
    if (cached !== undefined) return cached;
    const state = new Map(table.items);
    const history = this.#history;
    for (let i = history.length - 1; i >= this.#head; i--) {
      const change = history[i]!;
      if (change.rv <= rv) break;
      if (change.table !== table) continue;
      if (change.previous !== undefined) state.set(change.object.key, change.previous);
      else state.delete(change.object.key);
    }
    const arr = [...state.values()];
    arr.sort((a, b) => compareKeys(a.key, b.key));
    const frozen = Object.freeze(arr);
    table.keepSnapshot(rv, frozen);
    return frozen;
  }
}

/**
 * Watch fan-out: open watch streams, selector transitions, batched writes,
 * bookmarks (periodic and on demand), timeouts and the stream faults.
 *
 * Every change is encoded at most once per representation and shared by all
 * watchers; each watcher coalesces what is pending into one chunk per flush
 * (on a microtask, or as soon as {@linkcode FLUSH_BYTES} are pending).
 *
 * @module
 */

import { selectableFields } from "../api/field_selector.ts";
import type { FieldMatcher } from "../api/field_selector.ts";
import type { LabelMatcher } from "../api/label_selector.ts";
import type { Status } from "../api/meta.ts";
import type { Clock } from "../_internal/clock.ts";
import type { Change, ResourceTable, StoredObject } from "./_object_store.ts";
import { type IncludeObject, metadataJson, tableJson, tableRowJson } from "./_views.ts";

/** Pending bytes that force an immediate flush. */
export const FLUSH_BYTES = 256 * 1024;

const encoder = new TextEncoder();

/** Which objects a watch sees. */
export interface WatchFilter {
  /** Only this namespace (undefined: all). */
  namespace: string | undefined;
  /** Only this name (watch on an object path or `metadata.name=` selector). */
  name: string | undefined;
  /** Label selector. */
  labelSelector: LabelMatcher | undefined;
  /** Field selector (already normalised). */
  fieldSelector: FieldMatcher | undefined;
}

/** Representation of watch event objects. */
export type WatchView = "object" | "metadata" | "table";

/** Options of {@linkcode WatchHub.open}. */
export interface OpenWatchOptions {
  /** The watched resource. */
  table: ResourceTable;
  /** Filters. */
  filter: WatchFilter;
  /** Representation. */
  view: WatchView;
  /** Table rows' object (table view only). */
  includeObject: IncludeObject;
  /** Send BOOKMARK events. */
  allowBookmarks: boolean;
  /** End the stream cleanly after this many milliseconds. */
  timeoutMs: number | undefined;
  /** The request's signal: the client went away. */
  signal: AbortSignal;
}

const fieldsCache = new WeakMap<StoredObject, Record<string, string>>();

function fieldsOf(table: ResourceTable, stored: StoredObject): Record<string, string> {
  let fields = fieldsCache.get(stored);
  if (fields === undefined) {
    fields = selectableFields(table.descriptor.kind, stored.object, {
      namespaced: table.descriptor.namespaced,
    });
    fieldsCache.set(stored, fields);
  }
  return fields;
}

/** Compiles a watch/list filter into a predicate over stored objects. */
export function compileFilter(
  table: ResourceTable,
  filter: WatchFilter,
): (stored: StoredObject) => boolean {
  const { namespace, name, labelSelector, fieldSelector } = filter;
  return (stored) => {
    if (namespace !== undefined && stored.namespace !== namespace) return false;
    if (name !== undefined && stored.name !== name) return false;
    if (labelSelector !== undefined && !labelSelector.matches(stored.metadata.labels)) {
      return false;
    }
    if (fieldSelector !== undefined && !fieldSelector.matches(fieldsOf(table, stored))) {
      return false;
    }
    return true;
  };
}

/** Per-change cache of encoded lines, shared by the watchers of one dispatch. */
type LineCache = Map<string, Uint8Array>;

function restamp(stored: StoredObject, rv: number): string {
  const copy = JSON.parse(stored.json);
  copy.metadata = { ...copy.metadata, resourceVersion: String(rv) };
  return JSON.stringify(copy);
}

/** One open watch stream. */
export class Watcher {
  readonly table: ResourceTable;
  readonly #hub: WatchHub;
  readonly #matches: (stored: StoredObject) => boolean;
  readonly #view: WatchView;
  readonly #include: IncludeObject;
  readonly allowBookmarks: boolean;
  readonly #signal: AbortSignal;
  readonly #onAbort = () => this.#shutdown("error");
  readonly body: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  #closed = false;
  #stalled = false;
  #headersSent = false;
  #cancelTimeout: (() => void) | undefined;

  constructor(hub: WatchHub, options: OpenWatchOptions, clock: Clock) {
    this.#hub = hub;
    this.table = options.table;
    this.#matches = compileFilter(options.table, options.filter);
    this.#view = options.view;
    this.#include = options.includeObject;
    this.allowBookmarks = options.allowBookmarks;
    this.#signal = options.signal;
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => this.#shutdown("none"),
    });
    this.#signal.addEventListener("abort", this.#onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      this.#cancelTimeout = clock.setTimer(() => this.close(), options.timeoutMs);
    }
  }

  /** Whether the stream has ended. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the stream is stalled (open, silent). */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** Whether an object passes this watch's filters. */
  matches(stored: StoredObject): boolean {
    return this.#matches(stored);
  }

  /** Skips changes at or before this resourceVersion (a watch from a future RV waits for it). */
  after = 0;

  /** Offers a change; sends ADDED/MODIFIED/DELETED according to the selector transition. */
  offer(change: Change, cache: LineCache): void {
    if (this.#closed || this.#stalled || change.rv <= this.after) return;
    switch (change.type) {
      case "ADDED":
        if (this.matches(change.object)) this.#sendChange("ADDED", change, false, cache);
        return;
      case "DELETED":
        if (this.matches(change.object)) this.#sendChange("DELETED", change, false, cache);
        return;
      case "MODIFIED": {
        const now = this.matches(change.object);
        const before = change.previous !== undefined && this.matches(change.previous);
        if (now && before) this.#sendChange("MODIFIED", change, false, cache);
        else if (now) this.#sendChange("ADDED", change, false, cache);
        else if (before) this.#sendChange("DELETED", change, true, cache);
        return;
      }
    }
  }

  /** Sends synthetic ADDED events for the matching objects of a state. */
  sendInitial(items: readonly StoredObject[]): void {
    for (const stored of items) {
      if (!this.matches(stored)) continue;
      this.#enqueue(encoder.encode(this.#line("ADDED", stored, stored.json, false)));
    }
  }

  /** Sends a BOOKMARK at `rv` (ignored unless bookmarks were requested). */
  bookmark(rv: number, initialEventsEnd = false): void {
    if (this.#closed || this.#stalled || !this.allowBookmarks) return;
    const d = this.table.descriptor;
    const kind = this.#view === "metadata" ? "PartialObjectMetadata" : d.kind;
    const apiVersion = this.#view === "metadata" ? "meta.k8s.io/v1" : d.apiVersion;
    const annotations = initialEventsEnd
      ? ',"annotations":{"k8s.io/initial-events-end":"true"}'
      : "";
    this.#enqueue(
      encoder.encode(
        `{"type":"BOOKMARK","object":{"kind":${JSON.stringify(kind)},"apiVersion":${
          JSON.stringify(apiVersion)
        },"metadata":{"resourceVersion":"${rv}"${annotations}}}}\n`,
      ),
    );
  }

  /** Sends an ERROR event and ends the stream. */
  error(status: Status): void {
    if (this.#closed) return;
    this.#enqueue(encoder.encode(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`));
    this.close();
  }

  /** Writes raw text (fault injection). */
  writeRaw(text: string): void {
    if (this.#closed || this.#stalled) return;
    this.#enqueue(encoder.encode(text));
  }

  /** Keeps the connection open but sends nothing more, timeout included. */
  stall(): void {
    if (this.#closed) return;
    this.#flush();
    this.#stalled = true;
    this.#cancelTimeout?.();
    this.#cancelTimeout = undefined;
  }

  /** Flushes what is pending and ends the stream cleanly. */
  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#shutdown("close");
  }

  /**
   * Ends the watch: `close` ends the stream cleanly, `error` errors it with
   * the request signal's reason (as `fetch` does when a request is aborted),
   * `none` leaves it alone (the reader cancelled it).
   */
  #shutdown(end: "close" | "error" | "none"): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#cancelTimeout?.();
    this.#cancelTimeout = undefined;
    this.#signal.removeEventListener("abort", this.#onAbort);
    try {
      if (end === "close") this.#controller.close();
      else if (end === "error") this.#controller.error(this.#signal.reason);
    } catch {
      // Already closed or cancelled by the reader.
    }
    this.#hub.remove(this);
  }

  #sendChange(type: string, change: Change, left: boolean, cache: LineCache): void {
    if (this.#view === "table" && !this.#headersSent) {
      const json = left ? restamp(change.previous!, change.rv) : change.object.json;
      const stored = left ? change.table.encodeObject(JSON.parse(json), change.rv) : change.object;
      this.#enqueue(encoder.encode(this.#line(type, stored, json, true)));
      return;
    }
    const cacheKey = `${this.#view}|${this.#include}|${type}|${left ? "left" : "cur"}`;
    let bytes = cache.get(cacheKey);
    if (bytes === undefined) {
      let stored = change.object;
      let json = stored.json;
      if (left) {
        json = restamp(change.previous!, change.rv);
        if (this.#view !== "object") {
          stored = change.table.encodeObject(JSON.parse(json), change.rv);
        }
      }
      bytes = encoder.encode(this.#line(type, stored, json, false));
      cache.set(cacheKey, bytes);
    }
    this.#enqueue(bytes);
  }

  #line(type: string, stored: StoredObject, json: string, firstTable: boolean): string {
    let object: string;
    switch (this.#view) {
      case "object":
        object = json;
        break;
      case "metadata":
        object = metadataJson(stored);
        break;
      case "table": {
        const headers = firstTable || !this.#headersSent;
        this.#headersSent = true;
        object = tableJson(
          `{"resourceVersion":"${stored.rv}"}`,
          [tableRowJson(stored, this.#include)],
          headers,
        );
        break;
      }
    }
    return `{"type":"${type}","object":${object}}\n`;
  }

  #enqueue(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
    if (this.#pendingBytes >= FLUSH_BYTES) {
      this.#flush();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#flush();
      });
    }
  }

  #flush(): void {
    if (this.#closed || this.#pending.length === 0) return;
    const chunk = new Uint8Array(this.#pendingBytes);
    let offset = 0;
    for (const part of this.#pending) {
      chunk.set(part, offset);
      offset += part.byteLength;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      this.#controller.enqueue(chunk);
    } catch {
      this.#shutdown("none");
    }
  }
}

/** Options of {@linkcode WatchHub}. */
export interface WatchHubOptions {
  /** Timers. */
  clock: Clock;
  /** Period of automatic bookmarks; 0 or Infinity disables them. */
  bookmarkIntervalMs: number;
  /** The current resourceVersion (bookmarks carry it). */
  currentRv: () => number;
}

/** All open watches of one server. */
export class WatchHub {
  readonly #byTable = new Map<ResourceTable, Set<Watcher>>();
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #currentRv: () => number;
  #bookmarkWatchers = 0;
  #cancelTick: (() => void) | undefined;
  #count = 0;

  constructor(options: WatchHubOptions) {
    this.#clock = options.clock;
    this.#intervalMs = options.bookmarkIntervalMs;
    this.#currentRv = options.currentRv;
  }

  /** Open watches. */
  get count(): number {
    return this.#count;
  }

  /** Creates a watcher; the caller sends initial events, then calls {@linkcode WatchHub.attach}. */
  open(options: OpenWatchOptions): Watcher {
    return new Watcher(this, options, this.#clock);
  }

  /** Starts delivering live changes to a watcher. */
  attach(watcher: Watcher): void {
    if (watcher.closed) return;
    let set = this.#byTable.get(watcher.table);
    if (set === undefined) {
      set = new Set();
      this.#byTable.set(watcher.table, set);
    }
    set.add(watcher);
    this.#count++;
    if (watcher.allowBookmarks) {
      this.#bookmarkWatchers++;
      this.#arm();
    }
  }

  /** Forgets a watcher (called when it ends). */
  remove(watcher: Watcher): void {
    const set = this.#byTable.get(watcher.table);
    if (set === undefined || !set.delete(watcher)) return;
    if (set.size === 0) this.#byTable.delete(watcher.table);
    this.#count--;
    if (watcher.allowBookmarks && --this.#bookmarkWatchers === 0) {
      this.#cancelTick?.();
      this.#cancelTick = undefined;
    }
  }

  /** Delivers a committed change to the watchers of its table. */
  dispatch(change: Change): void {
    const set = this.#byTable.get(change.table);
    if (set === undefined) return;
    const cache: LineCache = new Map();
    for (const watcher of set) watcher.offer(change, cache);
  }

  /** Replays history changes to one watcher. */
  replay(watcher: Watcher, changes: Iterable<Change>): void {
    for (const change of changes) {
      if (change.silent || change.table !== watcher.table) continue;
      watcher.offer(change, new Map());
    }
  }

  /** Sends a bookmark at the current resourceVersion to every watcher that asked for them. */
  bookmark(): void {
    const rv = this.#currentRv();
    for (const watcher of this.#all()) watcher.bookmark(rv);
  }

  /** Ends every open watch cleanly. */
  closeAll(): number {
    const all = this.#all();
    for (const watcher of all) watcher.close();
    return all.length;
  }

  /** Stalls every open watch. */
  stallAll(): number {
    const all = this.#all();
    for (const watcher of all) watcher.stall();
    return all.length;
  }

  /** Writes raw text to every open (not stalled) watch. */
  writeAll(text: string): number {
    const all = this.#all();
    for (const watcher of all) watcher.writeRaw(text);
    return all.length;
  }

  /** Ends every watch and stops the bookmark timer. */
  shutdown(): void {
    this.closeAll();
    this.#cancelTick?.();
    this.#cancelTick = undefined;
  }

  #all(): Watcher[] {
    const all: Watcher[] = [];
    for (const set of this.#byTable.values()) all.push(...set);
    return all;
  }

  #arm(): void {
    if (this.#cancelTick !== undefined) return;
    if (!(this.#intervalMs > 0 && Number.isFinite(this.#intervalMs))) return;
    this.#cancelTick = this.#clock.setTimer(() => {
      this.#cancelTick = undefined;
      this.bookmark();
      if (this.#bookmarkWatchers > 0) this.#arm();
    }, this.#intervalMs);
  }
}

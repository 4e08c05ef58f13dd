/**
 * Watch fan-out: open watch streams, selector transitions, batched writes,
 * bookmarks (periodic and on demand), timeouts and the stream faults.
 *
 * Every change is encoded at most once per representation and shared by all
 * watchers; each watcher coalesces what is pending into one chunk per flush
 * (on a microtask, or as soon as {@linkcode FLUSH_BYTES} are pending).
 *
 * A watch that starts from the current state (a streaming list, or a watch
 * from resourceVersion "" or "0") sends that state lazily: the response
 * stream pulls it in chunks of about {@linkcode FLUSH_BYTES} as the reader
 * consumes them, so the first bytes leave at once and a slow reader holds
 * back the server instead of making it buffer the whole state. Everything
 * else that happens to the watch meanwhile (changes, bookmarks, faults,
 * close) is kept in order and applied once the state and its
 * initial-events-end bookmark are out, so the stream is exactly the one the
 * server would have written had it encoded the whole state at once.
 *
 * @module
 */

import { selectableFields } from "../api/field_selector.ts";
import type { FieldMatcher } from "../api/field_selector.ts";
import type { LabelMatcher } from "../api/label_selector.ts";
import type { Status } from "../api/meta.ts";
import type { Clock } from "../_internal/clock.ts";
import type { Change, ResourceTable, StoredObject } from "./_object_store.ts";
import {
  type IncludeObject,
  metadataJson,
  tableColumnsJsonOf,
  tableJson,
  tableRowJson,
} from "./_views.ts";

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
    // A transient parse: only the few field values are kept, not the object.
    fields = selectableFields(table.descriptor.kind, JSON.parse(stored.json), {
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

/** Something that happened to a watch while its initial state was being sent. */
type Deferred = () => void;

/** The initial state still to send (see the module doc). */
interface InitialPhase {
  /** The key-sorted state (never mutated). */
  readonly items: readonly StoredObject[];
  /** Next index to send. */
  index: number;
  /** End of the range to send (exclusive). */
  readonly end: number;
  /** The state's resourceVersion, carried by the initial-events-end bookmark. */
  readonly rv: number;
  /** Whether the initial-events-end bookmark follows the state. */
  readonly endBookmark: boolean;
  /** What to apply once the state is out, in order. */
  readonly deferred: Deferred[];
}

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
  #initial: InitialPhase | undefined;
  #initialProgress = 0;
  #closing = false;

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
      pull: () => this.#pullInitial(),
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
    if (this.#initial !== undefined) return this.#defer(() => this.offer(change, new Map()));
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

  /**
   * Starts sending synthetic ADDED events for the matching objects of
   * `items[start..end)` (a key-sorted state at `rv`), then, with `endBookmark`,
   * the initial-events-end bookmark at `rv` (if bookmarks were requested).
   * The events are produced as the reader pulls them; whatever happens to
   * the watch meanwhile is applied after them, in order.
   */
  startInitial(
    items: readonly StoredObject[],
    start: number,
    end: number,
    rv: number,
    endBookmark: boolean,
  ): void {
    if (this.#closed || this.#initial !== undefined) return;
    this.#initial = { items, index: start, end, rv, endBookmark, deferred: [] };
  }

  /** Whether the initial state is still being sent. */
  get inInitialPhase(): boolean {
    return this.#initial !== undefined;
  }

  /** How many objects of the initial state were looked at so far (encoded when they matched). */
  get initialProgress(): number {
    return this.#initialProgress;
  }

  /** Sends a BOOKMARK at `rv` (ignored unless bookmarks were requested). */
  bookmark(rv: number, initialEventsEnd = false): void {
    if (this.#closed || this.#stalled || !this.allowBookmarks) return;
    if (this.#initial !== undefined) return this.#defer(() => this.bookmark(rv, initialEventsEnd));
    this.#enqueue(encoder.encode(this.#bookmarkLine(rv, initialEventsEnd)));
  }

  #bookmarkLine(rv: number, initialEventsEnd: boolean): string {
    const d = this.table.descriptor;
    const kind = this.#view === "metadata" ? "PartialObjectMetadata" : d.kind;
    const apiVersion = this.#view === "metadata" ? "meta.k8s.io/v1" : d.apiVersion;
    const annotations = initialEventsEnd
      ? ',"annotations":{"k8s.io/initial-events-end":"true"}'
      : "";
    return `{"type":"BOOKMARK","object":{"kind":${JSON.stringify(kind)},"apiVersion":${
      JSON.stringify(apiVersion)
    },"metadata":{"resourceVersion":"${rv}"${annotations}}}}\n`;
  }

  /** Sends an ERROR event and ends the stream. */
  error(status: Status): void {
    if (this.#closed) return;
    if (this.#initial !== undefined) return this.#defer(() => this.error(status));
    this.#enqueue(encoder.encode(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`));
    this.close();
  }

  /** Writes raw text (fault injection). */
  writeRaw(text: string): void {
    if (this.#closed || this.#stalled) return;
    if (this.#initial !== undefined) return this.#defer(() => this.writeRaw(text));
    this.#enqueue(encoder.encode(text));
  }

  /** Keeps the connection open but sends nothing more, timeout included. */
  stall(): void {
    if (this.#closed) return;
    if (this.#initial !== undefined) {
      // The timeout stops now; the rest takes effect after the state is out.
      this.#defer(() => this.stall());
      this.#cancelTimeout?.();
      this.#cancelTimeout = undefined;
      return;
    }
    this.#flush();
    this.#stalled = true;
    this.#cancelTimeout?.();
    this.#cancelTimeout = undefined;
  }

  /** Flushes what is pending and ends the stream cleanly. */
  close(): void {
    if (this.#closed) return;
    if (this.#initial !== undefined) {
      // The state (and what was deferred so far) is still sent, then the
      // stream ends; the watch takes nothing new and no longer counts as open.
      this.#defer(() => this.close());
      this.#closing = true;
      this.#cancelTimeout?.();
      this.#cancelTimeout = undefined;
      this.#hub.remove(this);
      return;
    }
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
    this.#initial = undefined;
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
          tableColumnsJsonOf(stored),
        );
        break;
      }
    }
    return `{"type":"${type}","object":${object}}\n`;
  }

  /** Keeps `action` to apply after the initial state (dropped once a close is pending). */
  #defer(action: Deferred): void {
    if (!this.#closing) this.#initial?.deferred.push(action);
  }

  /**
   * Produces the next chunk of the initial state (the stream calls this when
   * its queue is below its high-water mark). After the last object it adds
   * the initial-events-end bookmark, then applies what was deferred.
   */
  #pullInitial(): void {
    const initial = this.#initial;
    if (initial === undefined || this.#closed) return;
    const { items, end } = initial;
    let text = "";
    let i = initial.index;
    while (i < end && text.length < FLUSH_BYTES) {
      const stored = items[i++]!;
      if (this.#matches(stored)) text += this.#line("ADDED", stored, stored.json, false);
    }
    this.#initialProgress += i - initial.index;
    initial.index = i;
    const done = i >= end;
    if (done) {
      this.#initial = undefined;
      if (initial.endBookmark && this.allowBookmarks) {
        text += this.#bookmarkLine(initial.rv, true);
      }
    }
    if (text !== "") {
      try {
        this.#controller.enqueue(encoder.encode(text));
      } catch {
        this.#shutdown("none");
        return;
      }
    }
    if (done) {
      for (const action of initial.deferred) action();
    }
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

/**
 * {@linkcode Watcher}: one open watch stream of the fake apiserver, and the
 * state machine that decides what happens to everything offered to it.
 *
 * Every change is encoded at most once per representation and shared by all
 * watchers of one dispatch; each watcher coalesces what is pending into one
 * chunk per flush (on a microtask, or as soon as {@linkcode FLUSH_BYTES} are
 * pending) and hands the chunks to its response stream through an
 * {@linkcode AsyncQueue}.
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

import type { Status } from "../api/meta.ts";
import { AsyncQueue } from "../_internal/async_queue.ts";
import type { Clock } from "../_internal/clock.ts";
import type { Change, ResourceTable, StoredObject } from "./_object_store.ts";
import { compileFilter, type WatchFilter } from "./_watch_filter.ts";
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

/** Representation of watch event objects. */
export type WatchView = "object" | "metadata" | "table";

/** Options of a {@linkcode Watcher}. */
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

/** Per-change cache of encoded lines, shared by the watchers of one dispatch. */
export type LineCache = Map<string, Uint8Array>;

/** What the hub needs from a watcher's owner: to forget it once it takes nothing new. */
export interface WatcherHost {
  /** Forgets the watcher. */
  remove(watcher: Watcher): void;
}

/** The part of a key-sorted state still to send as synthetic ADDED events. */
export interface InitialCursor {
  /** The key-sorted state (never mutated). */
  readonly items: readonly StoredObject[];
  /** Next index to send (advanced as the reader pulls). */
  index: number;
  /** End of the range to send (exclusive). */
  readonly end: number;
  /** The state's resourceVersion, carried by the initial-events-end bookmark. */
  readonly rv: number;
  /** Whether the initial-events-end bookmark follows the state. */
  readonly endBookmark: boolean;
}

/** Something offered to a watcher. */
export type WatcherInput =
  | { readonly type: "start"; readonly cursor: InitialCursor }
  | { readonly type: "change"; readonly change: Change }
  | { readonly type: "bookmark"; readonly rv: number; readonly initialEventsEnd: boolean }
  | { readonly type: "raw"; readonly text: string }
  | { readonly type: "error"; readonly status: Status }
  | { readonly type: "stall" }
  | { readonly type: "close" }
  | { readonly type: "initialSent" }
  | { readonly type: "abort" }
  | { readonly type: "cancel" };

/**
 * The lifecycle of a watcher:
 * - `initial`: the initial state is being pulled; whatever else arrives is deferred;
 * - `draining`: the same after a close: the state and what was deferred are still sent,
 *   nothing new is taken, then the stream ends;
 * - `live`: changes, bookmarks and faults are sent as they come;
 * - `stalled`: open and silent (only an ERROR still goes out);
 * - `closed`: the stream has ended.
 *
 * `deferred` is owned by the phase and only ever appended to.
 */
export type WatcherState =
  | {
    readonly phase: "initial" | "draining";
    readonly cursor: InitialCursor;
    readonly deferred: WatcherInput[];
  }
  | { readonly phase: "live" }
  | { readonly phase: "stalled" }
  | { readonly phase: "closed" };

/** What the watcher does about an input, besides entering the next state. */
export type WatcherEffect =
  | "ignore"
  /** Write the input's line (an ERROR line also ends the stream). */
  | "send"
  /** Keep the input to apply once the initial state is out. */
  | "defer"
  /** Defer, and stop the timeout now (a stall during the initial state). */
  | "deferAndStopTimer"
  /** Defer the close, stop the timeout and leave the hub (it no longer counts as open). */
  | "deferAndDetach"
  /** Flush what is pending and stop the timeout. */
  | "flushAndStall"
  /** Flush what is pending and end the stream cleanly. */
  | "flushAndClose"
  /** Error the stream with the request signal's reason. */
  | "fail"
  /** End quietly: the reader cancelled the stream. */
  | "release"
  /** Apply what was deferred, in order. */
  | "replayDeferred";

/** A transition: the next state and what to do. */
export interface WatcherTransition {
  /** The next state. */
  readonly state: WatcherState;
  /** What to do. */
  readonly effect: WatcherEffect;
}

/** Pushed to the live chunks to make a waiting read look again (never sent). */
const WAKE_UP = new Uint8Array(0);

const LIVE: WatcherState = Object.freeze({ phase: "live" });
const STALLED: WatcherState = Object.freeze({ phase: "stalled" });
const CLOSED: WatcherState = Object.freeze({ phase: "closed" });

/**
 * The watcher's transition function.
 *
 * | input \ phase          | initial           | draining | live          | stalled       |
 * | ---------------------- | ----------------- | -------- | ------------- | ------------- |
 * | start                  | ignore            | ignore   | → initial     | ignore        |
 * | change, bookmark, raw  | defer             | ignore   | send          | ignore        |
 * | error                  | defer             | ignore   | send → closed | send → closed |
 * | stall                  | defer, stop timer | ignore   | → stalled     | → stalled     |
 * | close                  | → draining        | ignore   | → closed      | → closed      |
 * | initialSent            | → live, replay    | → live, replay (ends with the close) | ignore | ignore |
 * | abort (request gone)   | → closed, fail    | same     | same          | same          |
 * | cancel (reader gone)   | → closed, release | same     | same          | same          |
 *
 * A closed watcher ignores everything.
 */
export function step(state: WatcherState, input: WatcherInput): WatcherTransition {
  if (input.type === "abort") {
    return state.phase === "closed"
      ? { state, effect: "ignore" }
      : { state: CLOSED, effect: "fail" };
  }
  if (input.type === "cancel") {
    return state.phase === "closed"
      ? { state, effect: "ignore" }
      : { state: CLOSED, effect: "release" };
  }
  switch (state.phase) {
    case "closed":
      return { state, effect: "ignore" };
    case "initial":
    case "draining":
      if (input.type === "initialSent") return { state: LIVE, effect: "replayDeferred" };
      if (state.phase === "draining" || input.type === "start") return { state, effect: "ignore" };
      if (input.type === "stall") return { state, effect: "deferAndStopTimer" };
      if (input.type === "close") {
        return { state: { ...state, phase: "draining" }, effect: "deferAndDetach" };
      }
      return { state, effect: "defer" };
    case "live":
    case "stalled":
      return stepOpen(state, input);
    default:
      return assertNever(state);
  }
}

/** {@linkcode step} of a live or stalled watcher, for the inputs other than abort and cancel. */
function stepOpen(
  state: Extract<WatcherState, { phase: "live" | "stalled" }>,
  input: Exclude<WatcherInput, { type: "abort" | "cancel" }>,
): WatcherTransition {
  switch (input.type) {
    case "start":
      return state.phase === "live"
        ? { state: { phase: "initial", cursor: input.cursor, deferred: [] }, effect: "ignore" }
        : { state, effect: "ignore" };
    case "initialSent":
      return { state, effect: "ignore" };
    case "change":
    case "bookmark":
    case "raw":
      return { state, effect: state.phase === "live" ? "send" : "ignore" };
    case "error":
      return { state: CLOSED, effect: "send" };
    case "stall":
      return { state: STALLED, effect: "flushAndStall" };
    case "close":
      return { state: CLOSED, effect: "flushAndClose" };
    default:
      return assertNever(input);
  }
}

function assertNever(value: never): never {
  throw new TypeError(`unexpected watcher state or input: ${JSON.stringify(value)}`);
}

function restamp(stored: StoredObject, rv: number): string {
  const copy = JSON.parse(stored.json);
  copy.metadata = { ...copy.metadata, resourceVersion: String(rv) };
  return JSON.stringify(copy);
}

/** One open watch stream. */
export class Watcher {
  /** The watched resource. */
  readonly table: ResourceTable;
  /** Whether BOOKMARK events were requested. */
  readonly allowBookmarks: boolean;
  /** The response body. */
  readonly body: ReadableStream<Uint8Array>;
  readonly #host: WatcherHost;
  readonly #matches: (stored: StoredObject) => boolean;
  readonly #view: WatchView;
  readonly #include: IncludeObject;
  readonly #signal: AbortSignal;
  readonly #onAbort = () => this.#handle({ type: "abort" });
  readonly #chunks = new AsyncQueue<Uint8Array>();
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #state: WatcherState = LIVE;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  #tableHeadersSent = false;
  #stopTimeout: (() => void) | undefined;
  #initialProgress = 0;

  /** Skips changes at or before this resourceVersion (a watch from a future RV waits for it). */
  after = 0;

  constructor(host: WatcherHost, options: OpenWatchOptions, clock: Clock) {
    this.#host = host;
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
      pull: () => this.#pull(),
      cancel: () => this.#handle({ type: "cancel" }),
    });
    this.#signal.addEventListener("abort", this.#onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      this.#stopTimeout = clock.setTimer(() => this.close(), options.timeoutMs);
    }
  }

  /** Whether the stream has ended. */
  get closed(): boolean {
    return this.#state.phase === "closed";
  }

  /** Whether the stream is stalled (open, silent). */
  get stalled(): boolean {
    return this.#state.phase === "stalled";
  }

  /** Whether the initial state is still being sent. */
  get inInitialPhase(): boolean {
    return this.#state.phase === "initial" || this.#state.phase === "draining";
  }

  /** How many objects of the initial state were looked at so far (encoded when they matched). */
  get initialProgress(): number {
    return this.#initialProgress;
  }

  /** Whether an object passes this watch's filters. */
  matches(stored: StoredObject): boolean {
    return this.#matches(stored);
  }

  /** Offers a change; sends ADDED/MODIFIED/DELETED according to the selector transition. */
  offer(change: Change, cache: LineCache): void {
    if (change.rv <= this.after) return;
    this.#handle({ type: "change", change }, cache);
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
    this.#handle({ type: "start", cursor: { items, index: start, end, rv, endBookmark } });
    // A read may already wait for a live chunk (the stream pulls as soon as it exists): wake it,
    // so that it looks again and finds the initial state.
    if (this.inInitialPhase) this.#chunks.push(WAKE_UP);
  }

  /** Sends a BOOKMARK at `rv` (ignored unless bookmarks were requested). */
  bookmark(rv: number, initialEventsEnd = false): void {
    if (this.allowBookmarks) this.#handle({ type: "bookmark", rv, initialEventsEnd });
  }

  /** Sends an ERROR event and ends the stream. */
  error(status: Status): void {
    this.#handle({ type: "error", status });
  }

  /** Writes raw text (fault injection). */
  writeRaw(text: string): void {
    this.#handle({ type: "raw", text });
  }

  /** Keeps the connection open but sends nothing more, timeout included. */
  stall(): void {
    this.#handle({ type: "stall" });
  }

  /** Flushes what is pending and ends the stream cleanly. */
  close(): void {
    this.#handle({ type: "close" });
  }

  #handle(input: WatcherInput, cache: LineCache = new Map()): void {
    const before = this.#state;
    const { state, effect } = step(before, input);
    this.#state = state;
    switch (effect) {
      case "ignore":
        return;
      case "send":
        return this.#send(input, cache);
      case "defer":
        return this.#defer(before, input);
      case "deferAndStopTimer":
        this.#defer(before, input);
        return this.#stopTimer();
      case "deferAndDetach":
        this.#defer(before, input);
        this.#stopTimer();
        return this.#host.remove(this);
      case "flushAndStall":
        this.#flush();
        return this.#stopTimer();
      case "flushAndClose":
        this.#flush();
        this.#chunks.close();
        return this.#end();
      case "fail":
        this.#chunks.abort(this.#signal.reason);
        this.#guard(() => this.#controller.error(this.#signal.reason));
        return this.#end();
      case "release":
        this.#chunks.abort(this.#signal.reason);
        return this.#end();
      case "replayDeferred":
        if (before.phase === "initial" || before.phase === "draining") {
          for (const deferred of before.deferred) this.#handle(deferred);
        }
        return;
      default:
        return assertNever(effect);
    }
  }

  #defer(state: WatcherState, input: WatcherInput): void {
    if (state.phase === "initial") state.deferred.push(input);
  }

  #send(input: WatcherInput, cache: LineCache): void {
    switch (input.type) {
      case "change":
        return this.#sendChange(input.change, cache);
      case "bookmark":
        return this.#enqueue(encoder.encode(this.#bookmarkLine(input.rv, input.initialEventsEnd)));
      case "raw":
        return this.#enqueue(encoder.encode(input.text));
      case "error":
        this.#enqueue(
          encoder.encode(`{"type":"ERROR","object":${JSON.stringify(input.status)}}\n`),
        );
        this.#flush();
        this.#chunks.close();
        return this.#end();
      default:
        throw new TypeError(`a watcher cannot send ${input.type}`);
    }
  }

  /** Releases what a live stream holds: the timer, the abort listener, the hub's entry. */
  #end(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#stopTimer();
    this.#signal.removeEventListener("abort", this.#onAbort);
    this.#host.remove(this);
  }

  #stopTimer(): void {
    this.#stopTimeout?.();
    this.#stopTimeout = undefined;
  }

  #guard(action: () => void): void {
    try {
      action();
    } catch {
      // Already closed or cancelled by the reader.
    }
  }

  #sendChange(change: Change, cache: LineCache): void {
    switch (change.type) {
      case "ADDED":
      case "DELETED":
        if (this.matches(change.object)) this.#sendLine(change.type, change, false, cache);
        return;
      case "MODIFIED": {
        const now = this.matches(change.object);
        const before = change.previous !== undefined && this.matches(change.previous);
        if (now && before) this.#sendLine("MODIFIED", change, false, cache);
        else if (now) this.#sendLine("ADDED", change, false, cache);
        else if (before) this.#sendLine("DELETED", change, true, cache);
        return;
      }
    }
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

  /** Sends one event; `left` is an object leaving the selection (sent as it was before). */
  #sendLine(type: string, change: Change, left: boolean, cache: LineCache): void {
    if (this.#view === "table" && !this.#tableHeadersSent) {
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
        const headers = firstTable || !this.#tableHeadersSent;
        this.#tableHeadersSent = true;
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

  /**
   * The stream wants a chunk: the next part of the initial state while there is one (after
   * its last object, the initial-events-end bookmark, then what was deferred), else the next
   * chunk the watch queued.
   */
  #pull(): Promise<void> | void {
    const state = this.#state;
    if (state.phase === "initial" || state.phase === "draining") {
      if (this.#pullInitial(state)) return;
      // The initial state ended without a byte to send (empty, or nothing matched): a pull that
      // enqueues nothing is not called again while a read waits, so go on with the live chunks.
      return this.#pull();
    }
    return this.#chunks.next().then(
      (result): Promise<void> | void => {
        if (!result.done && result.value === WAKE_UP) return this.#pull();
        this.#guard(() => {
          if (result.done) this.#controller.close();
          else this.#controller.enqueue(result.value);
        });
      },
      () => {
        // Aborted: the stream was errored or cancelled with it.
      },
    );
  }

  /** Enqueues the next part of the initial state; false when there was nothing to enqueue. */
  #pullInitial(state: Extract<WatcherState, { phase: "initial" | "draining" }>): boolean {
    const cursor = state.cursor;
    const { items, end } = cursor;
    let text = "";
    let i = cursor.index;
    while (i < end && text.length < FLUSH_BYTES) {
      const stored = items[i++]!;
      if (this.#matches(stored)) text += this.#line("ADDED", stored, stored.json, false);
    }
    this.#initialProgress += i - cursor.index;
    cursor.index = i;
    const done = i >= end;
    if (done && cursor.endBookmark && this.allowBookmarks) {
      text += this.#bookmarkLine(cursor.rv, true);
    }
    if (text !== "") {
      try {
        this.#controller.enqueue(encoder.encode(text));
      } catch {
        this.#handle({ type: "cancel" });
        return true;
      }
    }
    if (done) this.#handle({ type: "initialSent" });
    return text !== "" || this.#state.phase === "closed";
  }

  #enqueue(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
    if (this.#pendingBytes >= FLUSH_BYTES) {
      this.#flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => {
        this.#flushScheduled = false;
        this.#flush();
      });
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const chunk = new Uint8Array(this.#pendingBytes);
    let offset = 0;
    for (const part of this.#pending) {
      chunk.set(part, offset);
      offset += part.byteLength;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#chunks.push(chunk);
  }
}

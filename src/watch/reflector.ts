/**
 * The reflector: lists, then watches, and recovers from every failure the
 * way client-go's reflector does. It is a state machine written as data: a
 * union of phases and one {@linkcode Reflector.step} function that performs
 * the I/O of the current phase and returns the next phase and the events it
 * produced; what follows a failure is decided by `recover` in `recovery.ts`.
 * {@linkcode Reflector.run} drives it until aborted.
 *
 * @module
 */

import {
  ApiError,
  IncompleteStreamingListError,
  isExpired,
  isTooLargeResourceVersion,
  KubeError,
  TransportError,
  UnexpectedKindError,
  UserCodeError,
  VeryShortWatchError,
  WatchIdleError,
  WatchWithoutProgressError,
} from "../api/errors.ts";
import type { KubeList, KubeObject } from "../api/meta.ts";
import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent } from "../api/watch_event.ts";
import { type Clock, realClock } from "../_internal/clock.ts";
import type {
  FieldSelectorInput,
  LabelSelectorInput,
  ListOptions,
  WatchOptions,
} from "../client/request_options.ts";
import { Backoff } from "./backoff.ts";
import {
  type Failure,
  failure,
  type FailureKind,
  type Lesson,
  type NextRequest,
  recover,
  type ReflectorRecovery,
} from "./recovery.ts";
import { Watchdog } from "./watchdog.ts";

/**
 * What a reflector needs from the server: one page of a list, and a watch.
 * {@linkcode ResourceClient} satisfies it; tests can pass fakes.
 */
export interface ListerWatcher<T> {
  /** Lists one page. */
  list(options: ListOptions): Promise<KubeList<T>>;
  /**
   * Lists all pages from `options` on, calling `preparePage` on each page's
   * options before its request (optional: a reflector falls back to
   * {@linkcode ListerWatcher.list} page by page). {@linkcode ResourceClient}
   * overlaps fetching the next page with decoding the current one.
   */
  listPages?(
    options: ListOptions,
    preparePage?: (options: ListOptions) => void,
  ): AsyncIterable<KubeList<T>>;
  /** Opens a watch; the request is sent when iteration starts. */
  watch(options: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/**
 * A change the reflector hands to the store above it. A relist is bracketed:
 * `init`, then its objects (`initApply`, and `DELETED` for one that went away
 * during a streaming list), then `initDone`; a store builds the new state
 * aside and swaps it in at `initDone` (a relist cut short ends with another
 * `init`). Between relists come the watch's changes and bookmarks. Objects
 * arrive as the server sent them: transforming and freezing them is the
 * store's business.
 */
export type ReflectorEvent<T> =
  | ReflectorInitEvent
  | ReflectorInitApplyEvent<T>
  | ReflectorInitDoneEvent
  | ReflectorObjectEvent<T>
  | ReflectorBookmarkEvent
  | ReflectorErrorEvent;

/** A relist begins: what follows until `initDone` is the complete new state. */
export interface ReflectorInitEvent {
  /** Always `init`. */
  type: "init";
}

/** One object of a relist. */
export interface ReflectorInitApplyEvent<T> {
  /** Always `initApply`. */
  type: "initApply";
  /** The object. */
  object: T;
}

/** The relist is complete: the store becomes exactly what it carried. */
export interface ReflectorInitDoneEvent {
  /** Always `initDone`. */
  type: "initDone";
  /** The resourceVersion of that state. */
  resourceVersion: string;
  /** True when the state came from a streaming list rather than LIST pages. */
  streamed: boolean;
}

/** One change from the watch. */
export interface ReflectorObjectEvent<T> {
  /** What happened. */
  type: "ADDED" | "MODIFIED" | "DELETED";
  /** The object (its last state for DELETED). */
  object: T;
}

/** Progress without a change. */
export interface ReflectorBookmarkEvent {
  /** Always `bookmark`. */
  type: "bookmark";
  /** Everything up to this resourceVersion has been seen. */
  resourceVersion: string;
}

/** Something failed; the reflector keeps going. */
export interface ReflectorErrorEvent {
  /** Always `error`. */
  type: "error";
  /** What failed (an {@linkcode ApiError}, {@linkcode TransportError}, {@linkcode WatchDecodeError}, ...). */
  error: unknown;
  /** What the reflector does next. */
  recovery: ReflectorRecovery;
  /** Milliseconds it waits before doing it (0 for at once). */
  delayMs: number;
  /**
   * With `skip`: the key of an object whose transform failed. The store drops
   * it (an earlier version must not stay as if it were current).
   */
  key?: string | undefined;
}

/** Options of {@linkcode Reflector}. */
export interface ReflectorOptions<T> {
  /** Page size of LIST requests. @default {500} */
  pageSize?: number | undefined;
  /**
   * Try a streaming list (`sendInitialEvents`) first, falling back to LIST when unsupported.
   * Off by default: a real kube-apiserver 1.37 delivers 10,000 pods as a streaming list in about
   * twice the time it takes to serve them as LIST pages (see BENCHMARKS.md).
   * @default {false}
   */
  streamingList?: boolean | undefined;
  /** Watches ask the server to end after a random time in [min, 2 min) seconds. @default {300} */
  minWatchTimeoutSeconds?: number | undefined;
  /** Reconnect a watch that delivered nothing, not even a bookmark, for this long (real servers send a bookmark about every minute to watches that ask for them). @default {90000} */
  idleTimeoutMs?: number | undefined;
  /** Give up on a streaming list whose end marker has not come after this much silence. @default {10000} */
  streamingIdleTimeoutMs?: number | undefined;
  /** Label selector of every list and watch. */
  labelSelector?: LabelSelectorInput | undefined;
  /** Field selector of every list and watch. */
  fieldSelector?: FieldSelectorInput | undefined;
  /** Changes the selectors of every list and watch request; called once per request. */
  tweakListOptions?: ((options: ListOptions | WatchOptions) => void) | undefined;
  /**
   * The kind watched: objects of another kind on a watch are skipped and reported
   * ({@linkcode UnexpectedKindError}). `PartialObjectMetadata` is always accepted.
   */
  kind?: string | undefined;
  /** Time source. @default {realClock} */
  clock?: Clock | undefined;
  /** Randomness for watch timeouts and backoff jitter. @default {Math.random} */
  random?: (() => number) | undefined;
  /** The backoff shared by every retry. @default {a Backoff of 0.8 s doubling to 30 s, reset after 2 min} */
  backoff?: Backoff | undefined;
}

/** What the reflector knows across phases. */
export interface SyncState {
  /** resourceVersion of the last list, event or bookmark; undefined before the first list. */
  readonly lastSyncResourceVersion: string | undefined;
  /** The last resourceVersion turned out expired or too large: list with "" next. */
  readonly resourceVersionUnavailable: boolean;
  /** Whether streaming lists work on this server. */
  readonly streaming: "untried" | "supported" | "unsupported";
  /** Streaming lists in a row that ended before their end bookmark. */
  readonly streamingFailures: number;
  /** Clock time before which relists use LIST pages, after repeated streaming-list failures (0: not paused). */
  readonly streamingPausedUntil: number;
}

/** An open watch connection and what the reflector tracks about it. */
export interface WatchSession<T> {
  /** The event iterator. */
  readonly iterator: AsyncIterator<WatchEvent<T>>;
  /** Aborting it closes the connection. */
  readonly controller: AbortController;
  /** When it was opened (clock time). */
  readonly openedAt: number;
  /** Closes the watch when it goes silent for too long. */
  readonly watchdog: Watchdog;
  /** The first result, read while opening. */
  readonly pending: IteratorResult<WatchEvent<T>> | undefined;
}

/** The reflector's phases. */
export type ReflectorState<T> =
  | { readonly phase: "start"; readonly sync: SyncState }
  | {
    readonly phase: "list";
    readonly sync: SyncState;
    readonly resourceVersion: string;
    readonly restartedAfterExpiredContinue: boolean;
  }
  | {
    readonly phase: "listing";
    readonly sync: SyncState;
    /** The resourceVersion the LIST asked for. */
    readonly resourceVersion: string;
    readonly restartedAfterExpiredContinue: boolean;
    /** The pages, read one per step. */
    readonly pages: AsyncIterator<KubeList<T>>;
    /** Pages read so far. */
    readonly page: number;
    /** The first page's resourceVersion. */
    readonly listResourceVersion: string | undefined;
  }
  | { readonly phase: "watch"; readonly sync: SyncState }
  | {
    readonly phase: "watching";
    readonly sync: SyncState;
    readonly session: WatchSession<T>;
    readonly events: number;
    readonly trackAddedVersions: boolean;
    /** Whether this watch has moved the resourceVersion on (or completed a streaming list). */
    readonly progressed: boolean;
  }
  | { readonly phase: "stream"; readonly sync: SyncState; readonly resourceVersion: string }
  | {
    readonly phase: "streaming";
    readonly sync: SyncState;
    readonly session: WatchSession<T>;
    readonly events: number;
    readonly resourceVersion: string;
  }
  | {
    readonly phase: "backoff";
    readonly sync: SyncState;
    readonly delayMs: number;
    readonly then: ReflectorState<T>;
  };

/** The result of one {@linkcode Reflector.step}. */
export interface ReflectorStep<T> {
  /** The next phase. */
  state: ReflectorState<T>;
  /** Events for the store, in order. */
  events?: readonly ReflectorEvent<T>[];
}

/** How long relists use LIST pages after repeated streaming-list failures. */
const STREAMING_PAUSE_MS = 10 * 60_000;
/** A watch that lasted this long is healthy even if nothing changed while it ran. */
const HEALTHY_WATCH_MS = 30_000;

const INITIAL_SYNC: SyncState = Object.freeze({
  lastSyncResourceVersion: undefined,
  resourceVersionUnavailable: false,
  streaming: "untried",
  streamingFailures: 0,
  streamingPausedUntil: 0,
});

/**
 * Lists and watches one resource and turns the result into store events,
 * recovering from every failure. Errors are events, not the end: only
 * aborting the signal ends {@linkcode Reflector.run}.
 *
 * What happens, when nothing fails:
 *
 * | Situation | Next |
 * | --- | --- |
 * | start, streaming lists enabled, not known unsupported, not paused | streaming list |
 * | start otherwise | LIST: RV "" (a consistent read, in pages) first time, last RV later, "" after an expired RV |
 * | LIST ok | replace the store, watch from the list RV |
 * | event ADDED/MODIFIED/DELETED/BOOKMARK | pass on, remember its RV |
 * | streaming list end bookmark | replace the store, keep watching on the same stream |
 * | transform fails on an object, or an object of another kind | report it (`skip`), leave the object out |
 *
 * Recovery table: every failure, as `RECOVERY_TABLE` in `recovery.ts` decides it
 * (first matching row; a relist is a streaming list when enabled, not known
 * unsupported and not paused, else LIST):
 *
 * | Situation | Next |
 * | --- | --- |
 * | LIST continue token expired mid-list (first time) | LIST again at once from page one |
 * | LIST 410 / too-large RV, RV was not "" | LIST again at once with RV "" |
 * | LIST 410 / too-large RV from RV "" | backoff, relist |
 * | LIST other error | backoff, relist |
 * | watch 429 (request or ERROR event) or no connection | backoff, watch again from the same RV |
 * | new watch silent for `idleTimeoutMs` (30 s or more) | watch again at once |
 * | new watch silent for a shorter `idleTimeoutMs` | backoff, watch again |
 * | watch ended within 1 s without events | backoff, relist |
 * | watch ended after progress or 30 s | watch again at once (nothing reported) |
 * | watch broke or went silent after progress or 30 s | watch again at once |
 * | watch ended, broke or went silent without progress, sooner than 30 s | backoff, watch again |
 * | watch 410 (request or ERROR event) | backoff, relist at the last RV (RV "" only if that LIST is 410 too) |
 * | watch other error, ERROR event, undecodable stream, object without a name | backoff, relist |
 * | streaming list 410 / too-large RV, RV was not "" | streaming list again at once with RV "" |
 * | streaming list 429 or no connection | backoff, streaming list again |
 * | streaming list refused with 400, 405, 406 or 422 | LIST at once; streaming marked unsupported |
 * | streaming list silent for `streamingIdleTimeoutMs` after an event | LIST at once; streaming marked unsupported |
 * | streaming list ended or broke before its end bookmark, twice in a row | backoff, LIST; relists use LIST for 10 minutes |
 * | streaming list ended or broke before its end bookmark | backoff, streaming list again |
 * | streaming list other error, undecodable stream, silent from the start | backoff, LIST for this cycle; later relists try streaming again |
 *
 * "Progress" is a new resourceVersion or a completed streaming list: no
 * request that made none is followed by another without a delay.
 *
 * Every backoff draws from one {@linkcode Backoff}, which starts over after
 * two minutes without failures; a `Retry-After` (or `retryAfterSeconds` in an
 * ERROR event's Status) lengthens the wait to at least that long.
 *
 * Deliberate differences from client-go, all to keep a huge list from
 * becoming one response larger than a JavaScript string can hold: the first
 * LIST is a consistent read (RV "", which a real server pages) where client-go
 * asks for RV "0" (which a real server answers whole, ignoring `limit`); a
 * relist at a known resourceVersion asks for `resourceVersionMatch=NotOlderThan`
 * with `limit=500` (client-go sends no limit); and an expired continue token
 * restarts the paginated list once instead of falling back to one unpaginated
 * list. Streaming lists are off by default: a real kube-apiserver 1.37 serves
 * them at about half the speed of LIST pages.
 *
 * @example Running a reflector against a fake apiserver
 * ```ts
 * import { Reflector } from "./reflector.ts";
 * import { KubeClient } from "../client/kube_client.ts";
 * import { pods } from "../api/resources.ts";
 * import { FakeApiServer } from "../testing/fake_api_server.ts";
 *
 * const server = new FakeApiServer();
 * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
 * const reflector = new Reflector(client.resource(pods));
 * const ac = new AbortController();
 * let objects = 0;
 * for await (const event of reflector.run(ac.signal)) {
 *   if (event.type === "initApply") objects++;
 *   if (event.type === "initDone") {
 *     console.log(`synced ${objects} pods at ${event.resourceVersion}`);
 *     ac.abort();
 *   }
 * }
 * await server.close();
 * ```
 */
export class Reflector<T extends KubeObject> {
  #lw: ListerWatcher<T>;
  #pageSize: number;
  #streamingList: boolean;
  #minWatchTimeoutSeconds: number;
  #idleTimeoutMs: number;
  #streamingIdleTimeoutMs: number;
  #labelSelector: LabelSelectorInput | undefined;
  #fieldSelector: FieldSelectorInput | undefined;
  #tweak: ((options: ListOptions | WatchOptions) => void) | undefined;
  #kind: string | undefined;
  #clock: Clock;
  #random: () => number;
  #backoff: Backoff;
  #lastSyncResourceVersion: string | undefined;

  /**
   * Creates a reflector.
   *
   * @param listerWatcher Where to list and watch, such as `client.resource(pods)`.
   * @param options Paging, streaming, timeouts, selectors, kind, clock.
   */
  constructor(listerWatcher: ListerWatcher<T>, options: ReflectorOptions<T> = {}) {
    this.#lw = listerWatcher;
    this.#pageSize = options.pageSize ?? 500;
    this.#streamingList = options.streamingList ?? false;
    this.#minWatchTimeoutSeconds = Math.max(1, options.minWatchTimeoutSeconds ?? 300);
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 90_000;
    this.#streamingIdleTimeoutMs = options.streamingIdleTimeoutMs ?? 10_000;
    this.#labelSelector = options.labelSelector;
    this.#fieldSelector = options.fieldSelector;
    this.#tweak = options.tweakListOptions;
    this.#kind = options.kind;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ??
      new Backoff({ now: () => this.#clock.now(), random: this.#random });
  }

  /** The resourceVersion of the last list, event or bookmark seen. */
  get lastSyncResourceVersion(): string | undefined {
    return this.#lastSyncResourceVersion;
  }

  /** The phase a reflector starts in. */
  static initialState<T>(): ReflectorState<T> {
    return { phase: "start", sync: INITIAL_SYNC };
  }

  /**
   * Runs the reflector until `signal` aborts, yielding store events and
   * errors. Returns (without throwing) once aborted, after closing any open
   * watch.
   *
   * @param signal Ends the run.
   * @returns An async iterable of events.
   */
  async *run(signal: AbortSignal): AsyncGenerator<ReflectorEvent<T>, void, undefined> {
    let state: ReflectorState<T> = Reflector.initialState<T>();
    try {
      while (!signal.aborted) {
        let result: ReflectorStep<T>;
        try {
          result = await this.step(state, signal);
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
        state = result.state;
        this.#lastSyncResourceVersion = state.sync.lastSyncResourceVersion;
        if (result.events === undefined) continue;
        for (const event of result.events) {
          if (signal.aborted) return;
          yield event;
        }
      }
    } finally {
      closeSession(state);
    }
  }

  /**
   * Performs the I/O of one phase and decides the next one. See the
   * recovery table on {@linkcode Reflector}.
   *
   * @param state The current phase.
   * @param signal Aborts whatever I/O is in progress.
   * @returns The next phase and at most one event.
   */
  async step(state: ReflectorState<T>, signal: AbortSignal): Promise<ReflectorStep<T>> {
    switch (state.phase) {
      case "start":
        return { state: this.#relistState(state.sync) };
      case "list":
        return this.#list(state, signal);
      case "watch":
        return await this.#openWatch(state.sync, signal);
      case "watching":
        return await this.#readWatch(state, signal);
      case "stream":
        return await this.#openStream(state, signal);
      case "streaming":
        return await this.#readStream(state, signal);
      case "backoff":
        await this.#clock.sleep(state.delayMs, signal);
        return { state: state.then };
      case "listing":
        return await this.#readPage(state, signal);
      default: {
        const unreachable: never = state;
        throw new TypeError(`unknown reflector phase ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Where a (re)list starts: a streaming list when enabled and not known unsupported, else LIST. */
  #relistState(sync: SyncState): ReflectorState<T> {
    if (
      this.#streamingList && sync.streaming !== "unsupported" &&
      sync.streamingPausedUntil <= this.#clock.now()
    ) {
      return {
        phase: "stream",
        sync,
        resourceVersion: sync.resourceVersionUnavailable ? "" : sync.lastSyncResourceVersion ?? "",
      };
    }
    return this.#listState(sync);
  }

  /**
   * A LIST: the first one is a consistent read (RV ""), which a real server pages; RV "0" would be
   * served whole from its watch cache whatever the limit, one response that for a large cluster
   * outgrows the longest string a JavaScript engine can parse.
   */
  #listState(sync: SyncState): ReflectorState<T> {
    const resourceVersion = sync.resourceVersionUnavailable
      ? ""
      : sync.lastSyncResourceVersion ?? "";
    return { phase: "list", sync, resourceVersion, restartedAfterExpiredContinue: false };
  }

  #backoffTo(
    sync: SyncState,
    then: ReflectorState<T>,
    error: unknown,
    recovery: ReflectorRecovery,
  ): ReflectorStep<T> {
    const retryAfterMs = error instanceof ApiError && error.retryAfterSeconds !== undefined
      ? error.retryAfterSeconds * 1000
      : 0;
    const delayMs = Math.max(this.#backoff.next(), retryAfterMs);
    return {
      state: { phase: "backoff", sync, delayMs, then },
      events: [{ type: "error", error, recovery, delayMs }],
    };
  }

  #list(
    state: Extract<ReflectorState<T>, { phase: "list" }>,
    signal: AbortSignal,
  ): ReflectorStep<T> {
    const { sync, resourceVersion } = state;
    const first: ListOptions = {
      limit: this.#pageSize,
      labelSelector: this.#labelSelector,
      fieldSelector: this.#fieldSelector,
      signal,
    };
    if (resourceVersion !== "") {
      first.resourceVersion = resourceVersion;
      // A specific RV with a limit would mean "exact" to a real server; ask for
      // not-older-than explicitly so that pages stay allowed and cheap.
      if (resourceVersion !== "0") first.resourceVersionMatch = "NotOlderThan";
    }
    const prepare = (options: ListOptions) => this.#tweakSafely(options);
    const pages = this.#lw.listPages?.(first, prepare) ?? this.#pageByPage(first, prepare);
    return {
      state: {
        phase: "listing",
        sync,
        resourceVersion,
        restartedAfterExpiredContinue: state.restartedAfterExpiredContinue,
        pages: pages[Symbol.asyncIterator](),
        page: 0,
        listResourceVersion: undefined,
      },
      events: [{ type: "init" }],
    };
  }

  /** Reads one page of a LIST: its objects, or the end of the list. */
  async #readPage(
    state: Extract<ReflectorState<T>, { phase: "listing" }>,
    signal: AbortSignal,
  ): Promise<ReflectorStep<T>> {
    const { sync, resourceVersion, page } = state;
    let result: IteratorResult<KubeList<T>>;
    try {
      result = await state.pages.next();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const kind = page > 0 && isExpired(err) ? "expired-continue" : classify(err);
      return this.#recoverFrom(
        failure("list", kind, {
          atResourceVersion: resourceVersion !== "",
          restartedAfterExpiredContinue: state.restartedAfterExpiredContinue,
        }),
        err,
        sync,
        resourceVersion,
      );
    }
    if (result.done) {
      const rv = state.listResourceVersion ?? "";
      const next: SyncState = {
        ...sync,
        lastSyncResourceVersion: rv,
        resourceVersionUnavailable: false,
      };
      return {
        state: { phase: "watch", sync: next },
        events: [{ type: "initDone", resourceVersion: rv, streamed: false }],
      };
    }
    const list = result.value;
    const events: ReflectorEvent<T>[] = [];
    for (const item of list.items ?? []) {
      if (hasName(item)) events.push({ type: "initApply", object: item });
    }
    return {
      state: {
        ...state,
        page: page + 1,
        listResourceVersion: page === 0
          ? list.metadata?.resourceVersion
          : state.listResourceVersion,
      },
      events,
    };
  }

  /** Runs `tweakListOptions`; a throw fails the request like any other failure. */
  #tweakSafely(options: ListOptions | WatchOptions): void {
    try {
      this.#tweak?.(options);
    } catch (err) {
      throw new UserCodeError("tweakListOptions", undefined, { cause: err });
    }
  }

  /** An object of another kind than the one watched (PartialObjectMetadata is always fine). */
  #unexpectedKind(object: KubeObject): UnexpectedKindError | undefined {
    const kind = object.kind;
    if (this.#kind === undefined || typeof kind !== "string" || kind === "") return undefined;
    if (kind === this.#kind || kind === "PartialObjectMetadata") return undefined;
    const namespace = object.metadata?.namespace;
    const name = object.metadata?.name ?? "";
    return new UnexpectedKindError(this.#kind, kind, namespace ? `${namespace}/${name}` : name);
  }

  /** The pages of a list through {@linkcode ListerWatcher.list}, one request at a time. */
  async *#pageByPage(
    first: ListOptions,
    prepare: (options: ListOptions) => void,
  ): AsyncGenerator<KubeList<T>, void, undefined> {
    let options: ListOptions | undefined = { ...first };
    while (options !== undefined) {
      prepare(options);
      const list: KubeList<T> = await this.#lw.list(options);
      yield list;
      const token = list.metadata?.continue || undefined;
      options = token === undefined ? undefined : {
        limit: first.limit,
        continue: token,
        labelSelector: first.labelSelector,
        fieldSelector: first.fieldSelector,
        signal: first.signal,
      };
    }
  }

  #watchTimeoutSeconds(): number {
    const min = this.#minWatchTimeoutSeconds;
    return Math.floor(min + this.#random() * min);
  }

  async #open(options: WatchOptions, signal: AbortSignal): Promise<WatchSession<T>> {
    this.#tweakSafely(options);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    controller.signal.addEventListener(
      "abort",
      () => signal.removeEventListener("abort", onAbort),
      {
        once: true,
      },
    );
    const iterator = this.#lw.watch({ ...options, signal: controller.signal })
      [Symbol.asyncIterator]();
    const openedAt = this.#clock.now();
    // A streaming list must show progress within the streaming timeout, from its first event on.
    const idleMs = options.sendInitialEvents ? this.#streamingIdleTimeoutMs : this.#idleTimeoutMs;
    const watchdog = new Watchdog(this.#clock, controller, idleMs);
    const session: WatchSession<T> = {
      iterator,
      controller,
      openedAt,
      watchdog,
      pending: undefined,
    };
    try {
      return { ...session, pending: await this.#next(session) };
    } catch (err) {
      watchdog.stop();
      controller.abort(err);
      throw err;
    }
  }

  /** Reads the next event; a silent watch is aborted by its watchdog with a {@linkcode WatchIdleError}. */
  async #next(session: WatchSession<T>): Promise<IteratorResult<WatchEvent<T>>> {
    try {
      const result = await session.iterator.next();
      session.watchdog.touch();
      return result;
    } catch (err) {
      if (session.watchdog.fired) throw session.watchdog.fired;
      throw err;
    }
  }

  async #openWatch(sync: SyncState, signal: AbortSignal): Promise<ReflectorStep<T>> {
    const resourceVersion = sync.lastSyncResourceVersion ?? "";
    let session: WatchSession<T>;
    try {
      session = await this.#open({
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.#watchTimeoutSeconds(),
        labelSelector: this.#labelSelector,
        fieldSelector: this.#fieldSelector,
      }, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const kind = err instanceof WatchIdleError ? "silent" : classify(err);
      return this.#recoverFrom(
        failure("watch", kind, { longIdleTimeout: this.#idleTimeoutMs >= HEALTHY_WATCH_MS }),
        err,
        sync,
        resourceVersion,
      );
    }
    return {
      state: {
        phase: "watching",
        sync,
        session,
        events: 0,
        trackAddedVersions: resourceVersion !== "" && resourceVersion !== "0",
        progressed: false,
      },
    };
  }

  async #readWatch(
    state: Extract<ReflectorState<T>, { phase: "watching" }>,
    signal: AbortSignal,
  ): Promise<ReflectorStep<T>> {
    const { sync, session } = state;
    let result: IteratorResult<WatchEvent<T>>;
    try {
      result = session.pending ??
        await this.#next(session);
    } catch (err) {
      closeWatch(session);
      if (signal.aborted) throw signal.reason;
      const kind = err instanceof WatchIdleError
        ? "idle"
        : err instanceof TransportError
        ? "broken"
        : classify(err);
      const progressed = this.#healthy(state);
      const durationMs = this.#clock.now() - session.openedAt;
      const error = progressed || (kind !== "idle" && kind !== "broken")
        ? err
        : new WatchWithoutProgressError(durationMs, { cause: err });
      return this.#recoverFrom(failure("watch", kind, { progressed }), error, sync, "");
    }
    const current = session.pending
      ? { ...state, session: { ...session, pending: undefined } }
      : state;
    if (result.done) {
      closeWatch(session);
      const durationMs = this.#clock.now() - session.openedAt;
      const veryShort = state.events === 0 && durationMs < 1000;
      const progressed = this.#healthy(state);
      const error = veryShort
        ? new VeryShortWatchError()
        : progressed
        ? undefined
        : new WatchWithoutProgressError(durationMs);
      return this.#recoverFrom(
        failure("watch", "ended", { veryShort, progressed }),
        error,
        sync,
        "",
      );
    }
    const event = result.value;
    switch (event.type) {
      case "ADDED":
      case "MODIFIED":
      case "DELETED": {
        if (!hasName(event.object)) {
          closeWatch(session);
          return this.#recoverFrom(
            failure("watch", "other"),
            new KubeError(`watch ${event.type} event carried an object without metadata.name`),
            sync,
            "",
          );
        }
        const trackAdded = current.trackAddedVersions || event.type !== "ADDED";
        const rv = event.object.metadata?.resourceVersion;
        const nextSync = trackAdded && rv ? { ...sync, lastSyncResourceVersion: rv } : sync;
        const next: ReflectorState<T> = {
          ...current,
          sync: nextSync,
          events: state.events + 1,
          trackAddedVersions: trackAdded,
          progressed: current.progressed ||
            nextSync.lastSyncResourceVersion !== sync.lastSyncResourceVersion,
        };
        const wrongKind = this.#unexpectedKind(event.object);
        if (wrongKind) {
          return {
            state: next,
            events: [{ type: "error", error: wrongKind, recovery: "skip", delayMs: 0 }],
          };
        }
        return { state: next, events: [{ type: event.type, object: event.object }] };
      }
      case "BOOKMARK": {
        const rv = event.object.metadata?.resourceVersion;
        if (!rv) return { state: { ...current, events: state.events + 1 } };
        return {
          state: {
            ...current,
            sync: { ...sync, lastSyncResourceVersion: rv },
            events: state.events + 1,
            progressed: current.progressed || rv !== sync.lastSyncResourceVersion,
          },
          events: [{ type: "bookmark", resourceVersion: rv }],
        };
      }
      case "ERROR":
        closeWatch(session);
        return this.#recoverFrom(failure("watch", classify(event.error)), event.error, sync, "");
      default: {
        const unreachable: never = event;
        throw new TypeError(`unknown watch event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  async #openStream(
    state: Extract<ReflectorState<T>, { phase: "stream" }>,
    signal: AbortSignal,
  ): Promise<ReflectorStep<T>> {
    const { sync, resourceVersion } = state;
    let session: WatchSession<T>;
    try {
      session = await this.#open({
        resourceVersion,
        resourceVersionMatch: "NotOlderThan",
        sendInitialEvents: true,
        allowWatchBookmarks: true,
        timeoutSeconds: this.#watchTimeoutSeconds(),
        labelSelector: this.#labelSelector,
        fieldSelector: this.#fieldSelector,
      }, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return this.#streamFailed(
        state,
        err,
        err instanceof WatchIdleError ? "silent" : classify(err),
      );
    }
    return {
      state: {
        phase: "streaming",
        sync,
        session,
        events: 0,
        resourceVersion,
      },
      events: [{ type: "init" }],
    };
  }

  /** A streaming list failed before its end bookmark (a refusal, an error, garbage). */
  #streamFailed(
    state: { sync: SyncState; resourceVersion: string },
    err: unknown,
    kind: FailureKind = classify(err),
  ): ReflectorStep<T> {
    return this.#recoverFrom(
      failure("stream", kind, { atResourceVersion: state.resourceVersion !== "" }),
      err,
      state.sync,
      state.resourceVersion,
    );
  }

  /** A streaming list ended or broke before its end bookmark: what it carried is incomplete. */
  #streamIncomplete(
    state: Extract<ReflectorState<T>, { phase: "streaming" }>,
    cause: unknown,
  ): ReflectorStep<T> {
    return this.#recoverFrom(
      failure("stream", cause instanceof TransportError ? "broken" : "ended", {
        incompleteStreamsInARow: state.sync.streamingFailures + 1,
      }),
      new IncompleteStreamingListError(state.events, { cause }),
      state.sync,
      state.resourceVersion,
    );
  }

  /**
   * Carries out what {@linkcode recover} answers for a failure: what the sync
   * state learns, the next request, and the report (after a backoff or not).
   */
  #recoverFrom(
    what: Failure,
    error: unknown,
    sync: SyncState,
    resourceVersion: string,
  ): ReflectorStep<T> {
    const answer = recover(what);
    const learned = this.#learn(sync, answer.learns);
    const next = this.#request(answer.next, learned, resourceVersion);
    if (answer.report === undefined) return { state: next };
    if (answer.backoff) return this.#backoffTo(learned, next, error, answer.report);
    return {
      state: next,
      events: [{ type: "error", error, recovery: answer.report, delayMs: 0 }],
    };
  }

  #learn(sync: SyncState, lesson: Lesson | undefined): SyncState {
    switch (lesson) {
      case undefined:
        return sync;
      case "resource-version-unavailable":
        return { ...sync, resourceVersionUnavailable: true };
      case "streaming-unsupported":
        return { ...sync, streaming: "unsupported" };
      case "streaming-incomplete":
        return { ...sync, streamingFailures: sync.streamingFailures + 1 };
      case "streaming-paused":
        return {
          ...sync,
          streamingFailures: 0,
          streamingPausedUntil: this.#clock.now() + STREAMING_PAUSE_MS,
        };
      default: {
        const unreachable: never = lesson;
        throw new TypeError(`unknown lesson ${unreachable}`);
      }
    }
  }

  /** The phase that makes a request; `resourceVersion` is that of the failed list or stream. */
  #request(next: NextRequest, sync: SyncState, resourceVersion: string): ReflectorState<T> {
    switch (next) {
      case "relist":
        return this.#relistState(sync);
      case "list":
        return this.#listState(sync);
      case "list-again":
        return { phase: "list", sync, resourceVersion, restartedAfterExpiredContinue: true };
      case "list-fresh":
        return { phase: "list", sync, resourceVersion: "", restartedAfterExpiredContinue: false };
      case "watch":
        return { phase: "watch", sync };
      case "stream-again":
        return { phase: "stream", sync, resourceVersion };
      case "stream-fresh":
        return { phase: "stream", sync, resourceVersion: "" };
      default: {
        const unreachable: never = next;
        throw new TypeError(`unknown request ${unreachable}`);
      }
    }
  }

  /** A watch is healthy when it moved the resourceVersion on or lasted long enough. */
  #healthy(state: Extract<ReflectorState<T>, { phase: "watching" }>): boolean {
    return state.progressed || this.#clock.now() - state.session.openedAt >= HEALTHY_WATCH_MS;
  }

  async #readStream(
    state: Extract<ReflectorState<T>, { phase: "streaming" }>,
    signal: AbortSignal,
  ): Promise<ReflectorStep<T>> {
    const { session } = state;
    let result: IteratorResult<WatchEvent<T>>;
    try {
      result = session.pending ??
        await this.#next(session);
    } catch (err) {
      closeWatch(session);
      if (signal.aborted) throw signal.reason;
      if (err instanceof WatchIdleError) return this.#streamFailed(state, err, "idle");
      if (err instanceof TransportError) return this.#streamIncomplete(state, err);
      return this.#streamFailed(state, err);
    }
    const current = session.pending
      ? { ...state, session: { ...session, pending: undefined } }
      : state;
    if (result.done) {
      closeWatch(session);
      return this.#streamIncomplete(state, undefined);
    }
    const event = result.value;
    switch (event.type) {
      case "ADDED":
      case "MODIFIED":
      case "DELETED": {
        if (!hasName(event.object)) {
          closeWatch(session);
          return this.#streamFailed(
            state,
            new KubeError(
              `streaming list ${event.type} event carried an object without metadata.name`,
            ),
          );
        }
        const counted = { ...current, events: state.events + 1 };
        const wrongKind = this.#unexpectedKind(event.object);
        if (wrongKind) {
          return {
            state: counted,
            events: [{ type: "error", error: wrongKind, recovery: "skip", delayMs: 0 }],
          };
        }
        // During a relist the store builds the new state aside: objects go there, and a
        // delete takes one out of it.
        return {
          state: counted,
          events: [
            event.type === "DELETED"
              ? { type: "DELETED", object: event.object }
              : { type: "initApply", object: event.object },
          ],
        };
      }
      case "BOOKMARK": {
        const rv = event.object.metadata?.resourceVersion ?? "";
        if (event.object.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== "true") {
          return { state: { ...current, events: state.events + 1 } };
        }
        const next: SyncState = {
          lastSyncResourceVersion: rv,
          resourceVersionUnavailable: false,
          streaming: "supported",
          streamingFailures: 0,
          streamingPausedUntil: 0,
        };
        current.session.watchdog.setIdleMs(this.#idleTimeoutMs);
        const watching: ReflectorState<T> = {
          phase: "watching",
          sync: next,
          session: current.session,
          events: state.events + 1,
          trackAddedVersions: true,
          progressed: true,
        };
        return {
          state: watching,
          events: [{ type: "initDone", resourceVersion: rv, streamed: true }],
        };
      }
      case "ERROR":
        closeWatch(session);
        return this.#streamFailed(state, event.error);
      default: {
        const unreachable: never = event;
        throw new TypeError(`unknown watch event ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

function hasName(object: KubeObject | undefined): boolean {
  return typeof object?.metadata?.name === "string" && object.metadata.name !== "";
}

/** The kind of a failure from its error (where it happened refines some kinds: see the callers). */
function classify(err: unknown): FailureKind {
  if (err instanceof WatchIdleError) return "idle";
  if (isExpired(err)) return "expired";
  if (isTooLargeResourceVersion(err)) return "too-large-resource-version";
  if (err instanceof ApiError && err.code === 429) return "throttled";
  if (err instanceof TransportError) return "no-connection";
  if (refusesStreaming(err)) return "refused";
  return "other";
}

/** Errors that say the server does not do streaming lists (a server without the WatchList feature answers 422). */
function refusesStreaming(err: unknown): boolean {
  return err instanceof ApiError && [400, 405, 406, 422].includes(err.code);
}

/** Closes a watch connection and releases its iterator. */
function closeWatch<T>(session: WatchSession<T>): void {
  session.watchdog.stop();
  session.controller.abort();
  session.iterator.return?.().catch(() => {});
}

function closeSession<T>(state: ReflectorState<T>): void {
  if (state.phase === "watching" || state.phase === "streaming") closeWatch(state.session);
  if (state.phase === "backoff") closeSession(state.then);
  if (state.phase === "listing") state.pages.return?.().catch(() => {});
}

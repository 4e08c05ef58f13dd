/**
 * The reflector: lists, then watches, and recovers from every failure the
 * way client-go's reflector does. The decisions are a pure state machine
 * ({@linkcode stepWatcher} in `watcher_machine.ts`: phases as a union, one
 * step from a state and what happened to the next state, the events and the
 * next command), and what follows a failure is one table (`recovery.ts`).
 * {@linkcode Reflector} is the thin driver around them: it makes the
 * requests, reads pages and events, sleeps through backoffs and runs the
 * idle watchdog, until aborted.
 *
 * @module
 */

import { UserCodeError } from "../api/errors.ts";
import type { KubeList, KubeObject } from "../api/meta.ts";
import type { WatchEvent } from "../api/watch_event.ts";
import { type Clock, realClock } from "../_internal/clock.ts";
import type {
  FieldSelectorInput,
  LabelSelectorInput,
  ListOptions,
  WatchOptions,
} from "../client/request_options.ts";
import { Backoff } from "./backoff.ts";
import type { ReflectorEvent } from "./reflector_event.ts";
import {
  INITIAL_WATCHER_STATE,
  stepWatcher,
  type WatcherCommand,
  type WatcherConfig,
  type WatcherInput,
  type WatcherState,
} from "./watcher_machine.ts";
import { Watchdog } from "./watchdog.ts";

export type {
  ReflectorBookmarkEvent,
  ReflectorErrorEvent,
  ReflectorEvent,
  ReflectorInitApplyEvent,
  ReflectorInitDoneEvent,
  ReflectorInitEvent,
  ReflectorObjectEvent,
} from "./reflector_event.ts";

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
  /**
   * Cut `metadata.managedFields` out of every object's JSON before it is parsed (see
   * `ListOptions.dropManagedFields`).
   * @default {false}
   */
  dropManagedFields?: boolean | undefined;
  /** Told about every request as it goes out: a LIST, a plain watch, or a streaming list. */
  onRequest?: ((request: "list" | "watch" | "stream") => void) | undefined;
}

/**
 * Lists and watches one resource and turns the result into store events,
 * recovering from every failure. It drives the pure machine of
 * `watcher_machine.ts`: it makes the requests the machine asks for, reads
 * pages and events, sleeps through backoffs and runs the idle watchdog. Errors are events, not the end: only
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
 * import { KubeClient, pods, Reflector } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
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
  #config: WatcherConfig;
  #pageSize: number;
  #minWatchTimeoutSeconds: number;
  #labelSelector: LabelSelectorInput | undefined;
  #fieldSelector: FieldSelectorInput | undefined;
  #tweak: ((options: ListOptions | WatchOptions) => void) | undefined;
  #clock: Clock;
  #random: () => number;
  #backoff: Backoff;
  #lastSyncResourceVersion: string | undefined;
  #onRequest: ((request: "list" | "watch" | "stream") => void) | undefined;
  #dropManagedFields: boolean;

  /**
   * Creates a reflector.
   *
   * @param listerWatcher Where to list and watch, such as `client.resource(pods)`.
   * @param options Paging, streaming, timeouts, selectors, kind, clock.
   */
  constructor(listerWatcher: ListerWatcher<T>, options?: ReflectorOptions<T>) {
    options ??= {};
    this.#lw = listerWatcher;
    this.#config = Object.freeze({
      streamingList: options.streamingList ?? false,
      idleTimeoutMs: options.idleTimeoutMs ?? 90_000,
      streamingIdleTimeoutMs: options.streamingIdleTimeoutMs ?? 10_000,
      kind: options.kind,
    });
    this.#pageSize = options.pageSize ?? 500;
    this.#minWatchTimeoutSeconds = Math.max(1, options.minWatchTimeoutSeconds ?? 300);
    this.#labelSelector = options.labelSelector;
    this.#fieldSelector = options.fieldSelector;
    this.#tweak = options.tweakListOptions;
    this.#clock = options.clock ?? realClock;
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ??
      new Backoff({ now: () => this.#clock.now(), random: this.#random });
    this.#onRequest = options.onRequest;
    this.#dropManagedFields = options.dropManagedFields ?? false;
  }

  /** The resourceVersion of the last list, event or bookmark seen. */
  get lastSyncResourceVersion(): string | undefined {
    return this.#lastSyncResourceVersion;
  }

  /**
   * Runs the reflector until `signal` aborts, yielding store events and
   * errors. Returns (without throwing) once aborted, after closing any open
   * list or watch.
   *
   * @param signal Ends the run.
   * @returns An async iterable of events.
   */
  async *run(signal: AbortSignal): AsyncGenerator<ReflectorEvent<T>, void, undefined> {
    const config = this.#config;
    const clock = this.#clock;
    let state: WatcherState = INITIAL_WATCHER_STATE;
    let input: WatcherInput<T> = { type: "begin", now: clock.now() };
    let pages: AsyncIterator<KubeList<T>> | undefined;
    let session: WatchSession<T> | undefined;
    // The first request goes out on a later turn: whoever started the run finishes setting up first.
    await Promise.resolve();
    try {
      while (!signal.aborted) {
        const step = stepWatcher(config, state, input);
        state = step.state;
        this.#lastSyncResourceVersion = state.sync.lastSyncResourceVersion;
        const command: WatcherCommand = step.command;
        // Whatever is not read next is closed before anything else happens.
        if (pages !== undefined && command.do !== "read-page") {
          closePages(pages);
          pages = undefined;
        }
        if (session !== undefined && command.do !== "read-event") {
          closeWatch(session);
          session = undefined;
        }
        for (const event of step.events) {
          if (signal.aborted) return;
          yield event;
        }
        if (signal.aborted) return;
        switch (command.do) {
          case "list":
            this.#onRequest?.("list");
            try {
              pages = this.#startList(command.resourceVersion, signal);
            } catch (error) {
              input = { type: "failure", error, now: clock.now() };
              break;
            }
            input = await readPage(pages, clock);
            break;
          case "read-page":
            input = await readPage(pages!, clock);
            break;
          case "watch":
            this.#onRequest?.(command.sendInitialEvents ? "stream" : "watch");
            try {
              session = this.#openWatch(command, signal);
            } catch (error) {
              input = { type: "failure", error, now: clock.now() };
              break;
            }
            input = await readEvent(session, clock);
            break;
          case "read-event":
            if (session!.idleMs !== command.idleMs) {
              session!.watchdog.setIdleMs(command.idleMs);
              session!.idleMs = command.idleMs;
            }
            input = await readEvent(session!, clock);
            break;
          case "back-off": {
            const delayMs = Math.max(this.#backoff.next(), command.retryAfterMs);
            yield { type: "error", error: command.error, recovery: command.recovery, delayMs };
            try {
              await clock.sleep(delayMs, signal);
            } catch (err) {
              if (signal.aborted) return;
              throw err;
            }
            input = { type: "slept", now: clock.now() };
            break;
          }
          default: {
            const unreachable: never = command;
            throw new TypeError(`unknown watcher command ${JSON.stringify(unreachable)}`);
          }
        }
      }
    } finally {
      if (pages !== undefined) closePages(pages);
      if (session !== undefined) closeWatch(session);
    }
  }

  /** Starts a LIST at `resourceVersion`: its pages, fetched as they are read. */
  #startList(resourceVersion: string, signal: AbortSignal): AsyncIterator<KubeList<T>> {
    const first: ListOptions = {
      limit: this.#pageSize,
      labelSelector: this.#labelSelector,
      fieldSelector: this.#fieldSelector,
      signal,
    };
    if (this.#dropManagedFields) first.dropManagedFields = true;
    if (resourceVersion !== "") {
      first.resourceVersion = resourceVersion;
      // A specific RV with a limit would mean "exact" to a real server; ask for
      // not-older-than explicitly so that pages stay allowed and cheap.
      if (resourceVersion !== "0") first.resourceVersionMatch = "NotOlderThan";
    }
    const prepare = (options: ListOptions) => this.#tweakSafely(options);
    const pages = this.#lw.listPages?.(first, prepare) ?? this.#pageByPage(first, prepare);
    return pages[Symbol.asyncIterator]();
  }

  /** Opens a watch (or a streaming list) with its own connection and idle watchdog. */
  #openWatch(
    command: Extract<WatcherCommand, { do: "watch" }>,
    signal: AbortSignal,
  ): WatchSession<T> {
    const options: WatchOptions = {
      resourceVersion: command.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.#watchTimeoutSeconds(),
      labelSelector: this.#labelSelector,
      fieldSelector: this.#fieldSelector,
    };
    if (this.#dropManagedFields) options.dropManagedFields = true;
    if (command.sendInitialEvents) {
      options.resourceVersionMatch = "NotOlderThan";
      options.sendInitialEvents = true;
    }
    this.#tweakSafely(options);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    controller.signal.addEventListener(
      "abort",
      () => signal.removeEventListener("abort", onAbort),
      { once: true },
    );
    try {
      const iterator = this.#lw.watch({ ...options, signal: controller.signal })
        [Symbol.asyncIterator]();
      const watchdog = new Watchdog(this.#clock, controller, command.idleMs);
      return { iterator, controller, watchdog, idleMs: command.idleMs };
    } catch (err) {
      controller.abort(err);
      throw err;
    }
  }

  /** Runs `tweakListOptions`; a throw fails the request like any other failure. */
  #tweakSafely(options: ListOptions | WatchOptions): void {
    try {
      this.#tweak?.(options);
    } catch (err) {
      throw new UserCodeError("tweakListOptions", undefined, { cause: err });
    }
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
        dropManagedFields: first.dropManagedFields,
        signal: first.signal,
      };
    }
  }

  #watchTimeoutSeconds(): number {
    const min = this.#minWatchTimeoutSeconds;
    return Math.floor(min + this.#random() * min);
  }
}

/** An open watch connection and what the driver tracks about it. */
interface WatchSession<T> {
  /** The event iterator. */
  readonly iterator: AsyncIterator<WatchEvent<T>>;
  /** Aborting it closes the connection. */
  readonly controller: AbortController;
  /** Closes the watch when it goes silent for too long. */
  readonly watchdog: Watchdog;
  /** The watchdog's current idle timeout. */
  idleMs: number;
}

/** Reads the next page: a page, the end of the list, or its failure. */
async function readPage<T>(
  pages: AsyncIterator<KubeList<T>>,
  clock: Clock,
): Promise<WatcherInput<T>> {
  try {
    const result = await pages.next();
    return result.done
      ? { type: "list-end", now: clock.now() }
      : { type: "page", list: result.value, now: clock.now() };
  } catch (error) {
    return { type: "failure", error, now: clock.now() };
  }
}

/** Reads the next watch result; a silent watch is aborted by its watchdog with a `WatchIdleError`. */
async function readEvent<T>(session: WatchSession<T>, clock: Clock): Promise<WatcherInput<T>> {
  try {
    const result = await session.iterator.next();
    session.watchdog.touch();
    return result.done
      ? { type: "end", now: clock.now() }
      : { type: "event", event: result.value, now: clock.now() };
  } catch (error) {
    return { type: "failure", error: session.watchdog.fired ?? error, now: clock.now() };
  }
}

/** Closes a watch connection and releases its iterator. */
function closeWatch<T>(session: WatchSession<T>): void {
  session.watchdog.stop();
  session.controller.abort();
  session.iterator.return?.().catch(() => {});
}

function closePages<T>(pages: AsyncIterator<KubeList<T>>): void {
  pages.return?.().catch(() => {});
}

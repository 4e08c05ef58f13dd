/**
 * The shared index informer, the last stage of a one-way pipeline:
 *
 * bytes → `WatchDecoder` (client) → `Reflector` (watch: a thin driver that
 * makes the requests, sleeps and runs the idle watchdog around a pure state
 * machine, `stepWatcher`, which decides every transition and recovery;
 * hands over `init` / `initApply` / `initDone` / `ADDED` / `MODIFIED` /
 * `DELETED` / bookmarks / errors) → `CacheWriter` (cache: de-duplicate,
 * transform, freeze, store, diff relists) → this informer (marks the first
 * sync, reports errors, fans changes out to handlers and `notifications()`).
 *
 * No stage reaches back into an earlier one; handlers are notified after the
 * cache reflects each change.
 *
 * @module
 */

import { KubeError } from "../api/errors.ts";
import type { KubeObject } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import { CacheWriter } from "../cache/cache_writer.ts";
import {
  createKeyedIndexer,
  type KeyedIndexer,
  type ReadonlyIndexer,
  readonlyView,
} from "../cache/indexer.ts";
import type { Indexers } from "../cache/keys.ts";
import { createLister, type Lister } from "../cache/lister.ts";
import { type Clock, realClock } from "../_internal/clock.ts";
import { deepFreeze, shallowFreeze } from "../_internal/deep_freeze.ts";
import { AsyncQueue } from "../_internal/async_queue.ts";
import type {
  FieldSelectorInput,
  LabelSelectorInput,
  ListOptions,
  WatchOptions,
} from "../client/request_options.ts";
import { Backoff } from "../watch/backoff.ts";
import { type ListerWatcher, Reflector, type ReflectorEvent } from "../watch/reflector.ts";
import type {
  EventHandlerOptions,
  HandlerRegistration,
  InformerErrorEvent,
  InformerEvent,
  ResourceEventHandler,
  WatchErrorHandler,
} from "./event_handler.ts";
import { HealthCounters, type InformerHealth, oneLine } from "./informer_health.ts";
import { Listener, type Notification } from "./_listener.ts";

/** Options of {@linkcode SharedIndexInformer}. */
export interface SharedIndexInformerOptions<T> {
  /** Default resync period of handlers; 0 disables resync. @default {0} */
  resyncPeriodMs?: number | undefined;
  /** Indexes to install besides the `namespace` index. */
  indexers?: Indexers<T> | undefined;
  /** Runs on every incoming object before it is cached (see {@linkcode SharedIndexInformer.setTransform}). */
  transform?: ((object: T) => T) | undefined;
  /** Only objects whose labels match (sent with every list and watch). */
  labelSelector?: LabelSelectorInput | undefined;
  /** Only objects whose fields match (sent with every list and watch). */
  fieldSelector?: FieldSelectorInput | undefined;
  /**
   * Changes the selectors of every list and watch request (never resourceVersion or limit),
   * after `labelSelector` and `fieldSelector` are set.
   */
  tweakListOptions?: ((options: ListOptions | WatchOptions) => void) | undefined;
  /** Page size of LIST requests. @default {500} */
  pageSize?: number | undefined;
  /** Try a streaming list first (slower than LIST pages on a real kube-apiserver 1.37). @default {false} */
  streamingList?: boolean | undefined;
  /** Watch timeouts are random in [min, 2 min) seconds. @default {300} */
  minWatchTimeoutSeconds?: number | undefined;
  /** Reconnect a watch silent for this long, not even a bookmark (real servers send one about every minute). @default {90000} */
  idleTimeoutMs?: number | undefined;
  /**
   * How cached objects are protected against accidental writes (which would
   * corrupt the indexes): `"shallow"` freezes the object, its metadata (with
   * labels and annotations), spec and status, at almost no cost; `"deep"`
   * freezes everything (about a third of the cost of parsing: use it in
   * tests); `"none"` trusts the code.
   * @default {"shallow"}
   */
  freeze?: "shallow" | "deep" | "none" | undefined;
  /** Report a handler once this many notifications wait for it (then at each doubling). @default {10000} */
  handlerLagThreshold?: number | undefined;
  /**
   * Cut `metadata.managedFields` out of every object's JSON before parsing it: faster syncs and
   * a smaller cache (it is about 45% of a pod's JSON on a kube-apiserver 1.37). Off by default,
   * like client-go: server-side-apply tooling reads managedFields from the cache. The result is
   * the same as the `stripManagedFields` transform, without parsing what it drops.
   * @default {false}
   */
  dropManagedFields?: boolean | undefined;
  /** Time source. @default {realClock} */
  clock?: Clock | undefined;
  /** Randomness for watch timeouts and backoff jitter. @default {Math.random} */
  random?: (() => number) | undefined;
  /** The backoff between failed attempts. @default {0.8 s doubling to 30 s with jitter, reset after 2 healthy minutes} */
  backoff?: Backoff | undefined;
}

/** Options of {@linkcode SharedIndexInformer.watchHealth}. */
export interface WatchHealthOptions {
  /** Milliseconds between snapshots. @default {1000} */
  intervalMs?: number | undefined;
  /** Ends the iteration. */
  signal?: AbortSignal | undefined;
}

/** Options of {@linkcode SharedIndexInformer.events}. */
export interface InformerEventsOptions {
  /** Ends the iteration. */
  signal?: AbortSignal | undefined;
}

const MIN_RESYNC_MS = 1000;

/** One consumer of {@linkcode SharedIndexInformer.events}. */
interface EventChannel<T> {
  push(event: InformerEvent<T>): void;
  close(): void;
}

/**
 * Keeps an indexed, always-current cache of one resource and notifies
 * handlers of every change.
 *
 * Guarantees:
 * - A handler is called only after the cache reflects the change it reports.
 * - Calls to one handler are sequential and in order; handlers are isolated
 *   from each other: one that throws is reported and skipped, one that is slow
 *   (async) only delays itself.
 * - A relist is applied as a diff: unchanged objects (same resourceVersion)
 *   produce no notification; objects that vanished produce `onDelete` with a
 *   {@linkcode DeletedFinalStateUnknown} tombstone.
 * - Handlers added late receive synthetic `onAdd(obj, true)` for the current
 *   contents.
 * - Only aborting the signal passed to {@linkcode SharedIndexInformer.run}
 *   stops it; every error is reported and retried with backoff.
 *
 * @example Caching pods
 * ```ts
 * import { KubeClient, pods, SharedIndexInformer } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 *
 * const server = new FakeApiServer();
 * server.create(pods, { metadata: { namespace: "default", name: "web-0" }, spec: { containers: [] } });
 * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
 * const informer = new SharedIndexInformer(client.resource(pods), pods);
 * informer.addEventHandler({ onAdd: (pod) => console.log(`ADDED pod with name ${pod.metadata?.name}`) });
 * const ac = new AbortController();
 * const running = informer.run(ac.signal);
 * await informer.waitForCacheSync(ac.signal);
 * console.log(informer.indexer.getByKey("default/web-0")?.metadata?.name); // "web-0"
 * ac.abort();
 * await running;
 * await server.close();
 * ```
 */
export class SharedIndexInformer<T extends KubeObject> {
  /** The cache, read-only (the informer alone writes it). Objects in it are shared and frozen. */
  readonly indexer: ReadonlyIndexer<T>;
  #cache: KeyedIndexer<T>;
  #writer: CacheWriter<T> | undefined;
  /** The resource this informer caches. */
  readonly resource: ResourceDescriptor<T>;
  #listerWatcher: ListerWatcher<T>;
  #options: SharedIndexInformerOptions<T>;
  #clock: Clock;
  #transform: ((object: T) => T) | undefined;
  #freeze: <V>(value: V) => V;
  #listeners: Listener<T>[] = [];
  #channels = new Set<EventChannel<T>>();
  #errorHandler: WatchErrorHandler | undefined;
  #resyncCheckMs: number;
  #started = false;
  #stopped = false;
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #stopWaiters: (() => void)[] = [];
  #lastSyncResourceVersion = "";
  #cancelResync: (() => void) | undefined;
  #health = new HealthCounters();

  /**
   * Creates an informer. Nothing happens until {@linkcode SharedIndexInformer.run}.
   *
   * @param listerWatcher Where to list and watch, such as `client.resource(pods)`.
   * @param resource The resource descriptor (for listers' NotFound errors).
   * @param options Resync, indexes, transform, reflector settings.
   */
  constructor(
    listerWatcher: ListerWatcher<T>,
    resource: ResourceDescriptor<T>,
    options?: SharedIndexInformerOptions<T>,
  ) {
    options ??= {};
    this.#listerWatcher = listerWatcher;
    this.resource = resource;
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#transform = options.transform;
    const freeze = options.freeze ?? "shallow";
    this.#freeze = freeze === "deep"
      ? deepFreeze
      : freeze === "shallow"
      ? shallowFreeze
      : (value) => value;
    this.#resyncCheckMs = normalizeResync(options.resyncPeriodMs ?? 0);
    this.#cache = createKeyedIndexer<T>(options.indexers ?? {});
    this.indexer = readonlyView(this.#cache);
  }

  /**
   * Installs more indexes, before or after start; cached objects are indexed at once.
   *
   * @param indexers Index functions by name.
   * @throws {RangeError} When a name is already in use.
   */
  addIndexers(indexers: Indexers<T>): void {
    if (this.#stopped) throw new KubeError("cannot add indexers: the informer has stopped");
    this.#cache.addIndexers(indexers);
  }

  /**
   * Registers a handler. Added after start, it first receives
   * `onAdd(obj, true)` for every cached object.
   *
   * @param handler `onAdd`, `onUpdate`, `onDelete`.
   * @param options Per-handler resync period.
   * @returns A registration with `hasSynced()` and `remove()`.
   * @throws {KubeError} When the informer has stopped.
   */
  addEventHandler(
    handler: ResourceEventHandler<T>,
    options?: EventHandlerOptions,
  ): HandlerRegistration {
    options ??= {};
    if (this.#stopped) {
      throw new KubeError(
        "the handler was not added to the informer because it has stopped already",
      );
    }
    const requested = normalizeResync(options.resyncPeriodMs ?? this.#options.resyncPeriodMs ?? 0);
    if (
      !this.#started && requested > 0 &&
      (this.#resyncCheckMs === 0 || requested < this.#resyncCheckMs)
    ) {
      this.#resyncCheckMs = requested;
    }
    const effective = this.#resyncCheckMs === 0 || requested === 0
      ? 0
      : Math.max(requested, this.#resyncCheckMs);
    const listener = new Listener<T>(
      handler,
      effective,
      (error) => this.#reportError({ type: "error", error, recovery: "handler", delayMs: 0 }),
      this.#options.handlerLagThreshold ?? 10_000,
    );
    listener.nextResyncAt = this.#clock.now() + effective;
    this.#listeners.push(listener);
    if (this.#synced) {
      for (const object of this.#cache.list()) {
        listener.enqueue({ type: "add", object, isInInitialList: true });
      }
    }
    return {
      hasSynced: () => this.#synced && listener.pendingInitial === 0,
      remove: () => {
        listener.remove();
        const i = this.#listeners.indexOf(listener);
        if (i >= 0) this.#listeners.splice(i, 1);
      },
    };
  }

  /**
   * Sets the function that runs on every incoming object before it is
   * cached (not on tombstones or resync). It may change the object in place
   * and must be idempotent.
   *
   * @param transform The transform, such as `stripManagedFields`.
   * @throws {KubeError} When the informer has started.
   */
  setTransform(transform: (object: T) => T): void {
    if (this.#started) {
      throw new KubeError("cannot set a transform: the informer has already started");
    }
    this.#transform = transform;
  }

  /**
   * Sets the function told about every error: list and watch failures (with
   * what the informer does next), objects left out, and exceptions thrown by
   * event handlers (`recovery: "handler"`). The informer goes on regardless.
   * Without one, each error is one line on `console.warn`.
   *
   * @param handler Receives error events.
   * @throws {KubeError} When the informer has started.
   */
  setErrorHandler(handler: WatchErrorHandler): void {
    if (this.#started) {
      throw new KubeError("cannot set an error handler: the informer has already started");
    }
    this.#errorHandler = handler;
  }

  /**
   * The former name of {@linkcode SharedIndexInformer.setErrorHandler}, which
   * also receives handler exceptions.
   *
   * @deprecated Use {@linkcode SharedIndexInformer.setErrorHandler}.
   * @param handler Receives error events.
   */
  setWatchErrorHandler(handler: WatchErrorHandler): void {
    this.setErrorHandler(handler);
  }

  /** True once the cache holds the complete initial list. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** True once {@linkcode SharedIndexInformer.run} has returned. */
  isStopped(): boolean {
    return this.#stopped;
  }

  /** The resourceVersion of the last list, event or bookmark applied; `""` before the first. */
  lastSyncResourceVersion(): string {
    return this.#lastSyncResourceVersion;
  }

  /**
   * A lister over the cache: `list(selector)`, `get(name)` and `namespace(ns)`.
   *
   * @returns The lister.
   */
  lister(): Lister<T> {
    return createLister(this.#cache, this.resource);
  }

  /**
   * Resolves true once synced, or false when the signal aborts, `timeoutMs`
   * passes or the informer stops first (the same name and options as the
   * factory's).
   *
   * @param options An abort signal, or `{ signal, timeoutMs }`.
   * @returns Whether the informer synced.
   */
  waitForCacheSync(
    options?: AbortSignal | { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
  ): Promise<boolean> {
    const { signal, timeoutMs } = options instanceof AbortSignal
      ? { signal: options, timeoutMs: undefined }
      : options ?? {};
    if (timeoutMs === undefined) return this.#waitForSync(signal);
    const timer = new AbortController();
    const cancel = this.#clock.setTimer(() => timer.abort(), Math.max(0, timeoutMs));
    const both = signal === undefined ? timer.signal : AbortSignal.any([signal, timer.signal]);
    return this.#waitForSync(both).finally(cancel);
  }

  /**
   * The former name of {@linkcode SharedIndexInformer.waitForCacheSync}.
   *
   * @deprecated Use {@linkcode SharedIndexInformer.waitForCacheSync}.
   * @param signal Gives up waiting.
   * @returns Whether the informer synced.
   */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return this.#waitForSync(signal);
  }

  #waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      };
      const onAbort = () => {
        const i = this.#syncWaiters.indexOf(onSync);
        if (i >= 0) this.#syncWaiters.splice(i, 1);
        done(false);
      };
      const onSync = () => done(this.#synced);
      this.#syncWaiters.push(onSync);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * The informer's health and progress now: synced, objects listed so far,
   * last event and error, counts of lists, watches, reconnects and 410s,
   * handler backlog. A plain object, safe to log or serialize.
   *
   * @returns A snapshot.
   *
   * @example Reading an informer's health
   * ```ts
   * import { pods, SharedIndexInformer } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   *
   * const server = new FakeApiServer();
   * const informer = new SharedIndexInformer(server.client().resource(pods), pods);
   * const ac = new AbortController();
   * const running = informer.run(ac.signal);
   * await informer.waitForCacheSync(ac.signal);
   * const health = informer.health();
   * console.log(health.synced, health.lists, health.errors); // true 1 0
   * ac.abort();
   * await running;
   * await server.close();
   * ```
   */
  health(): InformerHealth {
    const h = this.#health;
    let backlog = 0;
    for (const listener of this.#listeners) backlog = Math.max(backlog, listener.pending);
    return {
      resource: resourceName(this.resource),
      synced: this.#synced,
      stopped: this.#stopped,
      objects: this.#cache.size,
      listing: h.listing,
      listedObjects: h.listedObjects,
      resourceVersion: this.#lastSyncResourceVersion,
      lastEventAt: h.lastEventAt,
      lastSyncAt: h.lastSyncAt,
      lastError: h.lastError === undefined ? undefined : { ...h.lastError },
      lists: h.lists,
      relists: Math.max(0, h.lists - 1),
      watches: h.watches,
      reconnects: h.reconnects,
      expired: h.expired,
      errors: h.errors,
      handlerBacklog: backlog,
    };
  }

  /**
   * {@linkcode SharedIndexInformer.health} every `intervalMs`, from now until
   * the signal aborts or the informer stops (a last snapshot then).
   *
   * @param options Interval and abort signal.
   * @returns The snapshots.
   */
  async *watchHealth(
    options?: WatchHealthOptions,
  ): AsyncGenerator<InformerHealth, void, undefined> {
    options ??= {};
    const intervalMs = Math.max(1, options.intervalMs ?? 1000);
    const signal = options.signal;
    while (!signal?.aborted) {
      yield this.health();
      if (this.#stopped) return;
      try {
        await this.#clock.sleep(intervalMs, signal);
      } catch {
        return; // aborted
      }
    }
  }

  /**
   * The informer in words, such as `pods informer` or `deployments.apps informer`.
   *
   * @returns Its name.
   */
  toString(): string {
    return `${resourceName(this.resource)} informer`;
  }

  /**
   * Every notification (add, update, delete), the sync and every error, as
   * an async iterator. A consumer that starts late first receives `add`
   * notifications for the cached objects.
   *
   * @param options Abort signal ending the iteration.
   * @returns The notifications.
   */
  notifications(
    options?: InformerEventsOptions,
  ): AsyncGenerator<InformerEvent<T>, void, undefined> {
    options ??= {};
    return this.events(options);
  }

  /**
   * Every notification, sync and error as an async iterator. A consumer that
   * starts late first receives `add` events for the cached objects.
   *
   * @param options Abort signal ending the iteration.
   * @returns The events.
   * @deprecated Use {@linkcode SharedIndexInformer.notifications} (`events` reads like the
   *   Kubernetes Events resource).
   */
  async *events(
    options?: InformerEventsOptions,
  ): AsyncGenerator<InformerEvent<T>, void, undefined> {
    options ??= {};
    const signal = options.signal;
    if (signal?.aborted || this.#stopped) return;
    // Aborting the queue (the signal, or the informer stopping) drops what it holds: nothing
    // is yielded after either, and the rejection of `next` is how this loop learns of it.
    const queue = new AsyncQueue<InformerEvent<T>>({ signal });
    const channel: EventChannel<T> = {
      push: (event) => void queue.push(event),
      close: () => queue.abort(),
    };
    if (this.#synced) {
      for (const object of this.#cache.list()) {
        queue.push({ type: "add", object, isInInitialList: true });
      }
    }
    this.#channels.add(channel);
    try {
      while (true) {
        let next: IteratorResult<InformerEvent<T>, undefined>;
        try {
          next = await queue.next();
        } catch {
          return; // aborted
        }
        if (next.done) return;
        yield next.value;
      }
    } finally {
      this.#channels.delete(channel);
      queue.abort(); // a consumer that left early: drop the rest, release the signal
    }
  }

  /**
   * Runs the informer until `signal` aborts: lists, watches, keeps the
   * cache current, notifies handlers, resyncs. Resolves once everything has
   * stopped. A second call while running returns at once.
   *
   * @param signal Stops the informer.
   * @returns Resolves when stopped.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const backoff = this.#options.backoff ??
      new Backoff({ now: () => this.#clock.now(), random: this.#options.random });
    const newReflector = () =>
      new Reflector<T>(this.#listerWatcher, {
        pageSize: this.#options.pageSize,
        streamingList: this.#options.streamingList,
        minWatchTimeoutSeconds: this.#options.minWatchTimeoutSeconds,
        idleTimeoutMs: this.#options.idleTimeoutMs,
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
        tweakListOptions: this.#options.tweakListOptions,
        kind: this.resource.kind,
        clock: this.#clock,
        random: this.#options.random,
        backoff,
        dropManagedFields: this.#options.dropManagedFields,
        onRequest: (request) => {
          if (request !== "list") this.#health.watches++;
        },
      });
    this.#writer = new CacheWriter<T>(this.#cache, {
      transform: this.#transform,
      freeze: (object) => this.#freeze(object),
      onChange: (change) => this.#notify(change),
      onFailure: (error) =>
        this.#reportError({ type: "error", error, recovery: "skip", delayMs: 0 }),
    });
    const onAbort = () => this.#wakeAll();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (!signal.aborted) this.#scheduleResync();
      // The informer never stops on its own: whatever escapes the reflector (a bug, or user
      // code it did not expect to throw) is reported and a new reflector starts after a backoff.
      while (!signal.aborted) {
        const reflector = newReflector();
        try {
          for await (const event of reflector.run(signal)) {
            this.#apply(event);
            this.#lastSyncResourceVersion = reflector.lastSyncResourceVersion ??
              this.#lastSyncResourceVersion;
          }
        } catch (err) {
          if (signal.aborted) break;
          const delayMs = backoff.next();
          this.#reportError({ type: "error", error: err, recovery: "relist", delayMs });
          try {
            await this.#clock.sleep(delayMs, signal);
          } catch {
            break; // aborted
          }
        }
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#cancelResync?.();
      this.#cancelResync = undefined;
      this.#stopped = true;
      // Nothing is delivered once the informer has stopped, not even what was queued.
      for (const listener of this.#listeners) listener.remove();
      this.#listeners = [];
      for (const channel of this.#channels) channel.close();
      this.#wakeAll();
    }
  }

  /** Resolves once {@linkcode SharedIndexInformer.run} has returned (at once if it never started). */
  whenStopped(): Promise<void> {
    if (this.#stopped || !this.#started) return Promise.resolve();
    return new Promise((resolve) => this.#stopWaiters.push(resolve));
  }

  #wakeAll(): void {
    for (const waiter of this.#syncWaiters.splice(0)) waiter();
    if (this.#stopped) { for (const waiter of this.#stopWaiters.splice(0)) waiter(); }
  }

  /** Hands one reflector change to the cache writer; reports errors; marks the first sync. */
  #apply(event: ReflectorEvent<T>): void {
    const writer = this.#writer!;
    switch (event.type) {
      case "init":
        this.#health.listing = true;
        this.#health.listedObjects = 0;
        writer.init();
        return;
      case "initApply":
        this.#health.listedObjects++;
        writer.initApply(event.object);
        return;
      case "initDone": {
        const initial = !this.#synced;
        const changes = writer.initDone(initial);
        this.#lastSyncResourceVersion = event.resourceVersion;
        this.#health.listing = false;
        this.#health.lists++;
        this.#health.lastSyncAt = this.#clock.now();
        if (initial) {
          this.#synced = true;
          for (const waiter of this.#syncWaiters.splice(0)) waiter();
        }
        for (const change of changes) this.#notify(change);
        if (initial) {
          for (const channel of this.#channels) {
            channel.push({ type: "synced", resourceVersion: event.resourceVersion });
          }
        }
        return;
      }
      case "ADDED":
      case "MODIFIED":
        this.#health.lastEventAt = this.#clock.now();
        writer.apply(event.object);
        return;
      case "DELETED":
        this.#health.lastEventAt = this.#clock.now();
        writer.delete(event.object);
        return;
      case "bookmark":
        this.#health.lastEventAt = this.#clock.now();
        return;
      case "error":
        // A failed list is over; the next one starts with `init`.
        if (event.recovery !== "skip" && event.recovery !== "rewatch") this.#health.listing = false;
        this.#reportError({
          type: "error",
          error: event.error,
          recovery: event.recovery,
          delayMs: event.delayMs,
        });
        return;
      default: {
        const unreachable: never = event;
        throw new TypeError(`unknown reflector event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  #notify(notification: Notification<T>): void {
    for (const listener of this.#listeners) listener.enqueue(notification);
    for (const channel of this.#channels) channel.push(notification);
  }

  #reportError(event: InformerErrorEvent): void {
    this.#health.error(event.error, event.recovery, this.#clock.now());
    if (this.#errorHandler) {
      try {
        this.#errorHandler(event);
      } catch {
        // An error handler that throws must not stop the informer.
      }
    } else {
      console.warn(warningLine(this.toString(), event));
    }
    for (const channel of this.#channels) channel.push(event);
  }

  #scheduleResync(): void {
    if (this.#resyncCheckMs === 0) return;
    this.#cancelResync = this.#clock.setTimer(() => {
      this.#resync();
      this.#scheduleResync();
    }, this.#resyncCheckMs);
  }

  #resync(): void {
    if (!this.#synced) return;
    const now = this.#clock.now();
    const due: Listener<T>[] = [];
    for (const listener of this.#listeners) {
      if (listener.resyncPeriodMs > 0 && now >= listener.nextResyncAt) {
        listener.nextResyncAt = now + listener.resyncPeriodMs;
        due.push(listener);
      }
    }
    if (due.length === 0) return;
    for (const object of this.#cache.list()) {
      const notification: Notification<T> = {
        type: "update",
        oldObject: object,
        newObject: object,
      };
      for (const listener of due) listener.enqueue(notification);
    }
  }
}

/** `plural` for the core group, `plural.group` otherwise. */
function resourceName(resource: ResourceDescriptor<KubeObject>): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

/** What each recovery means, in plain words, for the one-line warning. */
const NEXT_STEP: Readonly<Record<InformerErrorEvent["recovery"], string>> = {
  relist: "listing again",
  rewatch: "watching again",
  restream: "listing again",
  "fallback-to-list": "listing again with LIST pages",
  skip: "the object was left out",
  handler: "an event handler threw; the informer goes on",
};

/** One short line for `console.warn`: who, what failed, what happens next and when. */
function warningLine(who: string, event: InformerErrorEvent): string {
  const message = oneLine(
    event.error instanceof Error ? event.error.message : String(event.error),
  );
  const when = event.recovery === "skip" || event.recovery === "handler"
    ? ""
    : event.delayMs > 0
    ? ` in ${(event.delayMs / 1000).toFixed(1)} s`
    : " now";
  return `kubesnap: ${who}: ${message}; ${NEXT_STEP[event.recovery]}${when}`;
}

function normalizeResync(periodMs: number): number {
  if (!(periodMs > 0)) return 0;
  return Math.max(MIN_RESYNC_MS, periodMs);
}

/**
 * A fake {@linkcode ListerWatcher} driven by the test: every list and watch
 * request is recorded, list requests are answered from a queue of pages or
 * errors, and each watch is a {@linkcode ScriptedWatch} stream the test feeds
 * event by event. Nothing touches the network.
 *
 * @module
 */

import type { KubeList } from "../../src/api/meta.ts";
import type { WatchEvent } from "../../src/api/watch_event.ts";
import type { ListOptions, WatchOptions } from "../../src/client/request_options.ts";
import type { ListerWatcher } from "../../src/watch/reflector.ts";

/** A request the fake received, with its options minus `signal` and minus undefined fields. */
export type RecordedRequest =
  | { verb: "list"; options: ListOptions }
  | { verb: "watch"; options: WatchOptions };

/** How the fake answers one list request: a page, or an error to throw. */
export type ListReply<T> = KubeList<T> | Error;

/**
 * Builds one list page.
 *
 * @param items The objects.
 * @param meta The page's resourceVersion and continue token.
 * @returns The page.
 */
export function listPage<T>(
  items: T[],
  meta: { resourceVersion?: string; continue?: string } = {},
): KubeList<T> {
  return { kind: "List", apiVersion: "v1", metadata: { ...meta }, items };
}

function withoutSignal<O extends { signal?: AbortSignal | undefined }>(options: O): O {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key !== "signal" && value !== undefined) copy[key] = value;
  }
  return copy as O;
}

type WatchItem<T> =
  | { kind: "event"; event: WatchEvent<T> }
  | { kind: "end" }
  | { kind: "throw"; error: unknown };

interface Waiter<V> {
  resolve(value: V): void;
  reject(reason: unknown): void;
}

/**
 * One watch stream under the test's control. Items pushed before the
 * reflector reads them are buffered. Reading honours the request's signal:
 * a read pending or started after the abort rejects with `signal.reason`.
 */
export class ScriptedWatch<T> implements AsyncIterable<WatchEvent<T>> {
  #items: WatchItem<T>[] = [];
  #waiter: Waiter<IteratorResult<WatchEvent<T>>> | undefined;
  #options: WatchOptions | undefined;
  #signal: AbortSignal | undefined;
  #iterating = false;
  #finished = false;
  #returned = false;
  #reads = 0;
  #delivered = 0;
  #onAbort = () => {
    this.#stopListening();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#signal?.reason);
  };

  /** The options the watch was requested with (no signal); undefined until requested. */
  get options(): WatchOptions | undefined {
    return this.#options;
  }

  /** The signal the watch was requested with. */
  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  /** Whether the reflector has requested this watch. */
  get requested(): boolean {
    return this.#options !== undefined;
  }

  /** How many times the reader asked for the next item. */
  get reads(): number {
    return this.#reads;
  }

  /** How many events the reader received. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Whether the reader closed the watch: aborted its signal or returned the iterator. */
  get closed(): boolean {
    return this.#returned || this.#signal?.aborted === true;
  }

  /** Whether the reader returned (released) the iterator. */
  get returned(): boolean {
    return this.#returned;
  }

  /**
   * Queues events for the reader.
   *
   * @param events Watch events, delivered in order.
   * @returns This watch.
   */
  push(...events: WatchEvent<T>[]): this {
    for (const event of events) this.#enqueue({ kind: "event", event });
    return this;
  }

  /**
   * Ends the stream cleanly after the queued events.
   *
   * @returns This watch.
   */
  end(): this {
    this.#enqueue({ kind: "end" });
    return this;
  }

  /**
   * Makes the stream throw `error` after the queued events (a broken or undecodable stream).
   *
   * @param error The error the read rejects with.
   * @returns This watch.
   */
  fail(error: unknown): this {
    this.#enqueue({ kind: "throw", error });
    return this;
  }

  /**
   * Refuses the watch request: its first read rejects with `error`.
   *
   * @param error Such as an ApiError for the HTTP status, or a TransportError.
   * @returns This watch.
   * @throws {Error} When events were already queued or read.
   */
  refuse(error: unknown): this {
    if (this.#items.length > 0 || this.#reads > 0) {
      throw new Error("refuse() must come before any other item of the watch");
    }
    return this.fail(error);
  }

  /**
   * Called by {@linkcode ScriptedListerWatcher} when the reflector requests the watch.
   *
   * @param options The request options, signal included.
   * @returns This watch.
   */
  open(options: WatchOptions): this {
    if (this.#options !== undefined) throw new Error("a scripted watch can be requested once");
    this.#options = withoutSignal(options);
    this.#signal = options.signal;
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    return this;
  }

  /** The event iterator (only one per watch, like a response body). */
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.#iterating) throw new Error("a scripted watch can be iterated once");
    this.#iterating = true;
    return {
      next: () => this.#next(),
      return: () => {
        this.#returned = true;
        this.#finish();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  #next(): Promise<IteratorResult<WatchEvent<T>>> {
    this.#reads++;
    if (this.#signal?.aborted) return Promise.reject(this.#signal.reason);
    if (this.#finished) return Promise.resolve({ done: true, value: undefined });
    if (this.#waiter) return Promise.reject(new Error("concurrent reads of a scripted watch"));
    const item = this.#items.shift();
    if (item !== undefined) return this.#settle(item);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #enqueue(item: WatchItem<T>): void {
    const waiter = this.#waiter;
    if (waiter === undefined) {
      this.#items.push(item);
      return;
    }
    this.#waiter = undefined;
    this.#settle(item).then(waiter.resolve, waiter.reject);
  }

  #settle(item: WatchItem<T>): Promise<IteratorResult<WatchEvent<T>>> {
    switch (item.kind) {
      case "event":
        this.#delivered++;
        return Promise.resolve({ done: false, value: item.event });
      case "end":
        this.#finish();
        return Promise.resolve({ done: true, value: undefined });
      case "throw":
        this.#finish();
        return Promise.reject(item.error);
    }
  }

  #finish(): void {
    this.#finished = true;
    this.#stopListening();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
  }

  #stopListening(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

/**
 * The fake lister-watcher. List requests take the next queued reply, or
 * wait for one (rejecting with `signal.reason` on abort). Watch requests take
 * the next watch queued with {@linkcode ScriptedListerWatcher.queueWatch}, or
 * a fresh open stream that delivers nothing until the test pushes to it.
 */
export class ScriptedListerWatcher<T> implements ListerWatcher<T> {
  #requests: RecordedRequest[] = [];
  #watches: ScriptedWatch<T>[] = [];
  #listReplies: ListReply<T>[] = [];
  #listWaiter: Waiter<ListReply<T>> | undefined;
  #queuedWatches: ScriptedWatch<T>[] = [];

  /** Every request, in order. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Options of every list request, in order. */
  get lists(): ListOptions[] {
    return this.#requests.flatMap((r) => r.verb === "list" ? [r.options] : []);
  }

  /** Every requested watch, in request order. */
  get watches(): readonly ScriptedWatch<T>[] {
    return this.#watches;
  }

  /** The most recently requested watch. */
  get lastWatch(): ScriptedWatch<T> | undefined {
    return this.#watches.at(-1);
  }

  /** Whether a list request is waiting for a reply. */
  get listWaiting(): boolean {
    return this.#listWaiter !== undefined;
  }

  /**
   * Queues replies to the next list requests, one each.
   *
   * @param replies Pages (see {@linkcode listPage}) or errors to throw.
   * @returns This fake.
   */
  queueList(...replies: ListReply<T>[]): this {
    for (const reply of replies) {
      const waiter = this.#listWaiter;
      if (waiter === undefined) {
        this.#listReplies.push(reply);
        continue;
      }
      this.#listWaiter = undefined;
      if (reply instanceof Error) waiter.reject(reply);
      else waiter.resolve(reply);
    }
    return this;
  }

  /**
   * Prepares the stream that answers the next watch request not yet answered.
   *
   * @returns The watch, to push events to before or after it is requested.
   */
  queueWatch(): ScriptedWatch<T> {
    const watch = new ScriptedWatch<T>();
    this.#queuedWatches.push(watch);
    return watch;
  }

  /** Records the request and answers it from the queue of list replies. */
  list(options: ListOptions): Promise<KubeList<T>> {
    this.#requests.push({ verb: "list", options: withoutSignal(options) });
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const reply = this.#listReplies.shift();
    if (reply !== undefined) {
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    }
    if (this.#listWaiter !== undefined) {
      return Promise.reject(new Error("concurrent list requests"));
    }
    return new Promise<KubeList<T>>((resolve, reject) => {
      const onAbort = () => {
        this.#listWaiter = undefined;
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#listWaiter = {
        resolve: (reply) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(reply as KubeList<T>);
        },
        reject: (reason) => {
          signal?.removeEventListener("abort", onAbort);
          reject(reason);
        },
      };
    });
  }

  /** Records the request and returns the next scripted stream. */
  watch(options: WatchOptions): AsyncIterable<WatchEvent<T>> {
    const watch = this.#queuedWatches.shift() ?? new ScriptedWatch<T>();
    watch.open(options);
    this.#requests.push({ verb: "watch", options: watch.options ?? {} });
    this.#watches.push(watch);
    return watch;
  }
}

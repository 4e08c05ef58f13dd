/**
 * {@linkcode AsyncQueue}: a first-in first-out queue between a synchronous
 * producer and an asynchronous consumer.
 *
 * The producer never waits: {@linkcode AsyncQueue.push} adds an item, or
 * refuses it (returns false) when the queue is full or has ended, so the
 * producer decides what a full queue means (drop, coalesce, disconnect). The
 * consumer awaits {@linkcode AsyncQueue.next} or iterates with `for await`;
 * one that is woken by its producer takes items synchronously with
 * {@linkcode AsyncQueue.take} instead.
 * The queue ends in one of two ways: {@linkcode AsyncQueue.close} lets the
 * consumer take what is queued and then see the end, while
 * {@linkcode AsyncQueue.abort} drops what is queued and rejects the consumer
 * with the reason. No timers are used, so nothing is left running after
 * either.
 *
 * @module
 */

/** Options of {@linkcode AsyncQueue}. */
export interface AsyncQueueOptions {
  /**
   * Most items held at once; {@linkcode AsyncQueue.push} refuses more.
   * @default {Infinity}
   */
  capacity?: number | undefined;
  /** Aborts the queue (with the signal's reason) when it aborts. */
  signal?: AbortSignal | undefined;
}

type QueueState = "open" | "closed" | "aborted";

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(reason: unknown): void;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

/** Slots consumed at the front before the backing array is compacted. */
const COMPACT_AFTER = 1024;

/**
 * A FIFO queue whose consumer awaits items that a synchronous producer
 * pushes; bounded or unbounded, ended by close (drain, then done) or abort
 * (drop, then reject).
 *
 * @example Producing and consuming
 * ```ts
 * import { AsyncQueue } from "./async_queue.ts";
 * const queue = new AsyncQueue<number>();
 * queue.push(1);
 * queue.push(2);
 * queue.close();
 * const seen: number[] = [];
 * for await (const item of queue) seen.push(item);
 * console.log(seen); // [1, 2]
 * ```
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.abort(this.#signal?.reason);
  #items: (T | undefined)[] = [];
  #head = 0;
  #waiters: Waiter<T>[] = [];
  #state: QueueState = "open";
  #reason: unknown = undefined;

  /**
   * Creates an open, empty queue.
   *
   * @param options Capacity and abort signal.
   */
  constructor(options?: AsyncQueueOptions) {
    options ??= {};
    const capacity = options.capacity ?? Infinity;
    if (!(capacity >= 1)) {
      throw new RangeError(`AsyncQueue: capacity must be at least 1, got ${capacity}`);
    }
    this.#capacity = capacity;
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.abort(this.#signal.reason);
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Items queued and not yet taken. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Whether the queue has ended (closed or aborted): pushes are refused. */
  get ended(): boolean {
    return this.#state !== "open";
  }

  /**
   * Adds an item, or hands it straight to a waiting consumer.
   *
   * @param item The item.
   * @returns False when the item was refused: the queue is full or has ended.
   */
  push(item: T): boolean {
    if (this.#state !== "open") return false;
    if (this.#waiters.length > 0) {
      this.#waiters.shift()!.resolve({ done: false, value: item });
      return true;
    }
    if (this.size >= this.#capacity) return false;
    this.#items.push(item);
    return true;
  }

  /**
   * Takes the next item at once, without waiting: for a consumer that runs
   * synchronously while items are queued and sleeps otherwise (the producer
   * wakes it), so an item pushed to an idle consumer costs no promise.
   *
   * @returns The next item, or `undefined` when none is queued (check
   * {@linkcode AsyncQueue.size} first when `undefined` is a valid item).
   */
  take(): T | undefined {
    return this.#head < this.#items.length ? this.#take() : undefined;
  }

  /**
   * The next item, waiting for one if the queue is empty; `done` once the
   * queue is closed and drained. Rejects with the reason once aborted.
   */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#state === "aborted") return Promise.reject(this.#reason);
    if (this.size > 0) return Promise.resolve({ done: false, value: this.#take() });
    if (this.#state === "closed") return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Ends the queue: what is queued is still taken, then the consumer sees the end. */
  close(): void {
    if (this.#state !== "open") return;
    this.#state = "closed";
    this.#release();
    for (const waiter of this.#drainWaiters()) waiter.resolve(DONE);
  }

  /**
   * Ends the queue at once: queued items are dropped and the consumer
   * (waiting now or later) is rejected with `reason`.
   *
   * @param reason Why; the consumer's rejection.
   */
  abort(reason?: unknown): void {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    this.#reason = reason;
    this.#items = [];
    this.#head = 0;
    this.#release();
    for (const waiter of this.#drainWaiters()) waiter.reject(reason);
  }

  /** Iterates until the queue is closed; leaving the loop early aborts the queue. */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.next(),
      return: () => {
        this.abort(new DOMException("The consumer stopped iterating", "AbortError"));
        return Promise.resolve(DONE);
      },
    };
  }

  #take(): T {
    const items = this.#items;
    const head = this.#head;
    const item = items[head] as T;
    if (head + 1 === items.length) { // the last one: start over with a fresh array
      this.#items = [];
      this.#head = 0;
    } else if (head + 1 >= COMPACT_AFTER && (head + 1) * 2 >= items.length) {
      this.#items = items.slice(head + 1);
      this.#head = 0;
    } else {
      items[head] = undefined;
      this.#head = head + 1;
    }
    return item;
  }

  #drainWaiters(): Waiter<T>[] {
    const waiters = this.#waiters;
    this.#waiters = [];
    return waiters;
  }

  #release(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

/**
 * One handler's delivery queue: notifications run strictly in order; a
 * synchronous handler is called at once, an asynchronous one is awaited
 * before its next notification while the others go on. A handler that throws
 * is reported and skipped, never fatal.
 *
 * @module
 */

import { HandlerLagError } from "../api/errors.ts";
import { AsyncQueue } from "../_internal/async_queue.ts";
import type { InformerEvent, ResourceEventHandler } from "./event_handler.ts";

/** A notification as queued: the same object is shared by every listener. */
export type Notification<T> = Exclude<InformerEvent<T>, { type: "synced" | "error" }>;

/** Delivers notifications to one handler. */
export class Listener<T> {
  /** Effective resync period of this handler (0 = none). */
  resyncPeriodMs: number;
  /** Clock time of its next resync. */
  nextResyncAt = 0;
  #handler: ResourceEventHandler<T>;
  #report: (error: unknown) => void;
  // The listener is its queue's only consumer and drains it synchronously (take), so a
  // synchronous handler runs within enqueue and only an asynchronous one costs a promise.
  #queue = new AsyncQueue<Notification<T>>();
  #running = false;
  #pendingInitial = 0;
  #lagReportAt: number;
  #lagThreshold: number;

  constructor(
    handler: ResourceEventHandler<T>,
    resyncPeriodMs: number,
    report: (error: unknown) => void,
    lagThreshold: number,
  ) {
    this.#handler = handler;
    this.resyncPeriodMs = resyncPeriodMs;
    this.#report = report;
    this.#lagThreshold = lagThreshold;
    this.#lagReportAt = lagThreshold;
  }

  /** Initial-list adds queued but not yet returned. */
  get pendingInitial(): number {
    return this.#pendingInitial;
  }

  /** Notifications waiting. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Whether the handler was removed. */
  get removed(): boolean {
    return this.#queue.ended;
  }

  /** Stops deliveries (the handler was removed or the informer stopped); queued notifications are dropped. */
  remove(): void {
    this.#queue.abort();
    this.#pendingInitial = 0;
  }

  /** Queues one notification and delivers it at once when the handler is idle. */
  enqueue(notification: Notification<T>): void {
    if (this.#running) {
      if (!this.#queue.push(notification)) return; // removed
      this.#countInitial(notification);
      if (this.pending >= this.#lagReportAt) {
        this.#report(new HandlerLagError(this.pending));
        this.#lagReportAt *= 2;
      }
    } else if (!this.removed) {
      // Idle means the queue is empty: the notification goes straight to the handler.
      this.#countInitial(notification);
      this.#drain(notification);
    }
  }

  /** Delivers `first`, then whatever is queued, until the queue is empty or an async handler is awaited. */
  #drain(first: Notification<T> | undefined): void {
    this.#running = true;
    for (
      let notification = first ?? this.#queue.take();
      notification !== undefined;
      notification = this.#queue.take()
    ) {
      let result: unknown;
      try {
        result = this.#call(notification);
      } catch (err) {
        this.#report(err);
        this.#done(notification);
        continue;
      }
      if (isThenable(result)) {
        result.then(
          () => this.#resume(notification),
          (err) => {
            this.#report(err);
            this.#resume(notification);
          },
        );
        return;
      }
      this.#done(notification);
    }
    this.#lagReportAt = this.#lagThreshold;
    this.#running = false;
  }

  #resume(notification: Notification<T>): void {
    this.#done(notification);
    this.#drain(undefined);
  }

  #countInitial(notification: Notification<T>): void {
    if (notification.type === "add" && notification.isInInitialList) this.#pendingInitial++;
  }

  #done(notification: Notification<T>): void {
    if (notification.type === "add" && notification.isInInitialList && this.#pendingInitial > 0) {
      this.#pendingInitial--;
    }
  }

  #call(notification: Notification<T>): unknown {
    const handler = this.#handler;
    switch (notification.type) {
      case "add":
        return handler.onAdd?.(notification.object, notification.isInInitialList);
      case "update":
        return handler.onUpdate?.(notification.oldObject, notification.newObject);
      case "delete":
        return handler.onDelete?.(notification.object);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

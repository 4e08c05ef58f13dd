/**
 * What informers tell their handlers, and the handle a registration returns.
 *
 * @module
 */

import type { DeletedFinalStateUnknown } from "../cache/deleted_final_state_unknown.ts";
import type { ReflectorRecovery } from "../watch/recovery.ts";

/**
 * Callbacks for changes of cached objects. Each runs after the cache reflects
 * the change; calls to one handler are strictly sequential (a handler that
 * returns a promise is awaited before its next call); handlers do not wait
 * for each other. Other return values are ignored.
 *
 * `onDelete` receives a {@linkcode DeletedFinalStateUnknown} tombstone when
 * the object vanished while the watch was down: check with
 * `isDeletedFinalStateUnknown` before using it as an object.
 */
export interface ResourceEventHandler<T> {
  /** An object appeared. `isInInitialList` is true for the initial list (and a late handler's replay). */
  onAdd?(object: T, isInInitialList: boolean): unknown;
  /** An object changed; on resync both arguments are the same cached object. */
  onUpdate?(oldObject: T, newObject: T): unknown;
  /** An object went away: its last state, or a tombstone when the delete itself was missed. */
  onDelete?(object: T | DeletedFinalStateUnknown<T>): unknown;
}

/** Options of `addEventHandler`. */
export interface EventHandlerOptions {
  /**
   * Re-deliver every cached object as `onUpdate(obj, obj)` this often. Raised
   * to the informer's resync period when lower; 0 disables.
   * @default {the informer's resync period}
   */
  resyncPeriodMs?: number | undefined;
}

/** The handle of one handler registration. */
export interface HandlerRegistration {
  /**
   * True once the informer has synced and every `onAdd(…, true)` of the
   * initial list (or of a late registration's replay) has returned.
   */
  hasSynced(): boolean;
  /** Stops deliveries to this handler; notifications already queued may still run. Idempotent. */
  remove(): void;
}

/** An `add` notification. */
export interface InformerAddEvent<T> {
  /** Always `add`. */
  type: "add";
  /** The new object. */
  object: T;
  /** True for the initial list. */
  isInInitialList: boolean;
}

/** An `update` notification (also used by resync). */
export interface InformerUpdateEvent<T> {
  /** Always `update`. */
  type: "update";
  /** The object before. */
  oldObject: T;
  /** The object after. */
  newObject: T;
}

/** A `delete` notification. */
export interface InformerDeleteEvent<T> {
  /** Always `delete`. */
  type: "delete";
  /** The last state, or a tombstone. */
  object: T | DeletedFinalStateUnknown<T>;
}

/** The cache holds the complete initial list. */
export interface InformerSyncedEvent {
  /** Always `synced`. */
  type: "synced";
  /** The resourceVersion of the initial state. */
  resourceVersion: string;
}

/** Listing or watching failed; the informer keeps going. */
export interface InformerErrorEvent {
  /** Always `error`. */
  type: "error";
  /** The cause (an ApiError such as a 403, a TransportError, a WatchDecodeError, a handler's exception...). */
  error: unknown;
  /**
   * What the informer does next: `handler` when a handler failed; `skip` when user code (a
   * transform, an index function) failed on one object, which is left out of the cache, or when
   * a watch delivered an object of another kind.
   */
  recovery: ReflectorRecovery | "handler";
  /** Milliseconds before it does it. */
  delayMs: number;
}

/** One item of `informer.notifications()`. */
export type InformerEvent<T> =
  | InformerAddEvent<T>
  | InformerUpdateEvent<T>
  | InformerDeleteEvent<T>
  | InformerSyncedEvent
  | InformerErrorEvent;

/** Receives informer errors (set with `setWatchErrorHandler`). */
export type WatchErrorHandler = (event: InformerErrorEvent) => void;

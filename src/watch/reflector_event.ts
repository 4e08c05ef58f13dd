/**
 * What the reflector hands to the cache writer: one vocabulary from the
 * watcher to the cache (a relist bracketed by `init` / `initDone`, then
 * changes, bookmarks and reported errors).
 *
 * @module
 */

import type { ReflectorRecovery } from "./recovery.ts";

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
  /** What failed (an `ApiError`, `TransportError`, `WatchDecodeError`, ...). */
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

/**
 * Watch events as they arrive on a Kubernetes watch stream.
 *
 * @module
 */

import type { ApiError } from "./errors.ts";
import type { KubeObject, ObjectMeta, Status } from "./meta.ts";

/** The event types a watch stream carries, spelled as on the wire. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/**
 * The object of a `BOOKMARK` event: only kind, apiVersion and
 * `metadata.resourceVersion` (plus the `k8s.io/initial-events-end`
 * annotation at the end of a streaming list).
 */
export interface BookmarkObject extends KubeObject {
  /** Carries the resourceVersion up to which the watch is complete. */
  metadata: ObjectMeta;
}

/** An object change: created (or entered the selector), changed, or deleted (or left the selector). */
export interface ObjectWatchEvent<T> {
  /** What happened to the object. */
  type: "ADDED" | "MODIFIED" | "DELETED";
  /** The object after the change; for DELETED, its last state. */
  object: T;
}

/** A progress marker: every change up to `object.metadata.resourceVersion` has been sent. */
export interface BookmarkWatchEvent {
  /** Always `BOOKMARK`. */
  type: "BOOKMARK";
  /** Metadata-only object carrying the resourceVersion. */
  object: BookmarkObject;
}

/** The server reported an error inside the stream; it closes the stream right after. */
export interface ErrorWatchEvent {
  /** Always `ERROR`. */
  type: "ERROR";
  /** The Status the server sent. */
  object: Status;
  /** The same Status as an error ({@linkcode ExpiredError} for 410). */
  error: ApiError;
}

/**
 * One decoded watch event. Narrow on `type` to get a typed `object`.
 *
 * @example Narrowing
 * ```ts
 * import type { WatchEvent } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * function describe(ev: WatchEvent<Pod>): string {
 *   switch (ev.type) {
 *     case "ADDED":
 *     case "MODIFIED":
 *     case "DELETED":
 *       return `${ev.type} pod with name ${ev.object.metadata?.name}`;
 *     case "BOOKMARK":
 *       return `bookmark at ${ev.object.metadata.resourceVersion}`;
 *     case "ERROR":
 *       return `error ${ev.error.code}`;
 *   }
 * }
 * console.log(describe({ type: "ADDED", object: { metadata: { name: "web-0" } } }));
 * ```
 */
export type WatchEvent<T> = ObjectWatchEvent<T> | BookmarkWatchEvent | ErrorWatchEvent;

/**
 * Annotation on the bookmark that ends the initial events of a streaming list.
 *
 * @example Spotting the end of a streaming list
 * ```ts
 * import { INITIAL_EVENTS_END_ANNOTATION, type WatchEvent } from "@kubesnap/kubesnap";
 * const ev: WatchEvent<unknown> = {
 *   type: "BOOKMARK",
 *   object: { metadata: { resourceVersion: "12", annotations: { [INITIAL_EVENTS_END_ANNOTATION]: "true" } } },
 * };
 * console.log(ev.type === "BOOKMARK" && ev.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === "true");
 * ```
 */
export const INITIAL_EVENTS_END_ANNOTATION: string = "k8s.io/initial-events-end";

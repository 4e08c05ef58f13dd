/**
 * Options of list, watch, write and delete requests, and their encoding as
 * query parameters spelled exactly as Kubernetes spells them.
 *
 * @module
 */

import { formatFieldSelector } from "../api/field_selector.ts";
import { formatLabelSelector } from "../api/label_selector.ts";
import type { LabelSelector } from "../api/meta.ts";

/** A label selector as a string (`app=web,tier!=db`), a structured selector, or a `matchLabels` record. */
export type LabelSelectorInput = string | LabelSelector | Readonly<Record<string, string>>;

/** A field selector as a string (`spec.nodeName=n1`) or a record of equality terms. */
export type FieldSelectorInput = string | Readonly<Record<string, string>>;

/** Options shared by every request. */
export interface RequestOptions {
  /** Aborts the request (and, for watches, the stream). */
  signal?: AbortSignal | undefined;
}

/** Selectors shared by list and watch. */
export interface SelectorOptions {
  /** Only objects whose labels match. */
  labelSelector?: LabelSelectorInput | undefined;
  /** Only objects whose fields match. */
  fieldSelector?: FieldSelectorInput | undefined;
}

/** Options of a list request. */
export interface ListOptions extends RequestOptions, SelectorOptions {
  /** Maximum items per page; the server may return fewer and still a continue token. */
  limit?: number | undefined;
  /** Token from the previous page. */
  continue?: string | undefined;
  /** `""` (most recent), `"0"` (any) or a specific resourceVersion; see `resourceVersionMatch`. */
  resourceVersion?: string | undefined;
  /** How `resourceVersion` applies: `NotOlderThan` or `Exact`. */
  resourceVersionMatch?: "NotOlderThan" | "Exact" | undefined;
  /**
   * Remove `metadata.managedFields` from every object, by cutting it out of the JSON text
   * before the text is parsed. Nothing of it is built, so decoding is faster and the objects
   * take less memory (on a kube-apiserver 1.37 it is about 45% of a pod's JSON); the objects
   * are those of `stripManagedFields` applied after parsing. Keys of that name elsewhere
   * (in `data`, annotations, `spec`) stay.
   * @default {false}
   */
  dropManagedFields?: boolean | undefined;
}

/** Options of a watch request. */
export interface WatchOptions extends RequestOptions, SelectorOptions {
  /** Start after this resourceVersion; `""`/`"0"` replay the current state as ADDED first. */
  resourceVersion?: string | undefined;
  /** Only `NotOlderThan`, together with `sendInitialEvents`. */
  resourceVersionMatch?: "NotOlderThan" | undefined;
  /** Ask for BOOKMARK events. */
  allowWatchBookmarks?: boolean | undefined;
  /** Streaming list: initial state as ADDED events, then the `k8s.io/initial-events-end` bookmark. */
  sendInitialEvents?: boolean | undefined;
  /** The server ends the stream cleanly after this many seconds. */
  timeoutSeconds?: number | undefined;
  /** Largest accepted event line in bytes. @default {16777216} */
  maxLineBytes?: number | undefined;
  /**
   * Let the server compress the stream (`Accept-Encoding: gzip`). Off by default: a
   * kube-apiserver 1.37 with `WatchListCompression` can end a gzip-encoded streaming list
   * without finishing the gzip stream, and `fetch` then drops its last events (the end
   * bookmark among them). Runtimes that forbid the header (browsers) ignore the setting.
   * @default {false}
   */
  compression?: boolean | undefined;
  /**
   * Remove `metadata.managedFields` from every object, by cutting it out of the JSON text
   * before the text is parsed. Nothing of it is built, so decoding is faster and the objects
   * take less memory (on a kube-apiserver 1.37 it is about 45% of a pod's JSON); the objects
   * are those of `stripManagedFields` applied after parsing. Keys of that name elsewhere
   * (in `data`, annotations, `spec`) stay.
   * @default {false}
   */
  dropManagedFields?: boolean | undefined;
}

/** Options of create, replace and patch. */
export interface WriteOptions extends RequestOptions {
  /** Validate and return the result without persisting it. */
  dryRun?: boolean | undefined;
  /** Name of the actor making the change (required for apply patches). */
  fieldManager?: string | undefined;
  /** `Ignore`, `Warn` or `Strict` handling of unknown fields. */
  fieldValidation?: "Ignore" | "Warn" | "Strict" | undefined;
  /** Write a subresource such as `status`. */
  subresource?: string | undefined;
}

/** The patch formats the API server accepts. */
export type PatchType = "merge" | "json" | "strategic" | "apply";

/** Options of a patch. */
export interface PatchOptions extends WriteOptions {
  /** The patch format. @default {"merge"} */
  type?: PatchType | undefined;
  /** For apply patches: take ownership of conflicting fields. */
  force?: boolean | undefined;
}

/** Options of a delete. */
export interface DeleteOptions extends RequestOptions {
  /** `Orphan`, `Background` or `Foreground` handling of dependents. */
  propagationPolicy?: "Orphan" | "Background" | "Foreground" | undefined;
  /** Seconds before the object is deleted; 0 means immediately. */
  gracePeriodSeconds?: number | undefined;
  /** Delete only if the object still has this uid and/or resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  /** Validate without deleting. */
  dryRun?: boolean | undefined;
}

/**
 * The `Content-Type` of each patch format.
 *
 * @example The header of a strategic merge patch
 * ```ts
 * import { PATCH_CONTENT_TYPES } from "@kubesnap/kubesnap";
 * console.log(PATCH_CONTENT_TYPES.strategic); // "application/strategic-merge-patch+json"
 * ```
 */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = Object.freeze({
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
});

function setSelectors(query: URLSearchParams, options: SelectorOptions): void {
  if (options.labelSelector !== undefined) {
    const text = formatLabelSelector(options.labelSelector);
    if (text !== "") query.set("labelSelector", text);
  }
  if (options.fieldSelector !== undefined) {
    const text = formatFieldSelector(options.fieldSelector);
    if (text !== "") query.set("fieldSelector", text);
  }
}

function setInteger(query: URLSearchParams, key: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
  }
  query.set(key, String(value));
}

/**
 * Encodes list options as query parameters.
 *
 * @param options The list options.
 * @returns The query.
 * @throws {RangeError} When `limit` is not a non-negative integer.
 *
 * @example Page one of a list
 * ```ts
 * import { listQuery } from "@kubesnap/kubesnap";
 * console.log(listQuery({ limit: 500, resourceVersion: "0", labelSelector: { app: "web" } }).toString());
 * // "labelSelector=app%3Dweb&limit=500&resourceVersion=0"
 * ```
 */
export function listQuery(options: ListOptions): URLSearchParams {
  const query = new URLSearchParams();
  setSelectors(query, options);
  if (options.limit !== undefined && options.limit !== 0) setInteger(query, "limit", options.limit);
  if (options.continue) query.set("continue", options.continue);
  if (options.resourceVersion !== undefined) query.set("resourceVersion", options.resourceVersion);
  if (options.resourceVersionMatch) query.set("resourceVersionMatch", options.resourceVersionMatch);
  return query;
}

/**
 * Encodes watch options as query parameters (`watch=true` included).
 *
 * @param options The watch options.
 * @returns The query.
 * @throws {RangeError} When `timeoutSeconds` is not a non-negative integer.
 *
 * @example A watch with bookmarks
 * ```ts
 * import { watchQuery } from "@kubesnap/kubesnap";
 * console.log(watchQuery({ resourceVersion: "42", allowWatchBookmarks: true, timeoutSeconds: 300 }).toString());
 * // "watch=true&resourceVersion=42&allowWatchBookmarks=true&timeoutSeconds=300"
 * ```
 */
export function watchQuery(options: WatchOptions): URLSearchParams {
  const query = new URLSearchParams({ watch: "true" });
  setSelectors(query, options);
  if (options.resourceVersion !== undefined) query.set("resourceVersion", options.resourceVersion);
  if (options.resourceVersionMatch) query.set("resourceVersionMatch", options.resourceVersionMatch);
  if (options.allowWatchBookmarks) query.set("allowWatchBookmarks", "true");
  if (options.sendInitialEvents !== undefined) {
    query.set("sendInitialEvents", String(options.sendInitialEvents));
  }
  setInteger(query, "timeoutSeconds", options.timeoutSeconds);
  return query;
}

/**
 * Encodes write options (`dryRun`, `fieldManager`, `fieldValidation`, `force`).
 *
 * @param options The write or patch options.
 * @returns The query.
 *
 * @example A server-side apply
 * ```ts
 * import { writeQuery } from "@kubesnap/kubesnap";
 * console.log(writeQuery({ fieldManager: "my-controller", force: true }).toString());
 * // "fieldManager=my-controller&force=true"
 * ```
 */
export function writeQuery(
  options: WriteOptions & { force?: boolean | undefined },
): URLSearchParams {
  const query = new URLSearchParams();
  if (options.dryRun) query.set("dryRun", "All");
  if (options.fieldManager) query.set("fieldManager", options.fieldManager);
  if (options.fieldValidation) query.set("fieldValidation", options.fieldValidation);
  if (options.force) query.set("force", "true");
  return query;
}

/**
 * The `DeleteOptions` body of a delete request.
 *
 * @param options The delete options.
 * @returns A `meta.k8s.io/v1` DeleteOptions object.
 *
 * @example Foreground deletion with a precondition
 * ```ts
 * import { deleteBody } from "@kubesnap/kubesnap";
 * console.log(deleteBody({ propagationPolicy: "Foreground", preconditions: { resourceVersion: "7" } }));
 * ```
 */
export function deleteBody(options: DeleteOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: "DeleteOptions", apiVersion: "v1" };
  if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
  if (options.gracePeriodSeconds !== undefined) {
    if (!Number.isSafeInteger(options.gracePeriodSeconds) || options.gracePeriodSeconds < 0) {
      throw new RangeError(
        `gracePeriodSeconds must be a non-negative integer, got ${options.gracePeriodSeconds}`,
      );
    }
    body.gracePeriodSeconds = options.gracePeriodSeconds;
  }
  if (options.preconditions) body.preconditions = { ...options.preconditions };
  if (options.dryRun) body.dryRun = ["All"];
  return body;
}

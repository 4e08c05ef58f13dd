/**
 * The kubesnap error family. Every error the library throws on purpose is a
 * {@linkcode KubeError}; failures reported by the API server are
 * {@linkcode ApiError}s carrying the server's `Status`.
 *
 * Messages name what failed and the offending value, never a credential and
 * never a whole object.
 *
 * @module
 */

import type { Status } from "./meta.ts";

/**
 * Base class of every error kubesnap throws on purpose.
 *
 * @example Telling kubesnap errors apart
 * ```ts
 * import { KubeError } from "@kubesnap/kubesnap";
 * try {
 *   throw new KubeError("boom");
 * } catch (err) {
 *   console.log(err instanceof KubeError); // true
 * }
 * ```
 */
export class KubeError extends Error {
  /**
   * Creates a kubesnap error.
   *
   * @param message What failed.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KubeError";
  }
}

/**
 * A request the API server answered with an error status, or an `ERROR`
 * event inside a watch stream. {@linkcode ApiError.status} holds the parsed
 * `metav1.Status`, or one synthesised from the HTTP status when the body was
 * not a Status (a 429 from priority-and-fairness is plain text).
 *
 * @example Inspecting a failure
 * ```ts
 * import { ApiError } from "@kubesnap/kubesnap";
 * const err = ApiError.fromStatus({ kind: "Status", code: 404, reason: "NotFound", message: 'pods "x" not found' });
 * console.log(err.code, err.reason); // 404 "NotFound"
 * ```
 */
export class ApiError extends KubeError {
  /** HTTP status code (from the Status `code`, else the response). */
  readonly code: number;
  /** Machine-readable reason such as `NotFound`, `Conflict`, `Expired`; `""` when unknown. */
  readonly reason: string;
  /** The Status body as sent by the server, or synthesised from the response. */
  readonly status: Status;
  /** Seconds the server asked us to wait (`Retry-After` or `details.retryAfterSeconds`). */
  readonly retryAfterSeconds: number | undefined;

  /**
   * Creates an API error from a Status.
   *
   * @param status The Status object.
   * @param options `retryAfterSeconds` from a header, and the standard `cause`.
   */
  constructor(status: Status, options?: ApiErrorOptions) {
    options ??= {};
    const code = status.code ?? 0;
    const reason = status.reason ?? "";
    const detail = status.message ? `: ${status.message}` : "";
    super(`${code}${reason ? ` ${reason}` : ""}${detail}`, options);
    this.name = "ApiError";
    this.code = code;
    this.reason = reason;
    this.status = status;
    this.retryAfterSeconds = options.retryAfterSeconds ?? status.details?.retryAfterSeconds;
  }

  /**
   * Builds the most specific error class for a Status: {@linkcode ExpiredError}
   * for 410 / `Expired` / `Gone`, else {@linkcode ApiError}.
   *
   * @param status The Status object from a response body or an ERROR event.
   * @param options `retryAfterSeconds` from a header.
   * @returns The error.
   */
  static fromStatus(status: Status, options?: ApiErrorOptions): ApiError {
    options ??= {};
    return isExpiredStatus(status)
      ? new ExpiredError(status, options)
      : new ApiError(status, options);
  }
}

/** Options of {@linkcode ApiError}. */
export interface ApiErrorOptions extends ErrorOptions {
  /** Seconds from a `Retry-After` header; overrides `details.retryAfterSeconds`. */
  retryAfterSeconds?: number | undefined;
}

/**
 * A 410: the requested resourceVersion or continue token is older than the
 * server keeps. Informers answer it by listing again.
 *
 * @example Recognising an expired watch
 * ```ts
 * import { ApiError, ExpiredError } from "@kubesnap/kubesnap";
 * const err = ApiError.fromStatus({ code: 410, reason: "Expired", message: "too old resource version: 1 (5)" });
 * console.log(err instanceof ExpiredError); // true
 * ```
 */
export class ExpiredError extends ApiError {
  /**
   * Creates an expired error.
   *
   * @param status The 410 Status.
   * @param options `retryAfterSeconds` and `cause`.
   */
  constructor(status: Status, options?: ApiErrorOptions) {
    options ??= {};
    super(status, options);
    this.name = "ExpiredError";
  }

  /** The fresh (inconsistent) continue token an expired-continue 410 carries, if any. */
  get continueToken(): string | undefined {
    return this.status.metadata?.continue || undefined;
  }
}

/**
 * True when a Status means "expired": reason `Expired`, the older reason
 * `Gone`, or code 410 with any other reason.
 *
 * @param status The Status to test.
 * @returns Whether it reports an expired resourceVersion or continue token.
 *
 * @example Classifying an ERROR event
 * ```ts
 * import { isExpiredStatus } from "@kubesnap/kubesnap";
 * console.log(isExpiredStatus({ code: 410, reason: "Gone" })); // true
 * ```
 */
export function isExpiredStatus(status: Status): boolean {
  return status.reason === "Expired" || status.reason === "Gone" || status.code === 410;
}

/**
 * True when an error is an {@linkcode ApiError} reporting an expired
 * resourceVersion or continue token (410).
 *
 * @param err Any thrown value.
 * @returns Whether it is an expired error.
 *
 * @example Deciding to relist
 * ```ts
 * import { ApiError, isExpired } from "@kubesnap/kubesnap";
 * console.log(isExpired(ApiError.fromStatus({ code: 410 }))); // true
 * console.log(isExpired(new Error("x"))); // false
 * ```
 */
export function isExpired(err: unknown): boolean {
  return err instanceof ApiError && isExpiredStatus(err.status);
}

/**
 * True when the server refused a resourceVersion newer than it has
 * (504 Timeout with cause `ResourceVersionTooLarge`, or the older message form).
 * Clients treat it like an expired resourceVersion and list again.
 *
 * @param err Any thrown value.
 * @returns Whether it is a "too large resource version" error.
 *
 * @example Detecting a lagging server
 * ```ts
 * import { ApiError, isTooLargeResourceVersion } from "@kubesnap/kubesnap";
 * const err = ApiError.fromStatus({
 *   code: 504,
 *   reason: "Timeout",
 *   details: { causes: [{ reason: "ResourceVersionTooLarge" }] },
 * });
 * console.log(isTooLargeResourceVersion(err)); // true
 * ```
 */
export function isTooLargeResourceVersion(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.status.details?.causes?.some((c) => c.reason === "ResourceVersionTooLarge")) return true;
  return (err.status.message ?? "").includes("Too large resource version");
}

/**
 * The request never got an HTTP response: connection refused or reset, DNS,
 * TLS handshake failure, or a body that ended abruptly. The original error is
 * the `cause`.
 *
 * @example Wrapping a network failure
 * ```ts
 * import { TransportError } from "@kubesnap/kubesnap";
 * const err = new TransportError("GET /api/v1/pods failed", { cause: new TypeError("connection refused") });
 * console.log(err.message);
 * ```
 */
export class TransportError extends KubeError {
  /**
   * Creates a transport error.
   *
   * @param message What failed (method and path, never credentials).
   * @param options Standard error options; `cause` is the runtime's error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TransportError";
  }
}

/** Why a watch stream could not be decoded. */
export type WatchDecodeErrorKind =
  | "malformed-json"
  | "unknown-type"
  | "missing-object"
  | "line-too-long"
  | "invalid-utf8";

/**
 * A watch stream carried something that is not a valid watch event: a line
 * that is not JSON, an unknown event type, an event without an object, a line
 * over the size limit, or invalid UTF-8. The stream ends with this error; no
 * half-parsed object is ever yielded.
 *
 * @example Reacting to garbage on a watch
 * ```ts
 * import { WatchDecodeError } from "@kubesnap/kubesnap";
 * const err = new WatchDecodeError("unknown-type", "unknown watch event type \"FOO\" at line 3");
 * console.log(err.kind); // "unknown-type"
 * ```
 */
export class WatchDecodeError extends KubeError {
  /** What was wrong. */
  readonly kind: WatchDecodeErrorKind;

  /**
   * Creates a decode error.
   *
   * @param kind What was wrong.
   * @param message Where (line number, length); never the line's content.
   * @param options Standard error options.
   */
  constructor(kind: WatchDecodeErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WatchDecodeError";
    this.kind = kind;
  }
}

/**
 * A kubeconfig, in-cluster configuration or credential plugin is malformed,
 * incomplete or cannot be read. The message names the file, line or key.
 *
 * @example Reporting a bad kubeconfig
 * ```ts
 * import { KubeConfigError } from "@kubesnap/kubesnap";
 * const err = new KubeConfigError('context "dev" names cluster "nope", which is not defined');
 * console.log(err.name); // "KubeConfigError"
 * ```
 */
export class KubeConfigError extends KubeError {
  /**
   * Creates a configuration error.
   *
   * @param message What is wrong and where.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "KubeConfigError";
  }
}

/**
 * User code (a transform, an index function, `tweakListOptions`) threw or
 * returned something unusable for one object. The informer keeps running: the
 * object is left out of the cache (a cached earlier version of it is removed,
 * with a delete notification), so the cache never serves a version older than
 * what the server sent.
 *
 * @example Recognising it in an error handler
 * ```ts
 * import { UserCodeError } from "@kubesnap/kubesnap";
 * const err = new UserCodeError("transform", "default/web-0", { cause: new Error("boom") });
 * console.log(err.message); // "transform failed for default/web-0: boom"
 * ```
 */
export class UserCodeError extends KubeError {
  /** Which user code failed: `transform`, `index`, `tweakListOptions`. */
  readonly stage: string;
  /** Key (`namespace/name` or `name`) of the object, when there is one. */
  readonly key: string | undefined;
  /**
   * Creates the error.
   *
   * @param stage Which user code failed.
   * @param key Key of the object it failed on, if any.
   * @param options The thrown value as `cause`.
   */
  constructor(stage: string, key: string | undefined, options: { cause?: unknown } = {}) {
    const cause = options.cause instanceof Error
      ? options.cause.message
      : options.cause === undefined
      ? "no usable result"
      : String(options.cause);
    super(`${stage} failed${key === undefined ? "" : ` for ${key}`}: ${cause}`, options);
    this.name = "UserCodeError";
    this.stage = stage;
    this.key = key;
  }
}

/**
 * A watch delivered an object of another kind than the resource watched (a
 * Node on a pods watch, say); it was skipped.
 *
 * @example Recognising it in an error handler
 * ```ts
 * import { UnexpectedKindError } from "@kubesnap/kubesnap";
 * const err = new UnexpectedKindError("Pod", "Node", "node-1");
 * console.log(err.message); // 'a watch of Pod delivered a Node ("node-1"); it was skipped'
 * ```
 */
export class UnexpectedKindError extends KubeError {
  /**
   * Creates the error.
   *
   * @param expected The kind watched.
   * @param received The kind delivered.
   * @param key Key of the delivered object.
   */
  constructor(expected: string, received: string, key: string) {
    super(
      `a watch of ${expected} delivered a ${received} (${JSON.stringify(key)}); it was skipped`,
    );
    this.name = "UnexpectedKindError";
  }
}

/**
 * The reason a watch is closed when it went silent for too long.
 *
 * @example Recognising it in an error handler
 * ```ts
 * import { WatchIdleError } from "@kubesnap/kubesnap";
 * const err: unknown = new WatchIdleError(90_000);
 * console.log(err instanceof WatchIdleError, (err as Error).message);
 * ```
 */
export class WatchIdleError extends KubeError {
  /**
   * Creates the error.
   *
   * @param idleMs How long the watch was silent.
   */
  constructor(idleMs: number) {
    super(`the watch delivered nothing for ${idleMs} ms; reconnecting`);
    this.name = "WatchIdleError";
  }
}

/**
 * A watch ended less than a second after it opened, without a single event.
 *
 * @example Recognising it in an error handler
 * ```ts
 * import { VeryShortWatchError } from "@kubesnap/kubesnap";
 * const err: unknown = new VeryShortWatchError();
 * console.log(err instanceof VeryShortWatchError); // true
 * ```
 */
export class VeryShortWatchError extends KubeError {
  /** Creates the error. */
  constructor() {
    super("very short watch: the watch ended within a second without any event");
    this.name = "VeryShortWatchError";
  }
}

/**
 * A streaming list ended (cleanly or not) before its `k8s.io/initial-events-end`
 * bookmark, so the state it carried is incomplete and was dropped.
 *
 * @example Recognising it in an error handler
 * ```ts
 * import { IncompleteStreamingListError } from "@kubesnap/kubesnap";
 * const err: unknown = new IncompleteStreamingListError(3);
 * console.log(err instanceof IncompleteStreamingListError, (err as IncompleteStreamingListError).events); // true 3
 * ```
 */
export class IncompleteStreamingListError extends KubeError {
  /** Events received before the stream ended. */
  readonly events: number;
  /**
   * Creates the error.
   *
   * @param events Events received before the stream ended.
   * @param options The error that ended the stream, if any.
   */
  constructor(events: number, options: { cause?: unknown } = {}) {
    super(
      `the streaming list ended after ${events} ${
        events === 1 ? "event" : "events"
      } without its end bookmark`,
      options,
    );
    this.name = "IncompleteStreamingListError";
    this.events = events;
  }
}

/**
 * A watch ended without moving the resourceVersion on, sooner than a healthy
 * watch ends; re-watching at once could turn it into a request loop.
 *
 * @example Recognising it in an error handler
 * ```ts
 * import { WatchWithoutProgressError } from "@kubesnap/kubesnap";
 * const err: unknown = new WatchWithoutProgressError(2500);
 * console.log(err instanceof WatchWithoutProgressError); // true
 * ```
 */
export class WatchWithoutProgressError extends KubeError {
  /**
   * Creates the error.
   *
   * @param durationMs How long the watch lasted.
   * @param options The error that ended the watch, if any.
   */
  constructor(durationMs: number, options: { cause?: unknown } = {}) {
    const cause = options.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(
      `the watch ended after ${Math.round(durationMs)} ms without any new resourceVersion${cause}`,
      options,
    );
    this.name = "WatchWithoutProgressError";
  }
}

/**
 * Reported (through the error handler and `events()`) when a handler falls
 * behind: when this many notifications wait for it, and again at each doubling.
 *
 * @example Watching for slow handlers
 * ```ts
 * import { HandlerLagError } from "@kubesnap/kubesnap";
 * const err = new HandlerLagError(20_000);
 * console.log(err.pending); // 20000
 * ```
 */
export class HandlerLagError extends KubeError {
  /** Notifications waiting for the handler. */
  readonly pending: number;

  /**
   * Creates the error.
   *
   * @param pending Notifications waiting.
   */
  constructor(pending: number) {
    super(`an event handler is falling behind: ${pending} notifications are waiting for it`);
    this.name = "HandlerLagError";
    this.pending = pending;
  }
}

/** One informer that had not synced when {@linkcode CacheSyncTimeoutError} was thrown. */
export interface UnsyncedInformer {
  /** The informer, in words (`pods informer`). */
  informer: string;
  /** Objects its current list had received. */
  listedObjects: number;
  /** The message of the last error it reported, if any. */
  lastError: string | undefined;
}

/**
 * Thrown by `waitForCacheSync({ timeoutMs })` when informers have not synced
 * in time; names each of them and its last error.
 *
 * @example
 * ```ts
 * import { CacheSyncTimeoutError } from "@kubesnap/kubesnap";
 * const err = new CacheSyncTimeoutError(5000, [
 *   { informer: "pods informer", listedObjects: 0, lastError: "connection refused" },
 * ]);
 * console.log(err.message);
 * // 1 informer did not sync within 5 s: pods informer (last error: connection refused)
 * ```
 */
export class CacheSyncTimeoutError extends KubeError {
  /** The informers that had not synced. */
  readonly unsynced: readonly UnsyncedInformer[];
  /** How long was waited. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param timeoutMs How long was waited.
   * @param unsynced The informers that had not synced.
   */
  constructor(timeoutMs: number, unsynced: readonly UnsyncedInformer[]) {
    const each = unsynced.map((u) =>
      u.lastError === undefined
        ? `${u.informer} (${u.listedObjects} objects listed, no error)`
        : `${u.informer} (last error: ${u.lastError})`
    );
    const count = unsynced.length === 1 ? "1 informer" : `${unsynced.length} informers`;
    super(`${count} did not sync within ${timeoutMs / 1000} s: ${each.join("; ")}`);
    this.name = "CacheSyncTimeoutError";
    this.timeoutMs = timeoutMs;
    this.unsynced = unsynced;
  }
}

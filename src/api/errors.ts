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
 * import { KubeError } from "./errors.ts";
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
 * import { ApiError } from "./errors.ts";
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
  constructor(status: Status, options: ApiErrorOptions = {}) {
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
  static fromStatus(status: Status, options: ApiErrorOptions = {}): ApiError {
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
 * import { ApiError, ExpiredError } from "./errors.ts";
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
  constructor(status: Status, options: ApiErrorOptions = {}) {
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
 * import { isExpiredStatus } from "./errors.ts";
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
 * import { ApiError, isExpired } from "./errors.ts";
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
 * import { ApiError, isTooLargeResourceVersion } from "./errors.ts";
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
 * import { TransportError } from "./errors.ts";
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
 * import { WatchDecodeError } from "./errors.ts";
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
 * import { KubeConfigError } from "./errors.ts";
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

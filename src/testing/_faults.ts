/**
 * Fault injection: failing the next requests with a chosen status.
 *
 * @module
 */

import type { Status } from "../api/meta.ts";
import { defaultsForCode, failure } from "./_status.ts";

/** Verbs a request is classified as (Kubernetes' RBAC verbs, plus `discovery`). */
export type RequestVerb =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "delete"
  | "deletecollection"
  | "discovery";

/** What the server knows about a request when deciding whether a fault applies. */
export interface RequestInfo {
  /** HTTP method. */
  readonly method: string;
  /** URL path. */
  readonly path: string;
  /** Query string without the `?`. */
  readonly query: string;
  /** The verb, or undefined for paths that are not API requests. */
  readonly verb: RequestVerb | undefined;
  /** Resource plural, such as `pods`, for resource requests. */
  readonly resource: string | undefined;
  /** API group of the resource (`""` for core). */
  readonly group: string | undefined;
  /** Namespace from the path. */
  readonly namespace: string | undefined;
  /** Object name from the path. */
  readonly name: string | undefined;
  /** Subresource from the path, such as `status`. */
  readonly subresource: string | undefined;
}

/** Which requests a fault applies to. */
export interface RequestMatch {
  /** Only these verbs. */
  verb?: RequestVerb | readonly RequestVerb[];
  /** Only this resource (plural, such as `pods`). */
  resource?: string;
  /** Only this namespace. */
  namespace?: string;
}

/** Options of `FakeApiServer.failNext`. */
export interface FailNextOptions {
  /** HTTP status to answer with, such as 429, 500, 503 or 504. */
  status: number;
  /** How many matching requests fail. @default {1} */
  count?: number;
  /** Adds `Retry-After` and `details.retryAfterSeconds`. */
  retryAfterSeconds?: number;
  /**
   * The body: a string is sent as `text/plain` (like priority-and-fairness
   * 429s), an object as JSON. @default {a Status with Kubernetes' reason and message for the code}
   */
  body?: string | Record<string, unknown>;
  /** Only requests this matches; a predicate or a verb/resource/namespace filter. @default {every request} */
  match?: RequestMatch | ((request: RequestInfo) => boolean);
}

interface Fault {
  options: FailNextOptions;
  remaining: number;
}

function matches(match: FailNextOptions["match"], info: RequestInfo): boolean {
  if (match === undefined) return true;
  if (typeof match === "function") return match(info);
  if (match.verb !== undefined) {
    const verbs: readonly RequestVerb[] = typeof match.verb === "string"
      ? [match.verb]
      : match.verb;
    if (info.verb === undefined || !verbs.includes(info.verb)) return false;
  }
  if (match.resource !== undefined && match.resource !== info.resource) return false;
  if (match.namespace !== undefined && match.namespace !== info.namespace) return false;
  return true;
}

/** The queue of pending faults, first added first used. */
export class FaultQueue {
  #faults: Fault[] = [];

  /** Adds a fault. */
  add(options: FailNextOptions): void {
    if (!Number.isInteger(options.status) || options.status < 100 || options.status > 599) {
      throw new RangeError(`failNext: status must be an HTTP status code, got ${options.status}`);
    }
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`failNext: count must be a positive integer, got ${count}`);
    }
    this.#faults.push({ options, remaining: count });
  }

  /** Removes every pending fault. */
  clear(): void {
    this.#faults = [];
  }

  /** Pending faults. */
  get size(): number {
    return this.#faults.length;
  }

  /** The response of the first fault matching a request (consuming one use), if any. */
  take(info: RequestInfo): Response | undefined {
    const index = this.#faults.findIndex((f) => matches(f.options.match, info));
    if (index < 0) return undefined;
    const fault = this.#faults[index]!;
    if (--fault.remaining === 0) this.#faults.splice(index, 1);
    return faultResponse(fault.options);
  }
}

function faultResponse(options: FailNextOptions): Response {
  const headers = new Headers();
  if (options.retryAfterSeconds !== undefined) {
    headers.set("Retry-After", String(options.retryAfterSeconds));
  }
  const body = options.body;
  if (typeof body === "string") {
    headers.set("Content-Type", "text/plain; charset=utf-8");
    return new Response(body, { status: options.status, headers });
  }
  headers.set("Content-Type", "application/json");
  if (body !== undefined) {
    return new Response(JSON.stringify(body), { status: options.status, headers });
  }
  const { reason, message } = defaultsForCode(options.status);
  const status: Status = failure(
    options.status,
    reason,
    message,
    options.retryAfterSeconds !== undefined
      ? { retryAfterSeconds: options.retryAfterSeconds }
      : undefined,
  );
  return new Response(JSON.stringify(status), { status: options.status, headers });
}

/**
 * What the comparison needs from an informer, whichever library runs it: start
 * it, read its cache as keys and resourceVersions, and see every handler call.
 * `_kubesnap_side.ts` and `_client_node_side.ts` implement it.
 *
 * @module
 */

/** The libraries compared. */
export type SideName = "kubesnap" | "client-node";

/** One call of a handler. */
export interface HandlerCall {
  /** Which handler. */
  type: "add" | "update" | "delete";
  /** `namespace/name`. */
  key: string;
  /** resourceVersion of the object passed ("" for a tombstone without one). */
  resourceVersion: string;
  /** The delete handler got a tombstone (the object vanished while the watch was down). */
  tombstone: boolean;
  /** `performance.now()` at the call. */
  atMs: number;
}

/** How a side is built. */
export interface SideOptions {
  /** kubeconfig text pointing at the server. */
  kubeconfig: string;
  /** Keep every call and a key to resourceVersion map built from the calls. @default {true} */
  record?: boolean;
  /** client-node only: `limit` passed to the list function (a user asking for pages). */
  listLimit?: number;
  /**
   * client-node only: the error handler restarts the informer after this
   * delay, as client-node's informer example does (5 s); null: no restart.
   * @default {5000}
   */
  restartDelayMs?: number | null;
  /** kubesnap only: the informers' `tweakListOptions`. */
  tweakListOptions?: (options: Record<string, unknown>) => void;
  /** Called at each handler call (after it is recorded). */
  onCall?: (call: HandlerCall) => void;
  /** Called with each error the library reports. */
  onError?: (text: string) => void;
}

/** A running (or startable) informer of pods. */
export interface Side {
  /** Which library. */
  readonly name: SideName;
  /** Resolves once the side can start at once (client-node on Node: the process is up). */
  ready(): Promise<void>;
  /** Starts the informer; resolves with whether it reports synced (its own signal). */
  start(): Promise<boolean>;
  /** The cache: key to resourceVersion. */
  cache(): Promise<Map<string, string>>;
  /**
   * What `metadata.creationTimestamp` of a cached object is: `"Date"`,
   * `"string"` or `"undefined"` (absent object or field).
   */
  timestampType(key: string): Promise<string>;
  /** Key to resourceVersion as the handlers saw it (adds and updates set, deletes remove). */
  readonly mirror: Map<string, string>;
  /** Every handler call, in order (empty when `record` is false). */
  readonly calls: HandlerCall[];
  /** Handler call counts. */
  readonly counts: { add: number; update: number; delete: number };
  /** `performance.now()` of the first and last update call. */
  readonly updateTimes: { first: number; last: number };
  /** Errors the library reported to its error handler. */
  readonly errors: string[];
  /** Stops the informer and releases its connections. */
  stop(): Promise<void>;
}

/** `namespace/name` of an object. */
export function keyOf(object: { metadata?: { namespace?: string; name?: string } }): string {
  const meta = object.metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name ?? ""}` : meta.name ?? "";
}

/** A short description of an error: its name, HTTP status when known, and message. */
export function describeError(error: unknown): string {
  if (error === null || typeof error !== "object") return String(error);
  const e = error as { name?: unknown; message?: unknown; statusCode?: unknown; code?: unknown };
  const status = typeof e.statusCode === "number"
    ? e.statusCode
    : typeof e.code === "number"
    ? e.code
    : undefined;
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message.slice(0, 120) : "";
  return `${name}${status === undefined ? "" : ` ${status}`}${message ? `: ${message}` : ""}`;
}

/** Bookkeeping shared by both sides: calls, mirror, counts. */
export class CallRecorder {
  readonly calls: HandlerCall[] = [];
  readonly mirror: Map<string, string> = new Map();
  readonly counts: { add: number; update: number; delete: number } = {
    add: 0,
    update: 0,
    delete: 0,
  };
  readonly updateTimes: { first: number; last: number } = { first: 0, last: 0 };
  readonly #record: boolean;
  readonly #onCall: ((call: HandlerCall) => void) | undefined;

  constructor(record: boolean, onCall?: (call: HandlerCall) => void) {
    this.#record = record;
    this.#onCall = onCall;
  }

  /** Records one call. */
  call(
    type: HandlerCall["type"],
    key: string,
    resourceVersion: string,
    tombstone: boolean,
  ): void {
    this.counts[type]++;
    const atMs = performance.now();
    if (type === "update") {
      if (this.updateTimes.first === 0) this.updateTimes.first = atMs;
      this.updateTimes.last = atMs;
    }
    if (this.#record) {
      this.calls.push({ type, key, resourceVersion, tombstone, atMs });
      if (type === "delete") this.mirror.delete(key);
      else this.mirror.set(key, resourceVersion);
    }
    this.#onCall?.({ type, key, resourceVersion, tombstone, atMs });
  }
}

/** What `metadata.creationTimestamp` of an object is. */
export function timestampTypeOf(object: unknown): string {
  const meta = (object as { metadata?: { creationTimestamp?: unknown } } | undefined)?.metadata;
  const value = meta?.creationTimestamp;
  return value instanceof Date ? "Date" : typeof value;
}

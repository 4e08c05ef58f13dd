/**
 * What a write is told before it starts: where it comes from, and therefore
 * which of kube-apiserver's request-handling steps it goes through.
 *
 * A request over HTTP goes through all of them, as on a real server. The
 * server's direct test API (`server.create/update/delete`) goes through none:
 * it stores what the test gives (uid, timestamps and status included) so that
 * a test can set up any state. The verbs read these decisions; they never ask
 * where a write came from.
 *
 * @module
 */

/** The request-handling steps a write goes through. */
export interface Admission {
  /**
   * Decode the body as kube-apiserver does: JSON nulls dropped, every field checked against the
   * kind's schema (`checkDecodable`).
   */
  readonly decode: boolean;
  /**
   * The strategies' `Validate`/`ValidateUpdate` and the storage preconditions: labels,
   * annotations, data keys, pod spec updates, namespace finalizer names, no resourceVersion on
   * create, a matching uid on update, a resourceVersion on custom resource updates.
   */
  readonly validate: boolean;
  /** The NamespaceLifecycle admission plugin: no new objects in a missing or terminating namespace. */
  readonly namespaceLifecycle: boolean;
  /**
   * The strategies' `PrepareForCreate`/`PrepareForUpdate`: the server sets uid,
   * creationTimestamp, generation and the initial status, drops deletion fields the input
   * sets, keeps status on writes of the main resource, keeps a namespace's `spec.finalizers`
   * outside `finalize`, and defaults a namespace's finalizer and name label.
   */
  readonly prepare: boolean;
  /**
   * Deletion as a real server does it: finalizers keep a namespace Terminating, a pod is deleted
   * in two writes (marked, then removed), and removing the last finalizer deletes the object as
   * it was stored.
   */
  readonly gracefulDeletion: boolean;
  /** An update that changes nothing is not written (no new resourceVersion, no event). */
  readonly skipNoOpUpdates: boolean;
  /** Record the request's manager in an `Update` entry of managedFields. */
  readonly recordManager: boolean;
}

/** A request over HTTP: every step. */
export const API_ADMISSION: Admission = Object.freeze({
  decode: true,
  validate: true,
  namespaceLifecycle: true,
  prepare: true,
  gracefulDeletion: true,
  skipNoOpUpdates: true,
  recordManager: true,
});

/** The direct test API: no step; the state is what the test wrote. */
export const DIRECT_ADMISSION: Admission = Object.freeze({
  decode: false,
  validate: false,
  namespaceLifecycle: false,
  prepare: false,
  gracefulDeletion: false,
  skipNoOpUpdates: false,
  recordManager: false,
});

/** The request facts of a write, as its caller states them. */
export interface WriteFacts {
  /** Namespace from the request path (HTTP), or undefined (direct API). */
  pathNamespace?: string | undefined;
  /** Name from the request path (HTTP updates/patches). */
  pathName?: string | undefined;
  /** Subresource (`status`, `finalize`, `scale`) or undefined. */
  subresource?: string | undefined;
  /** Validate and compute, do not store. */
  dryRun?: boolean;
  /** Store without watch events (the resourceVersion still advances). */
  silent?: boolean;
  /** Manager recorded for server-side apply. */
  fieldManager?: string | undefined;
  /**
   * Manager of an `Update` entry in managedFields (HTTP writes other than apply): the
   * `fieldManager` parameter, else the User-Agent up to its first `/`, as kube-apiserver does.
   */
  manager?: string | undefined;
  /**
   * What that Update entry owns, when not the whole input (a `scale` write owns only
   * `spec.replicas` of its parent).
   */
  managedConfig?: unknown;
}

/** A write as its caller asks for it: over HTTP or through the direct API. */
export interface WriteRequest extends WriteFacts {
  /** True for HTTP requests ({@linkcode API_ADMISSION}), false for the direct API. */
  http: boolean;
}

/** A write as the verbs see it: the request facts and the admission decided for them. */
export interface WriteContext extends WriteFacts {
  /** The steps this write goes through. */
  readonly admission: Admission;
}

/** Decides a request's admission. */
export function writeContext(request: WriteRequest): WriteContext {
  const { http, ...facts } = request;
  return { ...facts, admission: http ? API_ADMISSION : DIRECT_ADMISSION };
}

/**
 * The semantics of the fake apiserver, shared by its HTTP routes and its
 * direct test API: create (generateName, uid, timestamps, validation),
 * update with optimistic concurrency, patch, delete with finalizers,
 * deletecollection, list with snapshots and pagination, and watch.
 *
 * Failures throw {@linkcode StatusError} with the Status a real server sends.
 *
 * @module
 */

import { seededRandom } from "../_internal/seeded_random.ts";
import type { KubeObject, ManagedFieldsEntry, ObjectMeta, Status } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import { namespaces as NAMESPACES } from "../api/resources.ts";
import type { Clock } from "../_internal/clock.ts";
import { decodeContinue, encodeContinue, type ListOptions } from "./_list_options.ts";
import {
  type Change,
  lowerBound,
  type ObjectParts,
  ObjectStore,
  partsOf,
  type ResourceTable,
  type StoredObject,
} from "./_object_store.ts";
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  fieldSet,
  type Json,
  PatchError,
} from "./_patch.ts";
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  EXPIRED_CONTINUE,
  EXPIRED_LIST,
  failure,
  type FieldError,
  forbiddenField,
  invalid,
  invalidField,
  notFound,
  qualifiedResource,
  requiredField,
  StatusError,
  tooLargeResourceVersion,
  tooOldResourceVersion,
  unsupportedMediaType,
} from "./_status.ts";
import { compileFilter, type OpenWatchOptions, type Watcher, WatchHub } from "./_watch_hub.ts";
import { checkDecodable } from "./_validation_decode.ts";
import { validateDataKeys, validateLabelsAndAnnotations } from "./_validation_meta.ts";
import { validatePodSpecUpdate } from "./_validation_pod.ts";

/** Built-in resources whose objects track `metadata.generation`. */
const GENERATION_TRACKED: ReadonlySet<string> = new Set([
  "/pods",
  "apps/replicasets",
  "apps/deployments",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "batch/cronjobs",
  "networking.k8s.io/ingresses",
]);

/** Built-in resources whose delete answers with the object rather than a Status. */
const RETURNS_DELETED_OBJECT: ReadonlySet<string> = new Set(["/pods", "/services", "/namespaces"]);

/** Built-in resources whose `data` keys must be config keys, and the fields holding them. */
const DATA_KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "/configmaps": ["data", "binaryData"],
  "/secrets": ["data", "stringData"],
};

/**
 * Namespaces every cluster has. The fake does not store them (so that a new server is empty
 * and at resourceVersion 1) but treats them as existing when a write names them.
 */
const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
]);

/** Label that kube-apiserver keeps on every namespace, set to its name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Built-in resources whose names must be DNS-1123 labels (or DNS-1035 for services). */
const LABEL_NAMED: ReadonlySet<string> = new Set(["/namespaces", "/services"]);

const META_ORDER = [
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
];
const OMIT_EMPTY = new Set([
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** Formats epoch milliseconds as RFC 3339 with second precision, as Kubernetes does. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export { seededRandom };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null) out[k] = stripNulls(v);
  }
  return out;
}

function setOrDelete<K extends keyof ObjectMeta>(
  target: ObjectMeta,
  key: K,
  value: ObjectMeta[K] | undefined,
): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/** Where a write comes from: HTTP requests get a real server's input checks. */
export interface WriteContext {
  /** Namespace from the request path (HTTP), or undefined (direct API). */
  pathNamespace?: string | undefined;
  /** Name from the request path (HTTP updates/patches). */
  pathName?: string | undefined;
  /** Subresource (`status`) or undefined. */
  subresource?: string | undefined;
  /** True for HTTP requests (status reset, no-op detection, uid from the server). */
  http: boolean;
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

/** Result of a delete. */
export interface DeleteResult {
  /** The object: deleted (stamped with the deletion's RV) or marked for deletion. */
  stored: StoredObject;
  /** True when the object is gone, false when finalizers keep it. */
  deleted: boolean;
}

/** A list page. */
export interface ListPage {
  /** resourceVersion of the list. */
  rv: number;
  /** Items of the page. */
  items: StoredObject[];
  /** Token for the next page. */
  continueToken: string | undefined;
  /** Items left after this page (no selectors only). */
  remainingItemCount: number | undefined;
}

/** Supported patch types, by content type. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

/** Options of {@linkcode Registry}. */
export interface RegistryOptions {
  historySize: number;
  bookmarkIntervalMs: number;
  streamingLists: boolean;
  clock: Clock;
  now: () => number;
  random: () => number;
  /** Told of every committed change, silent ones included (the namespace controller). */
  onCommit?: ((change: Change) => void) | undefined;
}

/** Watch request, after parsing. */
export interface WatchRequest {
  table: ResourceTable;
  namespace: string | undefined;
  name: string | undefined;
  options: ListOptions;
  view: OpenWatchOptions["view"];
  includeObject: OpenWatchOptions["includeObject"];
  signal: AbortSignal;
}

/** `spec.finalizers` of a namespace, from the JSON of its fields between metadata and status. */
export function specFinalizers(specInner: string): string[] {
  if (specInner === "") return [];
  const spec = (JSON.parse(`{${specInner}}`) as { spec?: { finalizers?: unknown } }).spec;
  return Array.isArray(spec?.finalizers) ? spec.finalizers.map(String) : [];
}

/** Finalizer names that are not allowed (`validateFinalizerName` in the core validation). */
const STANDARD_FINALIZERS: ReadonlySet<string> = new Set([
  "kubernetes",
  "orphan",
  "foregroundDeletion",
]);

function finalizerNameErrors(finalizers: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  finalizers.forEach((finalizer, i) => {
    if (!finalizer.includes("/") && !STANDARD_FINALIZERS.has(finalizer)) {
      errors.push(
        invalidField(
          `spec.finalizers[${i}]`,
          finalizer,
          "name is neither a standard finalizer name nor is it fully qualified",
        ),
      );
    }
  });
  return errors;
}

/** Applies a JSON, merge or strategic merge patch; a patch that cannot apply is 422. */
export function applyPatch(base: Json, type: Exclude<PatchType, "apply">, patch: unknown): Json {
  try {
    switch (type) {
      case "json":
        return applyJsonPatch(base, patch as Json);
      case "merge":
        return applyMergePatch(base, patch as Json);
      case "strategic":
        return applyStrategicMergePatch(base, patch as Json);
    }
  } catch (err) {
    if (err instanceof PatchError) {
      // kube-apiserver does not say which operation failed.
      throw new StatusError(
        failure(
          422,
          "Invalid",
          "the server rejected our request due to an error in our request",
          {},
        ),
      );
    }
    throw err;
  }
}

/** Storage plus semantics. */
export class Registry {
  readonly store: ObjectStore;
  readonly hub: WatchHub;
  readonly #builtinIds: Set<string>;
  readonly #options: RegistryOptions;

  constructor(options: RegistryOptions, builtins: readonly ResourceDescriptor[]) {
    this.#options = options;
    this.hub = new WatchHub({
      clock: options.clock,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      currentRv: () => this.store.resourceVersion,
    });
    this.store = new ObjectStore({
      historySize: options.historySize,
      onChange: (change: Change) => this.hub.dispatch(change),
      onCommit: options.onCommit,
    });
    this.#builtinIds = new Set(builtins.map((d) => `${d.group}/${d.plural}`));
    for (const d of builtins) this.store.register(d, true);
  }

  /** Whether streaming lists are served. */
  get streamingLists(): boolean {
    return this.#options.streamingLists;
  }

  /** Adds a resource. */
  register(descriptor: ResourceDescriptor): ResourceTable {
    return this.store.register(
      descriptor,
      this.#builtinIds.has(`${descriptor.group}/${descriptor.plural}`),
    );
  }

  // -------------------------------------------------------------------------
  // Helpers.

  #uid(): string {
    const hex = (n: number) => {
      let s = "";
      for (let i = 0; i < n; i++) s += Math.floor(this.#options.random() * 16).toString(16);
      return s;
    };
    const variant = "89ab"[Math.floor(this.#options.random() * 4)]!;
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }

  #nameSuffix(): string {
    let s = "";
    for (let i = 0; i < 5; i++) {
      s += NAME_CHARS[Math.floor(this.#options.random() * NAME_CHARS.length)]!;
    }
    return s;
  }

  #now(): string {
    return rfc3339(this.#options.now());
  }

  #tracksGeneration(table: ResourceTable): boolean {
    return !table.builtin || GENERATION_TRACKED.has(table.id);
  }

  #hasStatus(table: ResourceTable): boolean {
    return table.descriptor.subresources.includes("status");
  }

  #key(table: ResourceTable, namespace: string, name: string): string {
    return table.descriptor.namespaced ? `${namespace}/${name}` : name;
  }

  #validateName(table: ResourceTable, name: string, field = "metadata.name"): FieldError[] {
    const errors: FieldError[] = [];
    if (table.id === "/services") {
      if (name.length > 63) {
        errors.push(invalidField(field, name, "must be no more than 63 characters"));
      }
      if (!DNS1035.test(name)) errors.push(invalidField(field, name, DNS1035_MESSAGE));
    } else if (LABEL_NAMED.has(table.id)) {
      if (name.length > 63) {
        errors.push(invalidField(field, name, "must be no more than 63 characters"));
      }
      if (!LABEL.test(name)) errors.push(invalidField(field, name, LABEL_MESSAGE));
    } else {
      if (name.length > 253) {
        errors.push(invalidField(field, name, "must be no more than 253 characters"));
      }
      if (!SUBDOMAIN.test(name)) errors.push(invalidField(field, name, SUBDOMAIN_MESSAGE));
    }
    return errors;
  }

  #checkType(table: ResourceTable, body: unknown): KubeObject & Record<string, unknown> {
    const d = table.descriptor;
    if (!isPlainObject(body)) {
      throw new StatusError(
        badRequest(`the object provided is unrecognized (must be of type ${d.kind})`),
      );
    }
    if (body.apiVersion !== undefined && body.apiVersion !== d.apiVersion) {
      throw new StatusError(
        badRequest(
          `the API version in the data (${
            String(body.apiVersion)
          }) does not match the expected API version (${d.apiVersion})`,
        ),
      );
    }
    if (body.kind !== undefined && body.kind !== d.kind) {
      throw new StatusError(
        badRequest(
          `${
            String(body.kind)
          } in version "${d.version}" cannot be handled as a ${d.kind}: converting (${d.version}.${
            String(body.kind)
          }) to (${d.group === "" ? "core" : d.group.split(".")[0]}.${d.kind}): unknown conversion`,
        ),
      );
    }
    if (body.metadata !== undefined && !isPlainObject(body.metadata)) {
      throw new StatusError(
        badRequest(
          `${d.kind} in version "${d.version}" cannot be handled as a ${d.kind}: metadata must be an object`,
        ),
      );
    }
    return body as KubeObject & Record<string, unknown>;
  }

  /** Metadata in the order Kubernetes writes it, empty collections omitted. */
  #orderMeta(meta: ObjectMeta): ObjectMeta {
    const ordered: Record<string, unknown> = {};
    const source = meta as Record<string, unknown>;
    for (const key of META_ORDER) {
      const value = source[key];
      if (value === undefined || value === null) continue;
      if (OMIT_EMPTY.has(key)) {
        if (Array.isArray(value) && value.length === 0) continue;
        if (isPlainObject(value) && Object.keys(value).length === 0) continue;
      }
      ordered[key] = value;
    }
    for (const key in source) {
      const value = source[key];
      if (!META_ORDER.includes(key) && value !== undefined && value !== null) ordered[key] = value;
    }
    return ordered as ObjectMeta;
  }

  /** Field errors of labels, annotations and kind-specific content (HTTP writes). */
  #validateContent(
    table: ResourceTable,
    meta: ObjectMeta,
    input: Record<string, unknown>,
  ): FieldError[] {
    const errors = validateLabelsAndAnnotations(meta);
    const dataFields = DATA_KEY_FIELDS[table.id];
    if (table.builtin && dataFields !== undefined) {
      errors.push(...validateDataKeys(input, dataFields));
    }
    return errors;
  }

  /**
   * The NamespaceLifecycle admission check: 404 when the namespace does not exist (the system
   * namespaces always do), 403 while it is being deleted.
   */
  #checkNamespaceAcceptsWrites(table: ResourceTable, namespace: string, name: string): void {
    const namespaces = [...this.store.tables()].find((t) => t.id === "/namespaces");
    const stored = namespaces?.items.get(namespace);
    if (stored === undefined) {
      if (SYSTEM_NAMESPACES.has(namespace)) return;
      throw new StatusError(notFound(namespaces?.descriptor ?? NAMESPACES, namespace));
    }
    if (stored.system.deletionTimestamp !== undefined) {
      const message = `namespace ${namespace} is being terminated`;
      throw new StatusError(
        failure(
          403,
          "Forbidden",
          `${
            qualifiedResource(table.descriptor)
          } "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
          {
            name,
            ...(table.descriptor.group === "" ? {} : { group: table.descriptor.group }),
            kind: table.descriptor.plural,
            causes: [{ reason: "NamespaceTerminating", message, field: "metadata.namespace" }],
          },
        ),
      );
    }
  }

  // -------------------------------------------------------------------------
  // Reads.

  /** The current object, or 404. */
  get(table: ResourceTable, namespace: string, name: string): StoredObject {
    const stored = table.items.get(this.#key(table, namespace, name));
    if (stored === undefined) throw new StatusError(notFound(table.descriptor, name));
    return stored;
  }

  /** The current object, if any. */
  find(table: ResourceTable, namespace: string, name: string): StoredObject | undefined {
    return table.items.get(this.#key(table, namespace, name));
  }

  /**
   * `GET pods/NAME/log` as a kube-apiserver without kubelets answers it (`LogLocation` in
   * `pkg/registry/core/pod/strategy.go`): the container is checked first, an unscheduled pod
   * has no log yet (204), and a scheduled one needs its node, which the fake never has a
   * kubelet for (404 naming the node; an empty log when a Node object exists).
   */
  podLog(
    table: ResourceTable,
    namespace: string,
    name: string,
    container: string | null,
  ): Response {
    const pod = JSON.parse(this.get(table, namespace, name).json) as {
      spec?: {
        nodeName?: string;
        containers?: { name?: string }[];
        initContainers?: { name?: string }[];
      };
    };
    const names = (pod.spec?.containers ?? []).map((c) => c.name ?? "");
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name ?? "")];
    if (container !== null && container !== "") {
      if (!all.includes(container)) {
        throw new StatusError(badRequest(`container ${container} is not valid for pod ${name}`));
      }
    } else if (names.length > 1) {
      throw new StatusError(
        badRequest(
          `a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`,
        ),
      );
    }
    const nodeName = pod.spec?.nodeName ?? "";
    if (nodeName === "") return new Response(null, { status: 204 });
    const nodes = [...this.store.tables()].find((t) => t.id === "/nodes");
    if (nodes?.items.get(nodeName) === undefined) {
      // The real message names the node as a pod: the lookup error reuses the pod resource.
      throw new StatusError(notFound(table.descriptor, nodeName));
    }
    return new Response("", { headers: { "Content-Type": "text/plain" } });
  }

  /** Serves one list page according to the resourceVersion matrix (§1.3) and continue tokens (§1.6). */
  list(table: ResourceTable, namespace: string | undefined, options: ListOptions): ListPage {
    const store = this.store;
    const current = store.resourceVersion;
    let snapshotRv = current;
    let items: readonly StoredObject[];
    let start: string | undefined;
    let limit = options.limit;
    if (options.continueToken !== "") {
      if (options.resourceVersion !== "" && options.resourceVersion !== "0") {
        throw new StatusError(
          badRequest("specifying resource version is not allowed when using continue"),
        );
      }
      const token = decodeContinue(options.continueToken);
      start = token.start;
      if (token.rv < 0) {
        items = table.sorted();
      } else {
        if (token.rv > current) {
          throw new StatusError(
            badRequest(
              "invalid continue token: continue key is not valid: resource version is in the future",
            ),
          );
        }
        const snapshot = token.rv < store.compactedRv
          ? undefined
          : store.snapshotAt(table, token.rv);
        if (snapshot === undefined) {
          throw new StatusError(
            expired(EXPIRED_CONTINUE, encodeContinue({ rv: -1, start: token.start })),
          );
        }
        items = snapshot;
        snapshotRv = token.rv;
      }
    } else {
      const rv = options.rv;
      const match = options.resourceVersionMatch;
      if (rv === undefined) {
        items = table.sorted();
      } else if (rv === 0 && match !== "Exact") {
        items = table.sorted();
        limit = 0;
      } else {
        if (rv > current) {
          throw new StatusError(tooLargeResourceVersion(rv, current), { "Retry-After": "1" });
        }
        const exact = match === "Exact" || (match === "" && limit > 0);
        if (exact) {
          const snapshot = rv < store.compactedRv ? undefined : store.snapshotAt(table, rv);
          if (snapshot === undefined) throw new StatusError(expired(EXPIRED_LIST));
          items = snapshot;
          snapshotRv = rv;
        } else {
          items = table.sorted();
        }
      }
    }

    let index = 0;
    let end = items.length;
    if (namespace !== undefined && table.descriptor.namespaced) {
      index = lowerBound(items, `${namespace}/`);
      end = lowerBound(items, `${namespace}0`);
    }
    if (start !== undefined) index = Math.max(index, lowerBound(items, start));

    const labelSelector = options.labelSelector;
    const fieldSelector = options.fieldSelector;
    const filtered = labelSelector !== undefined || fieldSelector !== undefined;
    const matcher = filtered ? this.#matcher(table, options) : undefined;
    const page: StoredObject[] = [];
    let i = index;
    for (; i < end; i++) {
      const stored = items[i]!;
      if (matcher !== undefined && !matcher(stored)) continue;
      if (limit > 0 && page.length === limit) break;
      page.push(stored);
    }
    let continueToken: string | undefined;
    let remainingItemCount: number | undefined;
    if (i < end && limit > 0 && page.length === limit) {
      const last = page[page.length - 1]!;
      continueToken = encodeContinue({ rv: snapshotRv, start: `${last.key}\u0000` });
      table.keepSnapshot(snapshotRv, items);
      if (!filtered) remainingItemCount = end - i;
    }
    return { rv: snapshotRv, items: page, continueToken, remainingItemCount };
  }

  #matcher(table: ResourceTable, options: ListOptions): (stored: StoredObject) => boolean {
    return compileFilter(table, {
      namespace: undefined,
      name: undefined,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
  }

  /**
   * Opens a watch (§1.3 watch rows, §1.8, §1.9). Returns the watcher whose
   * `body` is the response stream; it may already carry an ERROR event.
   */
  watch(request: WatchRequest): Watcher {
    const { table, options } = request;
    const store = this.store;
    const fieldName = options.fieldSelector?.requirements.find((r) =>
      r.field === "metadata.name" && r.operator === "="
    )?.value;
    if (request.name !== undefined && fieldName !== undefined && fieldName !== request.name) {
      throw new StatusError(
        badRequest(
          `fieldSelector metadata.name=${fieldName} conflicts with the name in the path (${request.name})`,
        ),
      );
    }
    const timeoutMs = options.timeoutSeconds !== undefined && options.timeoutSeconds > 0
      ? options.timeoutSeconds * 1000
      : undefined;
    const watcher = this.hub.open({
      table,
      filter: {
        namespace: table.descriptor.namespaced ? request.namespace : undefined,
        name: request.name,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      view: request.view,
      includeObject: request.includeObject,
      allowBookmarks: options.allowWatchBookmarks,
      timeoutMs,
      signal: request.signal,
    });
    const current = store.resourceVersion;
    const rv = options.rv;
    const send = options.sendInitialEvents;
    const fromState = send === true || (send === undefined && (rv === undefined || rv === 0));
    if (fromState) {
      if (send === true && rv !== undefined && rv > current) {
        watcher.error(tooLargeResourceVersion(rv, current));
        return watcher;
      }
      const items = table.sorted();
      let start = 0;
      let end = items.length;
      if (request.namespace !== undefined && table.descriptor.namespaced) {
        start = lowerBound(items, `${request.namespace}/`);
        end = lowerBound(items, `${request.namespace}0`);
      }
      watcher.startInitial(
        items,
        start,
        end,
        current,
        send === true || this.#options.streamingLists,
      );
    } else if (rv !== undefined && rv !== 0) {
      if (rv < store.compactedRv) {
        watcher.error(tooOldResourceVersion(rv, store.compactedRv));
        return watcher;
      }
      watcher.after = rv;
      this.hub.replay(watcher, store.changesSince(rv));
    }
    this.hub.attach(watcher);
    return watcher;
  }

  // -------------------------------------------------------------------------
  // Writes.

  #namespaceFor(table: ResourceTable, bodyNs: string, ctx: WriteContext): string {
    if (!table.descriptor.namespaced) return "";
    if (ctx.pathNamespace !== undefined) {
      if (bodyNs !== "" && bodyNs !== ctx.pathNamespace) {
        throw new StatusError(
          badRequest(
            "the namespace of the provided object does not match the namespace sent on the request",
          ),
        );
      }
      return ctx.pathNamespace;
    }
    return bodyNs === "" ? "default" : bodyNs;
  }

  /** Creates an object (POST, or the direct API). The input is not kept. */
  create(table: ResourceTable, body: unknown, ctx: WriteContext): StoredObject {
    const d = table.descriptor;
    const input = this.#checkType(table, ctx.http ? stripNulls(body) : body);
    if (ctx.http) {
      checkDecodable(d, table.builtin, input);
      if (table.id === "/namespaces") {
        const spec = isPlainObject(input.spec) ? input.spec : {};
        if (spec.finalizers === undefined) input.spec = { ...spec, finalizers: ["kubernetes"] };
      }
    }
    const parts = partsOf(input);
    const meta = parts.metadata;
    const namespace = this.#namespaceFor(table, meta.namespace ?? "", ctx);
    if (d.namespaced) meta.namespace = namespace;
    else delete meta.namespace;

    const errors: FieldError[] = [];
    let name = meta.name ?? "";
    if (name === "") {
      const prefix = meta.generateName ?? "";
      if (prefix === "") {
        errors.push(requiredField("metadata.name", "name or generateName is required"));
      } else {
        const base = prefix.length + 5 > 63 ? prefix.slice(0, 58) : prefix;
        for (let attempt = 0; attempt < 16; attempt++) {
          name = base + this.#nameSuffix();
          if (!table.items.has(this.#key(table, namespace, name))) break;
        }
        meta.name = name;
      }
    }
    if (name !== "") errors.push(...this.#validateName(table, name));
    if (d.namespaced && ctx.pathNamespace === undefined && !LABEL.test(namespace)) {
      errors.push(invalidField("metadata.namespace", namespace, LABEL_MESSAGE));
    }
    if (ctx.http) {
      errors.push(...this.#validateContent(table, meta, input));
    }
    if (errors.length > 0) throw new StatusError(invalid(d.group, d.kind, name, errors));
    if (ctx.http && meta.resourceVersion !== undefined && meta.resourceVersion !== "") {
      // A real server answers this without a reason (an untyped error from its storage layer).
      const status = failure(500, "", "resourceVersion should not be set on objects to be created");
      delete status.reason;
      throw new StatusError(status);
    }
    if (ctx.http && d.namespaced && table.id !== "/namespaces") {
      this.#checkNamespaceAcceptsWrites(table, namespace, name);
    }
    if (table.items.has(this.#key(table, namespace, name))) {
      throw new StatusError(alreadyExists(d, name));
    }

    if (ctx.http || meta.uid === undefined || meta.uid === "") meta.uid = this.#uid();
    meta.resourceVersion = "";
    if (ctx.http || meta.creationTimestamp === undefined) meta.creationTimestamp = this.#now();
    if (this.#tracksGeneration(table)) meta.generation = ctx.http ? 1 : (meta.generation ?? 1);
    if (ctx.http) {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (ctx.fieldManager !== undefined) {
      meta.managedFields = [this.#managedEntry(ctx.fieldManager, table, input, ctx.subresource)];
    } else if (ctx.http && ctx.manager !== undefined) {
      meta.managedFields = [
        this.#managedEntry(ctx.manager, table, input, ctx.subresource, "Update"),
      ];
    }
    if (ctx.http && table.id === "/namespaces") {
      meta.labels = { ...meta.labels, [NAMESPACE_NAME_LABEL]: name };
    }
    if (ctx.http && this.#hasStatus(table)) {
      if (table.id === "/pods") parts.statusJson = '{"phase":"Pending"}';
      else if (table.id === "/namespaces") parts.statusJson = '{"phase":"Active"}';
      else if (table.builtin) parts.statusJson = "{}";
      else parts.statusJson = undefined;
    }
    parts.metadata = this.#orderMeta(meta);
    if (ctx.dryRun) {
      delete parts.metadata.resourceVersion;
      return table.encode(parts, 0);
    }
    return this.store.commit(table, "ADDED", parts, ctx.silent ?? false);
  }

  #managedEntry(
    manager: string,
    table: ResourceTable,
    config: unknown,
    subresource: string | undefined,
    operation: "Apply" | "Update" = "Apply",
  ): ManagedFieldsEntry {
    if (operation === "Update" && isPlainObject(config)) {
      // What an update owns: the fields it set, but not the server's own metadata.
      const { metadata, kind: _kind, apiVersion: _apiVersion, ...rest } = config;
      const meta = isPlainObject(metadata) ? metadata : {};
      const owned: Record<string, unknown> = {};
      if (meta.labels !== undefined) owned.labels = meta.labels;
      if (meta.annotations !== undefined) owned.annotations = meta.annotations;
      if (meta.finalizers !== undefined) owned.finalizers = meta.finalizers;
      config = Object.keys(owned).length > 0 ? { metadata: owned, ...rest } : rest;
    }
    const entry: ManagedFieldsEntry = {
      manager,
      operation,
      apiVersion: table.descriptor.apiVersion,
      time: this.#now(),
      fieldsType: "FieldsV1",
      fieldsV1: fieldSet(config as Json),
    };
    if (subresource !== undefined) entry.subresource = subresource;
    return entry;
  }

  /** managedFields with `entry` replacing the same manager's Update entry (or appended). */
  #withUpdateEntry(
    entries: readonly ManagedFieldsEntry[],
    entry: ManagedFieldsEntry,
  ): ManagedFieldsEntry[] {
    const same = (e: ManagedFieldsEntry) =>
      e.manager === entry.manager && e.operation === "Update" &&
      (e.subresource ?? "") === (entry.subresource ?? "");
    const index = entries.findIndex(same);
    if (index < 0) return [...entries, entry];
    return entries.map((e, i) => i === index ? entry : e);
  }

  /**
   * Replaces an object (PUT, patch results, or the direct API). A non-empty
   * `metadata.resourceVersion` must equal the current one (409 otherwise);
   * `requireVersion` refuses an empty one (custom resources). The input is
   * not kept.
   */
  update(
    table: ResourceTable,
    body: unknown,
    ctx: WriteContext & { requireVersion?: boolean },
  ): StoredObject {
    const d = table.descriptor;
    const input = this.#checkType(table, ctx.http ? stripNulls(body) : body);
    if (ctx.http) checkDecodable(d, table.builtin, input);
    const bodyMeta = (input.metadata ?? {}) as ObjectMeta;
    const bodyName = bodyMeta.name ?? "";
    let name = bodyName;
    if (ctx.pathName !== undefined) {
      if (bodyName !== ctx.pathName) {
        throw new StatusError(
          badRequest(
            `the name of the object (${bodyName}) does not match the name on the URL (${ctx.pathName})`,
          ),
        );
      }
      name = ctx.pathName;
    }
    if (name === "") {
      throw new StatusError(
        invalid(d.group, d.kind, "", [
          requiredField("metadata.name", "name or generateName is required"),
        ]),
      );
    }
    const namespace = this.#namespaceFor(table, bodyMeta.namespace ?? "", ctx);
    const existing = table.items.get(this.#key(table, namespace, name));
    if (existing === undefined) throw new StatusError(notFound(d, name));
    const old = existing.system;

    const requested = bodyMeta.resourceVersion ?? "";
    if (requested === "") {
      if (ctx.requireVersion) {
        throw new StatusError(
          invalid(d.group, d.kind, name, [
            invalidField("metadata.resourceVersion", "0x0", "must be specified for an update"),
          ]),
        );
      }
    } else if (requested !== old.resourceVersion) {
      throw new StatusError(conflict(d, name));
    }
    const requestedUid = bodyMeta.uid ?? "";
    if (ctx.http && requestedUid !== "" && requestedUid !== old.uid) {
      // The storage layer's precondition error, worded as etcd3's StorageError.
      const key = d.namespaced
        ? `/registry/${qualifiedResource(d)}/${namespace}/${name}`
        : `/registry/${qualifiedResource(d)}/${name}`;
      throw new StatusError(
        conflict(
          d,
          name,
          `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${requestedUid}, UID in object meta: ${
            old.uid ?? ""
          }`,
        ),
      );
    }
    if (ctx.http) {
      const errors = ctx.subresource === "status"
        ? []
        : this.#validateContent(table, bodyMeta, input);
      if (table.id === "/pods" && ctx.subresource === undefined) {
        errors.push(...validatePodSpecUpdate(JSON.parse(existing.json).spec, input.spec));
      }
      if (errors.length > 0) throw new StatusError(invalid(d.group, d.kind, name, errors));
    }

    let parts: ObjectParts;
    if (ctx.subresource === "status") {
      parts = {
        metadata: { ...existing.metadata },
        specInner: existing.specInner,
        statusJson: input.status === undefined ? undefined : JSON.stringify(input.status),
      };
    } else {
      parts = partsOf(input);
      if (ctx.http && this.#hasStatus(table)) parts.statusJson = existing.statusJson;
      if (ctx.http && table.id === "/namespaces") {
        if (ctx.subresource === "finalize") {
          const errors = finalizerNameErrors(specFinalizers(parts.specInner));
          if (errors.length > 0) throw new StatusError(invalid(d.group, d.kind, name, errors));
        } else {
          // Only `finalize` writes spec.finalizers (the namespace strategy's PrepareForUpdate).
          parts.specInner = existing.specInner;
        }
      }
    }
    const meta = parts.metadata;

    // Fields the server owns.
    meta.name = name;
    if (d.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    setOrDelete(meta, "uid", old.uid);
    setOrDelete(meta, "creationTimestamp", old.creationTimestamp);
    meta.resourceVersion = "";
    if (old.deletionTimestamp !== undefined) {
      meta.deletionTimestamp = old.deletionTimestamp;
      setOrDelete(meta, "deletionGracePeriodSeconds", old.deletionGracePeriodSeconds);
      const before = new Set(existing.metadata.finalizers ?? []);
      const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw new StatusError(
          invalid(d.group, d.kind, name, [
            forbiddenField(
              "metadata.finalizers",
              // Go's %#v of a []string.
              `no new finalizers can be added if the object is being deleted, found new finalizers []string{${
                added.map((f) => JSON.stringify(f)).join(", ")
              }}`,
            ),
          ]),
        );
      }
    } else if (ctx.http) {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (meta.managedFields === undefined && old.hasManagedFields) {
      setOrDelete(meta, "managedFields", existing.metadata.managedFields);
    }
    if (this.#tracksGeneration(table)) {
      const base = old.generation ?? 1;
      if (ctx.http || meta.generation === undefined) {
        meta.generation = parts.specInner === existing.specInner ? base : base + 1;
      }
    } else if (ctx.http) {
      delete meta.generation;
    }
    parts.metadata = this.#orderMeta(meta);

    // A namespace also waits for its spec.finalizers (`ShouldDeleteNamespaceDuringUpdate`).
    const deleting = old.deletionTimestamp !== undefined &&
      (parts.metadata.finalizers ?? []).length === 0 &&
      (table.id !== "/namespaces" || specFinalizers(parts.specInner).length === 0);
    if (deleting && ctx.http && !ctx.dryRun) {
      // Removing the last finalizer deletes the object as it was stored: the DELETED event and
      // the answer carry that state, finalizers included, not the update's.
      const last: ObjectParts = {
        metadata: structuredClone(existing.metadata),
        specInner: existing.specInner,
        statusJson: existing.statusJson,
      };
      last.metadata.resourceVersion = "";
      this.store.commit(table, "DELETED", last, ctx.silent ?? false);
      const answer = parts.metadata;
      answer.resourceVersion = old.resourceVersion ?? "";
      delete answer.finalizers;
      delete answer.managedFields;
      parts.metadata = this.#orderMeta(answer);
      return table.encode(parts, existing.rv);
    }
    if (ctx.dryRun || (ctx.http && !deleting)) {
      parts.metadata.resourceVersion = old.resourceVersion ?? "";
      const candidate = table.encode(parts, existing.rv);
      if (ctx.dryRun) return candidate;
      if (candidate.json === existing.json) return existing;
      parts.metadata.resourceVersion = "";
    }
    if (ctx.http && ctx.manager !== undefined && ctx.fieldManager === undefined) {
      parts.metadata.managedFields = this.#withUpdateEntry(
        parts.metadata.managedFields ?? [],
        this.#managedEntry(
          ctx.manager,
          table,
          ctx.managedConfig ?? input,
          ctx.subresource,
          "Update",
        ),
      );
      parts.metadata = this.#orderMeta(parts.metadata);
    }
    return this.store.commit(table, deleting ? "DELETED" : "MODIFIED", parts, ctx.silent ?? false);
  }

  /** Applies a patch to the current object and stores the result (creating it for apply). */
  patch(
    table: ResourceTable,
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    ctx: WriteContext,
  ): { stored: StoredObject; created: boolean } {
    const d = table.descriptor;
    if (type === "strategic" && !table.builtin) {
      throw new StatusError(
        unsupportedMediaType("application/strategic-merge-patch+json", [
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/apply-patch+yaml",
        ]),
      );
    }
    const existing = this.find(table, namespace, name);
    if (type === "apply") {
      if (ctx.fieldManager === undefined || ctx.fieldManager === "") {
        throw new StatusError(
          invalid("meta.k8s.io", "PatchOptions", "", [
            requiredField("fieldManager", "is required for apply patch"),
          ]),
        );
      }
      if (!isPlainObject(patch)) {
        throw new StatusError(
          badRequest("error decoding YAML: the apply configuration must be a JSON object"),
        );
      }
      const configMeta = isPlainObject(patch.metadata) ? patch.metadata : {};
      if (configMeta.name !== undefined && configMeta.name !== name) {
        throw new StatusError(
          badRequest(
            `the name of the object (${
              String(configMeta.name)
            }) does not match the name on the URL (${name})`,
          ),
        );
      }
      if (existing === undefined) {
        if (ctx.subresource !== undefined) throw new StatusError(notFound(d, name));
        const body = { ...patch, metadata: { ...configMeta, name } };
        return {
          stored: this.create(table, body, { ...ctx, pathNamespace: namespace }),
          created: true,
        };
      }
      const base = JSON.parse(existing.json) as Json;
      const merged = (table.builtin
        ? applyStrategicMergePatch(base, stripNulls(patch) as Json)
        : applyMergePatch(base, patch as Json)) as Record<string, unknown>;
      const mergedMeta = merged.metadata as ObjectMeta;
      const entries = (mergedMeta.managedFields ?? []).filter((e) =>
        !(e.manager === ctx.fieldManager && e.operation === "Apply" &&
          (e.subresource ?? "") === (ctx.subresource ?? ""))
      );
      entries.push(this.#managedEntry(ctx.fieldManager, table, patch, ctx.subresource));
      mergedMeta.managedFields = entries;
      mergedMeta.resourceVersion = existing.metadata.resourceVersion ?? "";
      return {
        stored: this.update(table, merged, {
          ...ctx,
          pathNamespace: namespace,
          pathName: name,
          fieldManager: undefined,
          manager: undefined,
        }),
        created: false,
      };
    }
    if (existing === undefined) throw new StatusError(notFound(d, name));
    const result = applyPatch(JSON.parse(existing.json) as Json, type, patch);
    if (!isPlainObject(result)) {
      throw new StatusError(
        badRequest("the patch turned the object into something that is not an object"),
      );
    }
    const resultMeta = isPlainObject(result.metadata) ? result.metadata : {};
    const requested = typeof resultMeta.resourceVersion === "string"
      ? resultMeta.resourceVersion
      : "";
    const current = existing.metadata.resourceVersion ?? "";
    if (requested !== "" && requested !== current) throw new StatusError(conflict(d, name));
    if (resultMeta.name !== undefined && resultMeta.name !== name) {
      throw new StatusError(
        badRequest(
          `the name of the object (${
            String(resultMeta.name)
          }) does not match the name on the URL (${name})`,
        ),
      );
    }
    result.metadata = { ...resultMeta, name, resourceVersion: current };
    return {
      stored: this.update(table, result, { ...ctx, pathNamespace: namespace, pathName: name }),
      created: false,
    };
  }

  /** Deletes an object; with finalizers it is only marked (deletionTimestamp). */
  delete(
    table: ResourceTable,
    namespace: string,
    name: string,
    ctx: WriteContext & { preconditions?: { uid?: string; resourceVersion?: string } | undefined },
  ): DeleteResult {
    const d = table.descriptor;
    const existing = this.get(table, namespace, name);
    const meta = existing.metadata;
    const pre = ctx.preconditions;
    // The storage layer checks preconditions; its conflicts name the kind, not the resource.
    const preconditionFailed = (detail: string) => {
      const kind = d.group === "" ? d.kind : `${d.kind}.${d.group}`;
      const details: Status["details"] = { name };
      if (d.group !== "") details.group = d.group;
      details.kind = d.kind;
      return new StatusError(
        failure(
          409,
          "Conflict",
          `Operation cannot be fulfilled on ${kind} "${name}": ${detail}`,
          details,
        ),
      );
    };
    if (pre?.uid !== undefined && pre.uid !== meta.uid) {
      throw preconditionFailed(
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${
          meta.uid ?? ""
        }). The object might have been deleted and then recreated`,
      );
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
      throw preconditionFailed(
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${
          meta.resourceVersion ?? ""
        }). The object might have been modified`,
      );
    }
    const parts: ObjectParts = {
      metadata: structuredClone(meta),
      specInner: existing.specInner,
      statusJson: existing.statusJson,
    };
    const namespaceKept = ctx.http && table.id === "/namespaces" &&
      (this.#hasSpecFinalizers(existing) || (meta.finalizers ?? []).length > 0);
    if ((meta.finalizers ?? []).length > 0 && !namespaceKept) {
      if (meta.deletionTimestamp !== undefined) return { stored: existing, deleted: false };
      const marked = parts.metadata;
      marked.resourceVersion = "";
      marked.deletionTimestamp = this.#now();
      marked.deletionGracePeriodSeconds = 0;
      if (this.#tracksGeneration(table)) marked.generation = (meta.generation ?? 1) + 1;
      parts.metadata = this.#orderMeta(marked);
      if (ctx.dryRun) {
        parts.metadata.resourceVersion = meta.resourceVersion ?? "";
        return { stored: table.encode(parts, existing.rv), deleted: false };
      }
      return {
        stored: this.store.commit(table, "MODIFIED", parts, ctx.silent ?? false),
        deleted: false,
      };
    }
    if (namespaceKept) {
      // Finalizers keep a deleted namespace Terminating: the `kubernetes` one until the
      // namespace controller (or a `finalize` write) removes it.
      if (meta.deletionTimestamp !== undefined) return { stored: existing, deleted: false };
      parts.metadata.resourceVersion = "";
      parts.metadata.deletionTimestamp = this.#now();
      parts.metadata = this.#orderMeta(parts.metadata);
      parts.statusJson = '{"phase":"Terminating"}';
      if (ctx.dryRun) {
        parts.metadata.resourceVersion = meta.resourceVersion ?? "";
        return { stored: table.encode(parts, existing.rv), deleted: false };
      }
      return {
        stored: this.store.commit(table, "MODIFIED", parts, ctx.silent ?? false),
        deleted: false,
      };
    }
    if (ctx.http && table.id === "/pods" && !ctx.dryRun) {
      // An unscheduled pod is deleted with grace period 0, in two writes as on a real server:
      // the deletion marks (a MODIFIED event), then the removal of the marked pod (DELETED).
      // (A real server keeps a scheduled pod until its kubelet confirms; the fake has no
      // kubelets and removes every pod at once.)
      const marked = parts.metadata;
      marked.resourceVersion = "";
      marked.deletionTimestamp = this.#now();
      marked.deletionGracePeriodSeconds = 0;
      marked.generation = (meta.generation ?? 1) + 1;
      parts.metadata = this.#orderMeta(marked);
      const markedStored = this.store.commit(table, "MODIFIED", parts, ctx.silent ?? false);
      const last: ObjectParts = {
        metadata: structuredClone(markedStored.metadata),
        specInner: markedStored.specInner,
        statusJson: markedStored.statusJson,
      };
      last.metadata.resourceVersion = "";
      return {
        stored: this.store.commit(table, "DELETED", last, ctx.silent ?? false),
        deleted: true,
      };
    }
    if (ctx.dryRun) return { stored: existing, deleted: true };
    return {
      stored: this.store.commit(table, "DELETED", parts, ctx.silent ?? false),
      deleted: true,
    };
  }

  #hasSpecFinalizers(stored: StoredObject): boolean {
    return specFinalizers(stored.specInner).length > 0;
  }

  /** Deletes every object of a namespace (or all) that matches the selectors. */
  deleteCollection(
    table: ResourceTable,
    namespace: string | undefined,
    options: ListOptions,
    ctx: WriteContext,
  ): StoredObject[] {
    const page = this.list(table, namespace, {
      ...options,
      limit: 0,
      continueToken: "",
      rv: undefined,
      resourceVersion: "",
      resourceVersionMatch: "",
    });
    const out: StoredObject[] = [];
    for (const stored of page.items) {
      out.push(this.delete(table, stored.namespace, stored.name, ctx).stored);
    }
    return out;
  }

  /** Whether deletes of this resource answer with the object. */
  returnsDeletedObject(table: ResourceTable): boolean {
    return RETURNS_DELETED_OBJECT.has(table.id);
  }

  /** Whether PUT without a resourceVersion is refused (custom resources). */
  requiresVersionOnUpdate(table: ResourceTable): boolean {
    return !table.builtin;
  }
}

/** Status for a watch that was refused before streaming. */
export type WatchRefusal = Status;

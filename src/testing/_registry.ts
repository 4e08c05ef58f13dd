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
  requiredField,
  StatusError,
  tooLargeResourceVersion,
  tooOldResourceVersion,
  unsupportedMediaType,
} from "./_status.ts";
import { compileFilter, type OpenWatchOptions, type Watcher, WatchHub } from "./_watch_hub.ts";

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
          } in version "${d.version}" cannot be handled as a ${d.kind}: the kind in the body does not match the resource`,
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
    if (errors.length > 0) throw new StatusError(invalid(d.group, d.kind, name, errors));
    if (ctx.http && meta.resourceVersion !== undefined && meta.resourceVersion !== "") {
      const message = "resourceVersion should not be set on objects to be created";
      throw new StatusError(failure(500, "InternalError", message, { causes: [{ message }] }));
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
  ): ManagedFieldsEntry {
    const entry: ManagedFieldsEntry = {
      manager,
      operation: "Apply",
      apiVersion: table.descriptor.apiVersion,
      time: this.#now(),
      fieldsType: "FieldsV1",
      fieldsV1: fieldSet(config as Json),
    };
    if (subresource !== undefined) entry.subresource = subresource;
    return entry;
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
              `no new finalizers can be added if the object is being deleted, found new finalizers ${
                JSON.stringify(added)
              }`,
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

    const deleting = old.deletionTimestamp !== undefined &&
      (parts.metadata.finalizers ?? []).length === 0;
    if (ctx.dryRun || (ctx.http && !deleting)) {
      parts.metadata.resourceVersion = old.resourceVersion ?? "";
      const candidate = table.encode(parts, existing.rv);
      if (ctx.dryRun) return candidate;
      if (candidate.json === existing.json) return existing;
      parts.metadata.resourceVersion = "";
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
        }),
        created: false,
      };
    }
    if (existing === undefined) throw new StatusError(notFound(d, name));
    const base = JSON.parse(existing.json) as Json;
    let result: Json;
    try {
      switch (type) {
        case "json":
          result = applyJsonPatch(base, patch as Json);
          break;
        case "merge":
          result = applyMergePatch(base, patch as Json);
          break;
        case "strategic":
          result = applyStrategicMergePatch(base, patch as Json);
          break;
      }
    } catch (err) {
      if (err instanceof PatchError) {
        throw new StatusError(failure(422, "Invalid", err.message, {}));
      }
      throw err;
    }
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
    if (pre?.uid !== undefined && pre.uid !== meta.uid) {
      throw new StatusError(
        conflict(
          d,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${
            meta.uid ?? ""
          }`,
        ),
      );
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
      throw new StatusError(
        conflict(
          d,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${
            meta.resourceVersion ?? ""
          }`,
        ),
      );
    }
    const parts: ObjectParts = {
      metadata: structuredClone(meta),
      specInner: existing.specInner,
      statusJson: existing.statusJson,
    };
    if ((meta.finalizers ?? []).length > 0) {
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
    if (ctx.dryRun) return { stored: existing, deleted: true };
    return {
      stored: this.store.commit(table, "DELETED", parts, ctx.silent ?? false),
      deleted: true,
    };
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

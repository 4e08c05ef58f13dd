/**
 * Typed CRUD, list and watch for one resource.
 *
 * @module
 */

import { isExpired, TransportError } from "../api/errors.ts";
import type { KubeList, KubeObject, ListMeta, Status } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import type { WatchEvent } from "../api/watch_event.ts";
import { cutManagedFields } from "./cut_managed_fields.ts";
import { decodeWatchStream, type WatchDecoderOptions } from "./watch_decoder.ts";
import type { KubeRequester } from "./kube_request.ts";
import {
  deleteBody,
  type DeleteOptions,
  type ListOptions,
  listQuery,
  PATCH_CONTENT_TYPES,
  type PatchOptions,
  type RequestOptions,
  type WatchOptions,
  watchQuery,
  type WriteOptions,
  writeQuery,
} from "./request_options.ts";
import { resourcePath } from "./request_path.ts";

/**
 * `Accept` header asking for a `PartialObjectMetadataList`.
 *
 * @example A raw metadata-only list
 * ```ts
 * import { METADATA_LIST_ACCEPT } from "@kubesnap/kubesnap";
 * const request = new Request("http://127.0.0.1:8080/api/v1/pods", { headers: { Accept: METADATA_LIST_ACCEPT } });
 * console.log(request.headers.get("Accept"));
 * ```
 */
export const METADATA_LIST_ACCEPT: string =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
/**
 * `Accept` header asking for a single `PartialObjectMetadata` (gets, watches, patches).
 *
 * @example A raw metadata-only get
 * ```ts
 * import { METADATA_ACCEPT } from "@kubesnap/kubesnap";
 * const request = new Request("http://127.0.0.1:8080/api/v1/namespaces/default/pods/web-0", {
 *   headers: { Accept: METADATA_ACCEPT },
 * });
 * console.log(request.headers.get("Accept"));
 * ```
 */
export const METADATA_ACCEPT: string =
  "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

/** Options of {@linkcode ResourceClient.get}. */
export interface GetOptions extends RequestOptions {
  /** Read a subresource such as `status`. */
  subresource?: string | undefined;
}

/** Options of {@linkcode ResourceClient.listAll}. */
export interface ListAllOptions extends ListOptions {
  /**
   * How many times to start over when the continue token expires mid-list.
   * @default {3}
   */
  maxRestarts?: number | undefined;
}

const DEFAULT_PAGE_SIZE = 500;

/**
 * Typed access to one resource, in one namespace or across all namespaces.
 * Get one from {@linkcode KubeClient.resource}.
 *
 * @typeParam T The object type.
 *
 * @example Create, read, patch, delete
 * ```ts
 * import { configMaps, KubeClient } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 *
 * const server = new FakeApiServer();
 * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
 * const cms = client.resource(configMaps, "default");
 * await cms.create({ metadata: { name: "settings" }, data: { mode: "fast" } });
 * await cms.patch("settings", { data: { mode: "safe" } }, { type: "merge" });
 * console.log((await cms.get("settings")).data?.mode); // "safe"
 * await cms.delete("settings");
 * await server.close();
 * ```
 */
export class ResourceClient<T extends KubeObject> {
  /** The resource this client addresses. */
  readonly resource: ResourceDescriptor<T>;
  /** The namespace, or undefined for all namespaces / cluster-scoped resources. */
  readonly namespace: string | undefined;
  /** Whether responses are `PartialObjectMetadata` rather than full objects. */
  readonly metadataOnly: boolean;
  #client: KubeRequester;

  /**
   * Use {@linkcode KubeClient.resource} instead.
   *
   * @param client The client that sends requests.
   * @param resource The resource descriptor.
   * @param namespace A namespace, or undefined.
   * @param metadataOnly Ask for `PartialObjectMetadata`.
   */
  constructor(
    client: KubeRequester,
    resource: ResourceDescriptor<T>,
    namespace: string | undefined,
    metadataOnly: boolean,
  ) {
    this.#client = client;
    this.resource = resource;
    this.namespace = resource.namespaced && namespace ? namespace : undefined;
    this.metadataOnly = metadataOnly;
  }

  /**
   * Reads one object.
   *
   * @param name Object name.
   * @param options Subresource and signal.
   * @returns The object.
   * @throws {ApiError} 404 NotFound when it does not exist.
   *
   * @example Reading a pod
   * ```ts
   * import { KubeClient, pods } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * await client.resource(pods, "default").create({ metadata: { name: "web-0" }, spec: { containers: [] } });
   * const pod = await client.resource(pods, "default").get("web-0");
   * console.log(pod.metadata?.resourceVersion !== undefined); // true
   * await server.close();
   * ```
   */
  get(name: string, options?: GetOptions): Promise<T> {
    options ??= {};
    return this.#client.requestJson<T>({
      path: this.#objectPath(name, options.subresource),
      accept: this.metadataOnly ? METADATA_ACCEPT : undefined,
      signal: options.signal,
    });
  }

  /**
   * Lists one page of objects. Items of built-in lists arrive without
   * kind/apiVersion; they are filled in from the list.
   *
   * @param options Selectors, paging, resourceVersion, `dropManagedFields` and signal.
   * @returns The list with its metadata (resourceVersion, continue token).
   * @throws {ApiError} For server errors ({@linkcode ExpiredError} for an expired continue token).
   *
   * @example One page
   * ```ts
   * import { KubeClient, pods } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const page = await client.resource(pods).list({ limit: 500 });
   * console.log(page.items.length, page.metadata.resourceVersion !== undefined);
   * await server.close();
   * ```
   */
  async list(options?: ListOptions): Promise<KubeList<T>> {
    options ??= {};
    const request = {
      path: this.#collectionPath(),
      query: listQuery(options),
      accept: this.metadataOnly ? METADATA_LIST_ACCEPT : undefined,
      signal: options.signal,
    };
    if (!options.dropManagedFields) {
      return completeList(await this.#client.requestJson<KubeList<T>>(request));
    }
    const response = await this.#client.request(request);
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new TransportError(`list ${request.path}: reading the response failed`, {
        cause: err,
      });
    }
    return this.#parseList(text, true);
  }

  /**
   * Lists page by page, following continue tokens, and asks for the next
   * page while the current one is being decoded: the continue token is read
   * from the start of the response (a list's metadata precedes its items), so
   * the server prepares and sends page k+1 while page k is parsed. Falls back
   * to one page at a time when a response puts its metadata elsewhere.
   *
   * Pages after the first carry only `limit`, `continue` and the selectors,
   * as the API server requires. An expired continue token throws an
   * {@linkcode ExpiredError} from the page that needed it; leaving the loop
   * early cancels a request in flight.
   *
   * @param options Selectors, first-page resourceVersion, page size, `dropManagedFields` and signal.
   * @param preparePage Called on each page's options just before its request.
   * @returns The pages, in order.
   *
   * @example Counting pods page by page
   * ```ts
   * import { configMaps, KubeClient } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * for (let i = 0; i < 5; i++) server.create(configMaps, { metadata: { name: `c${i}`, namespace: "default" } });
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const sizes: number[] = [];
   * for await (const page of client.resource(configMaps).listPages({ limit: 2 })) sizes.push(page.items.length);
   * console.log(sizes); // [2, 2, 1]
   * await server.close();
   * ```
   */
  async *listPages(
    options?: ListOptions,
    preparePage?: (options: ListOptions) => void,
  ): AsyncGenerator<KubeList<T>, void, undefined> {
    options ??= {};
    const local = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, local.signal]) : local.signal;
    const fetchPage = (pageOptions: ListOptions): PageRequest => {
      preparePage?.(pageOptions);
      const response = this.#client.request({
        path: this.#collectionPath(),
        query: listQuery(pageOptions),
        accept: this.metadataOnly ? METADATA_LIST_ACCEPT : undefined,
        signal,
      });
      const text = response.then((r) => r.text());
      // Awaited below, unless the consumer stops first.
      response.catch(() => {});
      text.catch(() => {});
      return { response, text };
    };
    const nextOptions = (token: string): ListOptions => ({
      limit: options.limit,
      continue: token,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      signal: options.signal,
    });
    try {
      let pending: PageRequest | undefined = fetchPage({ ...options });
      while (pending !== undefined) {
        let text: string;
        try {
          text = await pending.text;
        } catch (err) {
          if (options.signal?.aborted) throw options.signal.reason;
          throw err;
        }
        const head = peekListMeta(text);
        pending = head?.continue ? fetchPage(nextOptions(head.continue)) : undefined;
        // Parsing blocks the event loop, and with it the sending of the next
        // request: wait until the server has answered it (it then prepares
        // and sends the page while this one is parsed).
        if (pending !== undefined) await pending.response.catch(() => {});
        const list = this.#parseList(text, options.dropManagedFields === true);
        const token = list.metadata.continue || undefined;
        if (head === undefined && token) pending = fetchPage(nextOptions(token));
        yield list;
      }
    } finally {
      local.abort();
    }
  }

  /**
   * Lists every object, following continue tokens. All pages are read
   * before the first item is yielded so that the items always come from one
   * consistent snapshot: if the continue token expires mid-list (410), the
   * list starts over rather than mixing snapshots.
   *
   * @param options Selectors, page size (`limit`, default 500), `dropManagedFields` and signal.
   * @returns An async iterable of the objects.
   * @throws {ExpiredError} When the list expired more than `maxRestarts` times.
   *
   * @example Iterating all pods
   * ```ts
   * import { KubeClient, pods } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * let count = 0;
   * for await (const _pod of client.resource(pods).listAll({ limit: 500 })) count++;
   * console.log(count); // 0
   * await server.close();
   * ```
   */
  async *listAll(options?: ListAllOptions): AsyncGenerator<T, void, undefined> {
    options ??= {};
    const list = await this.listComplete(options);
    yield* list.items;
  }

  /**
   * Reads every page of a list into one consistent list (the first page's
   * resourceVersion applies to all items). Starts over when the continue
   * token expires mid-list.
   *
   * @param options Selectors, page size (`limit`, default 500), `dropManagedFields` and signal.
   * @returns One list holding every item, with the snapshot's resourceVersion.
   * @throws {ExpiredError} When the list expired more than `maxRestarts` times.
   *
   * @example A complete list
   * ```ts
   * import { KubeClient, pods } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const all = await client.resource(pods).listComplete();
   * console.log(all.items.length);
   * await server.close();
   * ```
   */
  async listComplete(options?: ListAllOptions): Promise<KubeList<T>> {
    options ??= {};
    const maxRestarts = options.maxRestarts ?? 3;
    const { maxRestarts: _ignored, continue: _token, ...first } = options;
    const pageOptions: ListOptions = { ...first, limit: options.limit ?? DEFAULT_PAGE_SIZE };
    for (let restarts = 0;; restarts++) {
      const head = await this.list(pageOptions);
      const items = head.items;
      let token = head.metadata.continue;
      try {
        while (token) {
          const page = await this.list({
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
            limit: pageOptions.limit,
            continue: token,
            signal: options.signal,
            dropManagedFields: options.dropManagedFields,
          });
          for (const item of page.items) items.push(item);
          token = page.metadata.continue;
        }
      } catch (err) {
        if (isExpired(err) && restarts < maxRestarts) continue;
        throw err;
      }
      const metadata = { ...head.metadata };
      delete metadata.continue;
      delete metadata.remainingItemCount;
      return { ...head, metadata, items };
    }
  }

  /**
   * Watches for changes. Events are decoded incrementally as bytes arrive.
   * `ERROR` events are yielded with their Status and an {@linkcode ApiError}
   * (`ExpiredError` for 410); the server ends the stream after one. Garbage on
   * the stream throws a {@linkcode WatchDecodeError}. Aborting the signal (or
   * leaving the loop) closes the connection.
   *
   * @param options resourceVersion, bookmarks, streaming list, selectors, timeout, `dropManagedFields` and signal.
   * @returns An async iterable of watch events.
   * @throws {ApiError} When the watch request itself is refused (for example 410 or 403).
   *
   * @example Printing changes
   * ```ts
   * import { KubeClient, pods } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * await client.resource(pods, "default").create({ metadata: { name: "web-0" }, spec: { containers: [] } });
   * const ac = new AbortController();
   * for await (const ev of client.resource(pods).watch({ resourceVersion: "0", signal: ac.signal })) {
   *   if (ev.type === "ADDED") console.log(`${ev.type} pod with name ${ev.object.metadata?.name}`);
   *   break;
   * }
   * await server.close();
   * ```
   */
  async *watch(options?: WatchOptions): AsyncGenerator<WatchEvent<T>, void, undefined> {
    options ??= {};
    const response = await this.#client.request({
      path: this.#collectionPath(),
      query: watchQuery(options),
      accept: this.metadataOnly ? METADATA_ACCEPT : undefined,
      acceptEncoding: options.compression ? "gzip" : "identity",
      signal: options.signal,
    });
    if (!response.body) return;
    const decodeOptions: WatchDecoderOptions & { signal?: AbortSignal } = {};
    if (options.signal) decodeOptions.signal = options.signal;
    if (options.maxLineBytes !== undefined) decodeOptions.maxLineBytes = options.maxLineBytes;
    if (options.dropManagedFields) decodeOptions.rewriteLine = cutWatchEventManagedFields;
    try {
      yield* decodeWatchStream<T>(response.body, decodeOptions);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (err instanceof Error && err.name === "TypeError") {
        throw new TransportError(`watch ${this.#collectionPath()} broke: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * Creates an object. Its namespace comes from this client, else from the
   * object, else from the client's default namespace.
   *
   * @param object The object to create (kind/apiVersion are filled in).
   * @param options dryRun, fieldManager, fieldValidation and signal.
   * @returns The object as stored.
   * @throws {ApiError} 409 AlreadyExists, 422 Invalid, and others.
   *
   * @example Creating a namespace
   * ```ts
   * import { KubeClient, namespaces } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const ns = await client.resource(namespaces).create({ metadata: { name: "team-a" } });
   * console.log(ns.metadata?.uid !== undefined); // true
   * await server.close();
   * ```
   */
  create(object: T, options?: WriteOptions): Promise<T> {
    options ??= {};
    const namespace = this.#namespaceFor(object);
    return this.#client.requestJson<T>({
      method: "POST",
      path: resourcePath(this.resource, { namespace }),
      query: writeQuery(options),
      body: this.#withTypeMeta(object),
      signal: options.signal,
    });
  }

  /**
   * Replaces an object (PUT). Include `metadata.resourceVersion` for
   * optimistic concurrency: a stale one gives 409 Conflict.
   *
   * @param object The full new object; its name is taken from `metadata.name`.
   * @param options dryRun, fieldManager, subresource and signal.
   * @returns The object as stored.
   * @throws {TypeError} When the object has no name.
   * @throws {ApiError} 409 Conflict, 404 NotFound, and others.
   *
   * @example Replacing a ConfigMap
   * ```ts
   * import { configMaps, KubeClient } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const cms = client.resource(configMaps, "default");
   * const cm = await cms.create({ metadata: { name: "c" }, data: { a: "1" } });
   * const updated = await cms.replace({ ...cm, data: { a: "2" } });
   * console.log(updated.data?.a); // "2"
   * await server.close();
   * ```
   */
  replace(object: T, options?: WriteOptions): Promise<T> {
    options ??= {};
    const name = object.metadata?.name;
    if (!name) throw new TypeError("replace needs an object with metadata.name");
    return this.#client.requestJson<T>({
      method: "PUT",
      path: resourcePath(this.resource, {
        namespace: this.#namespaceFor(object),
        name,
        subresource: options.subresource,
      }),
      query: writeQuery(options),
      body: this.#withTypeMeta(object),
      signal: options.signal,
    });
  }

  /**
   * Patches an object: JSON merge patch (default), JSON patch, strategic
   * merge patch or server-side apply (which needs `fieldManager`).
   *
   * @param name Object name.
   * @param patch The patch document (an array for JSON patch).
   * @param options Patch type, fieldManager, force, subresource and signal.
   * @returns The patched object.
   * @throws {TypeError} For an apply patch without `fieldManager`.
   * @throws {ApiError} For server errors.
   *
   * @example Labelling a pod
   * ```ts
   * import { KubeClient, pods } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const api = client.resource(pods, "default");
   * await api.create({ metadata: { name: "web-0" }, spec: { containers: [] } });
   * const pod = await api.patch("web-0", [{ op: "add", path: "/metadata/labels", value: { app: "web" } }], { type: "json" });
   * console.log(pod.metadata?.labels?.app); // "web"
   * await server.close();
   * ```
   */
  patch(name: string, patch: unknown, options?: PatchOptions): Promise<T> {
    options ??= {};
    const type = options.type ?? "merge";
    const contentType = PATCH_CONTENT_TYPES[type];
    if (!contentType) throw new TypeError(`unknown patch type ${JSON.stringify(type)}`);
    if (type === "apply" && !options.fieldManager) {
      throw new TypeError("an apply patch needs options.fieldManager");
    }
    if (type === "json" && !Array.isArray(patch)) {
      throw new TypeError("a JSON patch must be an array of operations");
    }
    const body = type === "apply" && patch && typeof patch === "object" && !Array.isArray(patch)
      ? this.#withTypeMeta(patch as T)
      : patch;
    return this.#client.requestJson<T>({
      method: "PATCH",
      path: this.#objectPath(name, options.subresource),
      query: writeQuery(options),
      body,
      contentType,
      accept: this.metadataOnly ? METADATA_ACCEPT : undefined,
      signal: options.signal,
    });
  }

  /**
   * Deletes an object. The server answers with the object (when deletion is
   * graceful or waits on finalizers) or with a Success Status.
   *
   * @param name Object name.
   * @param options Propagation policy, grace period, preconditions, dryRun and signal.
   * @returns The object in its deleting state, or a Status.
   * @throws {ApiError} 404 NotFound, 409 Conflict on a failed precondition, and others.
   *
   * @example Deleting with a precondition
   * ```ts
   * import { configMaps, KubeClient } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const cms = client.resource(configMaps, "default");
   * const cm = await cms.create({ metadata: { name: "c" } });
   * await cms.delete("c", { preconditions: { uid: cm.metadata?.uid ?? "" } });
   * await server.close();
   * ```
   */
  delete(name: string, options?: DeleteOptions): Promise<T | Status> {
    options ??= {};
    return this.#client.requestJson<T | Status>({
      method: "DELETE",
      path: this.#objectPath(name),
      body: deleteBody(options),
      signal: options.signal,
    });
  }

  /**
   * Deletes every object of the collection that matches the selectors.
   *
   * @param options Selectors, delete options and signal.
   * @returns The list of deleted objects (items completed with kind and apiVersion, as by
   *   {@linkcode ResourceClient.list}) or a Status, as the server answers.
   *
   * @example Deleting by label
   * ```ts
   * import { configMaps, KubeClient } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * await client.resource(configMaps, "default").deleteCollection({ labelSelector: { app: "old" } });
   * await server.close();
   * ```
   */
  async deleteCollection(
    options?: DeleteOptions & ListOptions,
  ): Promise<KubeList<T> | Status> {
    options ??= {};
    const result = await this.#client.requestJson<KubeList<T> | Status>({
      method: "DELETE",
      path: this.#collectionPath(),
      query: listQuery(options),
      body: deleteBody(options),
      signal: options.signal,
    });
    // The server answers with a list whose items lack kind and apiVersion, as for list().
    return result.kind === "Status" ? result : completeList(result as KubeList<T>);
  }

  /** Parses a list page, after cutting managedFields out of its text when asked to. */
  #parseList(text: string, dropManagedFields: boolean): KubeList<T> {
    try {
      return completeList(
        JSON.parse(dropManagedFields ? cutManagedFields(text, "list") : text) as KubeList<T>,
      );
    } catch (err) {
      throw new TransportError(
        `list ${this.#collectionPath()}: response is not JSON (${text.length} characters)`,
        { cause: err },
      );
    }
  }

  #collectionPath(): string {
    return resourcePath(this.resource, { namespace: this.namespace });
  }

  #objectPath(name: string, subresource?: string): string {
    if (this.resource.namespaced && this.namespace === undefined) {
      throw new TypeError(
        `${this.resource.plural} are namespaced: address "${name}" through client.resource(${this.resource.plural}, namespace)`,
      );
    }
    return resourcePath(this.resource, { namespace: this.namespace, name, subresource });
  }

  #namespaceFor(object: KubeObject): string | undefined {
    if (!this.resource.namespaced) return undefined;
    if (this.namespace !== undefined) return this.namespace;
    const fromObject = object.metadata?.namespace;
    if (fromObject) return fromObject;
    if (this.metadataOnly) return undefined;
    return this.#client.namespace;
  }

  #withTypeMeta(object: T): T {
    if (object.kind && object.apiVersion) return object;
    return {
      ...object,
      apiVersion: object.apiVersion ?? this.resource.apiVersion,
      kind: object.kind ?? this.resource.kind,
    };
  }
}

function cutWatchEventManagedFields(line: string): string {
  return cutManagedFields(line, "watch-event");
}

/** A page request in flight: its response (headers) and its body text. */
interface PageRequest {
  readonly response: Promise<Response>;
  readonly text: Promise<string>;
}

/**
 * Reads a list's metadata from the start of its JSON text without parsing the
 * items: `{"kind":…,"apiVersion":…,"metadata":{…},"items":[…]}`. Returns
 * undefined when the metadata does not come before the items.
 */
function peekListMeta(text: string): ListMeta | undefined {
  const at = text.indexOf('"metadata":');
  if (at === -1 || at > 1024) return undefined;
  const items = text.indexOf('"items":');
  if (items !== -1 && items < at) return undefined;
  const start = text.indexOf("{", at);
  const end = text.indexOf("}", start);
  if (start === -1 || end === -1) return undefined;
  try {
    const meta = JSON.parse(text.slice(start, end + 1)) as unknown;
    return typeof meta === "object" && meta !== null ? meta as ListMeta : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fills in kind and apiVersion of list items that arrived without them (the
 * real server omits them for built-in kinds): kind is the list kind minus
 * `List`, apiVersion is the list's. Accepts `items: null`.
 *
 * @param list A list as parsed from the wire.
 * @returns The same list, completed in place.
 */
function completeList<T extends KubeObject>(list: KubeList<T>): KubeList<T> {
  if (!list.items) list.items = [];
  if (!list.metadata) list.metadata = {};
  const listKind = list.kind ?? "";
  const kind = listKind.endsWith("List") ? listKind.slice(0, -4) : undefined;
  const apiVersion = list.apiVersion;
  if (kind === undefined || apiVersion === undefined) return list;
  for (const item of list.items) {
    if (item.kind === undefined) item.kind = kind;
    if (item.apiVersion === undefined) item.apiVersion = apiVersion;
  }
  return list;
}

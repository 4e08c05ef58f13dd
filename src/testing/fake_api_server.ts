/**
 * {@linkcode FakeApiServer}: an in-memory kube-apiserver for tests, usable
 * without a port through {@linkcode FakeApiServer.fetch} or over real HTTP through
 * {@linkcode FakeApiServer.start}.
 *
 * @module
 */

import { ApiError } from "../api/errors.ts";
import type { KubeObject, ObjectMeta } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import { KUBERNETES_RESOURCES } from "../api/resources.ts";
import { realClock } from "../_internal/clock.ts";
import { KubeClient } from "../client/kube_client.ts";
import type { KubeClientOptions } from "../client/kube_client_options.ts";
import { serve, type ServeHandle } from "../runtime/serve.ts";
import { type FailNextOptions, FaultQueue, type RequestInfo } from "./_faults.ts";
import type { ResourceTable, StoredObject } from "./_object_store.ts";
import { NamespaceController } from "./_namespace_controller.ts";
import { Registry, seededRandom } from "./_registry.ts";
import { parseRoute, requestInfo, type Route } from "./_request_path.ts";
import { statusResponse } from "./_responses.ts";
import { routeRequest } from "./_server_routes.ts";
import { badRequest, failure, StatusError, unauthorized, unexpectedError } from "./_status.ts";

/** Every resource of a real kube-apiserver's preferred versions, as generated in `src/api/`. */
const SERVED_RESOURCES: readonly ResourceDescriptor[] = KUBERNETES_RESOURCES;

/**
 * The base URL of a server that is not listening (never resolved: requests
 * reach it through {@linkcode FakeApiServer.fetch}).
 *
 * @example Recognising an in-memory server
 * ```ts
 * import { FakeApiServer, IN_PROCESS_URL } from "@kubesnap/kubesnap/testing";
 * const server = new FakeApiServer();
 * console.log(server.url === IN_PROCESS_URL); // true
 * await server.close();
 * ```
 */
export const IN_PROCESS_URL: string = "http://fake-apiserver.invalid";

/**
 * TLS material for {@linkcode FakeApiServer.start}.
 *
 * @example Serving HTTPS
 * ```ts ignore
 * import { FakeApiServer } from "./fake_api_server.ts";
 * const server = await FakeApiServer.start({
 *   tls: { cert: await Deno.readTextFile("cert.pem"), key: await Deno.readTextFile("key.pem") },
 * });
 * console.log(server.url); // https://127.0.0.1:…
 * await server.close();
 * ```
 */
export interface FakeApiServerTls {
  /** PEM certificate chain. */
  cert: string;
  /** PEM private key. */
  key: string;
}

/**
 * Options of {@linkcode FakeApiServer}.
 *
 * @example A small history, fast bookmarks and a fixed clock
 * ```ts
 * import { FakeApiServer, type FakeApiServerOptions } from "@kubesnap/kubesnap/testing";
 * const options: FakeApiServerOptions = {
 *   historySize: 100,
 *   bookmarkIntervalMs: 50,
 *   now: () => Date.UTC(2024, 0, 1),
 * };
 * const server = new FakeApiServer(options);
 * await server.close();
 * ```
 */
export interface FakeApiServerOptions {
  /**
   * How many changes the event history keeps (shared by all resources, like
   * etcd). Watches and continue tokens older than the history get 410.
   * @default {10000}
   */
  historySize?: number;
  /**
   * Period of automatic BOOKMARK events for watches that ask for them; 0
   * disables them (use {@linkcode FakeApiServer.bookmark} instead).
   * @default {60000}
   */
  bookmarkIntervalMs?: number;
  /** Require `Authorization: Bearer <token>`; 401 otherwise. */
  token?: string;
  /** Serve HTTPS with this certificate (only with {@linkcode FakeApiServer.start}). */
  tls?: FakeApiServerTls;
  /**
   * Support streaming lists (`sendInitialEvents`); false answers them with
   * 422 like a server without the WatchList feature.
   * @default {true}
   */
  streamingLists?: boolean;
  /** Largest request body accepted; larger ones get 413. @default {3145728} */
  maxBodyBytes?: number;
  /** Clock for `creationTimestamp`, `deletionTimestamp` and managedFields times. @default {Date.now} */
  now?: () => number;
  /** Source of uids and generated-name suffixes, in [0, 1). @default {a PRNG with a fixed seed} */
  random?: () => number;
  /** Host to listen on (with {@linkcode FakeApiServer.start}). @default {"127.0.0.1"} */
  hostname?: string;
  /** Port to listen on; 0 picks a free one. @default {0} */
  port?: number;
  /** Extra resources to serve besides the built-in ones. */
  resources?: readonly ResourceDescriptor[];
  /** How many requests {@linkcode FakeApiServer.requests} keeps (oldest dropped). @default {10000} */
  requestLogSize?: number;
  /**
   * Answer CORS preflights and allow every origin, so that a page on another
   * origin can use the server (like kube-apiserver's `--cors-allowed-origins`).
   * @default {false}
   */
  cors?: boolean;
  /**
   * Emulate kube-controller-manager's namespace controller: shortly after a
   * namespace is deleted (on a timer, as the real controller runs apart from
   * the apiserver) every namespaced object in it is deleted, objects with
   * finalizers are kept until their finalizers are removed, and then the
   * `kubernetes` finalizer is removed so that the namespace goes away. With
   * `false` the server behaves like a kube-apiserver without a controller
   * manager: a deleted namespace stays Terminating until a
   * `PUT /api/v1/namespaces/{name}/finalize` empties its `spec.finalizers`.
   * @default {true}
   */
  namespaceController?: boolean;
}

/** Delay between a namespace deletion (or a deletion inside it) and the controller's pass. */
const NAMESPACE_CONTROLLER_DELAY_MS = 10;

const SERVER_SET_FIELDS = [
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
] as const;

/**
 * A direct-API object copy: a fresh parse of the stored JSON. (Copying a
 * cached parse would be about twice as fast, but would keep a parsed copy of
 * every object read; `structuredClone` of one is slower than the parse.)
 */
function copyOf<T extends KubeObject>(stored: StoredObject): T {
  return JSON.parse(stored.json) as T;
}

/** Copies the metadata fields the server sets into the caller's object. */
function writeBack<T extends KubeObject>(object: T, stored: StoredObject): T {
  const meta: ObjectMeta = (object.metadata ??= {});
  const system: Record<string, unknown> = { ...stored.system, name: stored.name };
  if (stored.namespace !== "") system.namespace = stored.namespace;
  for (const field of SERVER_SET_FIELDS) {
    const value = system[field];
    if (value === undefined) delete meta[field];
    else (meta as Record<string, unknown>)[field] = value;
  }
  return object;
}

/**
 * Options of the direct write methods.
 *
 * @example Simulating a missed event
 * ```ts
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 * import { pods } from "@kubesnap/kubesnap";
 * const server = new FakeApiServer();
 * server.create(pods, { metadata: { name: "a", namespace: "default" } }, { silent: true });
 * console.log(server.resourceVersion); // "2", but no watch saw it
 * await server.close();
 * ```
 */
export interface FakeWriteOptions {
  /**
   * Change the state without any watch event (the resourceVersion still
   * advances), to simulate a missed event.
   * @default {false}
   */
  silent?: boolean;
}

/**
 * An in-memory kube-apiserver. One global integer resourceVersion; objects
 * stored with their JSON encoding; list/watch with the real server's
 * resourceVersion semantics, pagination snapshots, selectors, bookmarks,
 * streaming lists and 410s; discovery for kubectl; the `scale` subresource
 * of deployments, replicasets and statefulsets; a namespace controller that
 * empties and removes deleted namespaces (see
 * {@linkcode FakeApiServerOptions.namespaceController}); fault injection.
 *
 * @example In memory
 * ```ts
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 * import { pods } from "@kubesnap/kubesnap";
 * const server = new FakeApiServer();
 * server.create(pods, { metadata: { name: "web-0", namespace: "default" } });
 * const res = await server.fetch(new Request("http://x/api/v1/namespaces/default/pods"));
 * const list = await res.json();
 * console.log(list.items.length); // 1
 * await server.close();
 * ```
 */
export class FakeApiServer {
  readonly #registry: Registry;
  readonly #faults = new FaultQueue();
  readonly #options: FakeApiServerOptions;
  readonly #maxBodyBytes: number;
  readonly #logSize: number;
  readonly #tablesByPath = new Map<string, ResourceTable>();
  readonly #pendingDelays = new Set<() => void>();
  readonly #namespaceController: NamespaceController | undefined;
  #requests: RequestInfo[] = [];
  #listener: ServeHandle | undefined;
  #closed = false;

  /**
   * Milliseconds every request waits before it is handled.
   *
   * @default {0}
   *
   * @example Slowing every request down
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * server.latencyMs = 20;
   * await (await server.fetch(new Request("http://x/version"))).body?.cancel();
   * await server.close();
   * ```
   */
  latencyMs: number = 0;

  /**
   * Creates a server that is not listening; use {@linkcode FakeApiServer.fetch}
   * or {@linkcode FakeApiServer.client} in memory, or
   * {@linkcode FakeApiServer.start} to listen.
   *
   * @param options Behaviour and limits.
   */
  constructor(options?: FakeApiServerOptions) {
    options ??= {};
    const historySize = options.historySize ?? 10_000;
    if (!Number.isInteger(historySize) || historySize < 1) {
      throw new RangeError(
        `FakeApiServer: historySize must be a positive integer, got ${historySize}`,
      );
    }
    const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    if (!(bookmarkIntervalMs >= 0)) {
      throw new RangeError(
        `FakeApiServer: bookmarkIntervalMs must be >= 0, got ${bookmarkIntervalMs}`,
      );
    }
    this.#options = options;
    this.#maxBodyBytes = options.maxBodyBytes ?? 3 * 1024 * 1024;
    this.#logSize = options.requestLogSize ?? 10_000;
    const now = options.now ?? Date.now;
    let controller: NamespaceController | undefined;
    this.#registry = new Registry(
      {
        historySize,
        bookmarkIntervalMs,
        streamingLists: options.streamingLists ?? true,
        clock: realClock,
        now,
        random: options.random ?? seededRandom(0x6b756265),
        onCommit: (change) => controller?.observe(change),
      },
      SERVED_RESOURCES,
    );
    if (options.namespaceController ?? true) {
      controller = new NamespaceController(this.#registry, {
        clock: realClock,
        delayMs: NAMESPACE_CONTROLLER_DELAY_MS,
        now,
      });
      this.#namespaceController = controller;
    }
    for (const d of SERVED_RESOURCES) this.#index(this.#registry.register(d));
    for (const d of options.resources ?? []) this.register(d);
  }

  /**
   * Creates a server and listens on HTTP (HTTPS with `tls`), by default on
   * 127.0.0.1 and a free port. Needs a runtime with `Deno.serve`.
   *
   * @param options Behaviour, limits, host and port.
   * @returns The listening server.
   *
   * @example Over HTTP
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * await using server = await FakeApiServer.start();
   * const res = await fetch(`${server.url}/version`);
   * console.log((await res.json()).major); // "1"
   * ```
   */
  static async start(options?: FakeApiServerOptions): Promise<FakeApiServer> {
    options ??= {};
    const server = new FakeApiServer(options);
    const serveOptions: Parameters<typeof serve>[1] = {
      port: options.port ?? 0,
      hostname: options.hostname ?? "127.0.0.1",
    };
    if (options.tls !== undefined) {
      serveOptions.cert = options.tls.cert;
      serveOptions.key = options.tls.key;
    }
    server.#listener = await serve(server.fetch, serveOptions);
    return server;
  }

  /**
   * Base URL: the listening address, or `http://fake-apiserver.invalid` in memory.
   *
   * @example Reading the address
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * await using server = await FakeApiServer.start();
   * console.log(server.url); // http://127.0.0.1:<port>
   * ```
   */
  get url(): string {
    return this.#listener?.url ?? IN_PROCESS_URL;
  }

  /**
   * The server as a fetch handler; works whether or not it listens.
   *
   * @example Handling a request in memory
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const res = await server.fetch(new Request("http://x/api/v1/namespaces/default/pods/nope"));
   * console.log(res.status); // 404
   * await res.body?.cancel();
   * await server.close();
   * ```
   */
  readonly fetch: (request: Request) => Promise<Response> = (request) =>
    // Whatever fails, the answer is a Status and the server keeps serving.
    (this.#options.cors ? this.#withCors(request) : this.#handle(request))
      .catch((err) => statusResponse(unexpectedError(err)));

  async #withCors(request: Request): Promise<Response> {
    const origin = request.headers.get("origin") ?? "*";
    const headers: Record<string, string> = {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Credentials": "true",
      "Access-Control-Expose-Headers": "Date, Retry-After, Content-Type",
      "Vary": "Origin",
    };
    if (request.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: {
          ...headers,
          "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers") ??
            "Authorization, Content-Type, Accept",
          "Access-Control-Max-Age": "600",
        },
      });
    }
    const response = await this.#handle(request);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  }

  /**
   * A {@linkcode KubeClient} bound to this server: over HTTP when listening
   * (with the token if auth is on), else in memory. For HTTPS pass a
   * `fetch` that trusts the certificate.
   *
   * @param overrides Client options to override.
   * @returns A client.
   *
   * @example A client bound to the server
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { pods } from "@kubesnap/kubesnap";
   * const server = new FakeApiServer();
   * const client = server.client();
   * await client.resource(pods, "default").create({ metadata: { name: "a" } });
   * console.log(server.list(pods).length); // 1
   * await server.close();
   * ```
   */
  client(overrides?: Partial<KubeClientOptions>): KubeClient {
    overrides ??= {};
    const options: KubeClientOptions = this.#listener !== undefined
      ? { server: this.#listener.url }
      : { server: IN_PROCESS_URL, fetch: this.fetch };
    if (this.#options.token !== undefined) options.token = this.#options.token;
    return new KubeClient({ ...options, ...overrides });
  }

  /**
   * Serves a custom resource (discovery included).
   *
   * @param resource A descriptor from `defineResource`.
   * @returns This server.
   *
   * @example Serving a custom resource
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { defineResource } from "@kubesnap/kubesnap";
   * const widgets = defineResource({ group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true });
   * const server = new FakeApiServer().register(widgets);
   * server.create(widgets, { metadata: { name: "w" } });
   * await server.close();
   * ```
   */
  register(resource: ResourceDescriptor): this {
    this.#table(resource);
    return this;
  }

  /**
   * Stores a new object as if created through the API (uid, timestamps,
   * generateName, validation), with an ADDED event. `resourceVersion` in
   * the input is ignored; given `uid`/`creationTimestamp` are kept (status
   * too: unlike an HTTP create, nothing is reset). The server-set metadata
   * (name, namespace, uid, resourceVersion, generation, creationTimestamp)
   * is written back into `object`, which is returned; the server keeps its
   * own copy. Throws {@linkcode ApiError} (409 AlreadyExists, 422 Invalid).
   *
   * @example Creating an object directly
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { pods } from "@kubesnap/kubesnap";
   * const server = new FakeApiServer();
   * const pod = server.create(pods, { metadata: { generateName: "web-", namespace: "prod" } });
   * console.log(pod.metadata?.name?.startsWith("web-")); // true
   * await server.close();
   * ```
   */
  create<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    object: T,
    options?: FakeWriteOptions,
  ): T {
    options ??= {};
    const table = this.#table(resource);
    const input = { ...object, metadata: { ...object.metadata } };
    delete input.metadata.resourceVersion;
    const stored = this.#direct(() =>
      this.#registry.create(table, input, { http: false, silent: options.silent ?? false })
    );
    return writeBack(object, stored);
  }

  /**
   * Replaces an object (status included), with a MODIFIED event. A
   * `resourceVersion` in the input must be current (409 otherwise); none
   * means unconditional. Removing the last finalizer of an object being
   * deleted deletes it. Like {@linkcode FakeApiServer.create}, writes the
   * server-set metadata back into `object` and returns it, so the same
   * object can be updated again.
   *
   * The same name as `ResourceClient.replace` (a PUT of the whole object).
   *
   * @example Replacing an object directly
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { pods } from "@kubesnap/kubesnap";
   * const server = new FakeApiServer();
   * const pod = server.create(pods, { metadata: { name: "a", namespace: "default" } });
   * pod.status = { phase: "Running" };
   * console.log(server.replace(pods, pod).status?.phase); // "Running"
   * await server.close();
   * ```
   */
  replace<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    object: T,
    options?: FakeWriteOptions,
  ): T {
    options ??= {};
    const table = this.#table(resource);
    const stored = this.#direct(() =>
      this.#registry.update(table, object, { http: false, silent: options.silent ?? false })
    );
    return writeBack(object, stored);
  }

  /**
   * The former name of {@linkcode FakeApiServer.replace}.
   *
   * @deprecated Use {@linkcode FakeApiServer.replace}, the name `ResourceClient` uses.
   * @param resource The resource.
   * @param object The whole new object.
   * @param options `silent`: no watch event.
   * @returns `object`, with the server-set metadata written back.
   */
  update<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    object: T,
    options?: FakeWriteOptions,
  ): T {
    return this.replace(resource, object, options);
  }

  /**
   * Deletes an object (DELETED event), or marks it with a deletionTimestamp
   * while finalizers remain (MODIFIED event). Returns the deleted or marked
   * object; throws {@linkcode ApiError} 404 when missing.
   *
   * @param resource The resource.
   * @param namespace Namespace (ignored for cluster-scoped resources).
   * @param name Name.
   * @param options `silent` to emit no event.
   * @returns The object's last state.
   *
   * @example Deleting an object directly
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { pods } from "@kubesnap/kubesnap";
   * const server = new FakeApiServer();
   * server.create(pods, { metadata: { name: "a", namespace: "default" } });
   * server.delete(pods, "default", "a");
   * console.log(server.get(pods, "default", "a")); // undefined
   * await server.close();
   * ```
   */
  delete<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    namespace: string | undefined,
    name: string,
    options?: FakeWriteOptions,
  ): T {
    options ??= {};
    return this.#direct(() =>
      copyOf<T>(
        this.#registry.delete(this.#table(resource), namespace ?? "", name, {
          http: false,
          silent: options.silent ?? false,
        }).stored,
      )
    );
  }

  /**
   * A copy of the current object, or undefined.
   *
   * @example Reading an object directly
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { nodes } from "@kubesnap/kubesnap";
   * const server = new FakeApiServer();
   * server.create(nodes, { metadata: { name: "n1" } });
   * console.log(server.get(nodes, undefined, "n1")?.metadata?.name); // "n1"
   * await server.close();
   * ```
   */
  get<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    namespace: string | undefined,
    name: string,
  ): T | undefined {
    const stored = this.#registry.find(this.#table(resource), namespace ?? "", name);
    return stored === undefined ? undefined : copyOf<T>(stored);
  }

  /**
   * Copies of the current objects, ordered by namespace and name.
   *
   * @example Listing objects directly
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { pods } from "@kubesnap/kubesnap";
   * const server = new FakeApiServer();
   * server.create(pods, { metadata: { name: "b", namespace: "x" } });
   * server.create(pods, { metadata: { name: "a", namespace: "y" } });
   * console.log(server.list(pods).map((p) => p.metadata?.name)); // ["b", "a"]
   * await server.close();
   * ```
   */
  list<T extends KubeObject>(resource: ResourceDescriptor<T>, namespace?: string): T[] {
    const table = this.#table(resource);
    const items = table.sorted();
    return items
      .filter((s) => namespace === undefined || !resource.namespaced || s.namespace === namespace)
      .map((s) => copyOf<T>(s));
  }

  /**
   * Drops the event history: every resourceVersion older than the current
   * one now answers 410 (watches, Exact lists, continue tokens).
   *
   * @example Expiring old resourceVersions
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * server.compact();
   * await server.close();
   * ```
   */
  compact(): void {
    this.#registry.store.compact();
  }

  /**
   * Ends every open watch stream cleanly (as a server restart would).
   *
   * @returns How many watches were closed.
   *
   * @example Dropping every watch
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * console.log(server.closeWatches()); // 0
   * await server.close();
   * ```
   */
  closeWatches(): number {
    return this.#registry.hub.closeAll();
  }

  /**
   * Stalls every open watch: the connection stays open and nothing more is
   * sent (no events, bookmarks or timeout) until the client gives up or the
   * server closes.
   *
   * @returns How many watches were stalled.
   *
   * @example Stalling every watch
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * console.log(server.stallWatches()); // 0
   * await server.close();
   * ```
   */
  stallWatches(): number {
    return this.#registry.hub.stallAll();
  }

  /**
   * Writes a line that is not a valid watch event to every open watch.
   *
   * @param line The raw text, newline included. @default {"{this is not json\n"}
   * @returns How many watches received it.
   *
   * @example Corrupting watch streams
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * console.log(server.injectMalformedLine()); // 0
   * await server.close();
   * ```
   */
  injectMalformedLine(line = "{this is not json\n"): number {
    return this.#registry.hub.writeAll(line);
  }

  /**
   * Makes the next matching requests fail with a status (and `Retry-After`
   * when `retryAfterSeconds` is given). Faults are used in the order added.
   *
   * @example Failing only the next watch
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * server.failNext({ status: 429, retryAfterSeconds: 1, body: "Too many requests, please try again later.\n", match: { verb: "watch" } });
   * const res = await server.fetch(new Request("http://x/api/v1/pods?watch=1"));
   * console.log(res.status, res.headers.get("retry-after")); // 429 "1"
   * await res.body?.cancel();
   * await server.close();
   * ```
   */
  failNext(options: FailNextOptions): void {
    this.#faults.add(options);
  }

  /**
   * Forgets every pending fault.
   *
   * @example Forgetting pending faults
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * server.failNext({ status: 500 });
   * server.clearFaults();
   * await server.close();
   * ```
   */
  clearFaults(): void {
    this.#faults.clear();
  }

  /**
   * Sends a BOOKMARK at the current resourceVersion to every watch that
   * asked for bookmarks.
   *
   * @example Sending a bookmark on demand
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer({ bookmarkIntervalMs: 0 });
   * server.bookmark();
   * await server.close();
   * ```
   */
  bookmark(): void {
    this.#registry.hub.bookmark();
  }

  /**
   * The current resourceVersion (of the last write); `"1"` for a new server.
   *
   * @example After one write
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * import { pods } from "@kubesnap/kubesnap";
   * const server = new FakeApiServer();
   * server.create(pods, { metadata: { name: "a" } });
   * console.log(server.resourceVersion); // "2"
   * await server.close();
   * ```
   */
  get resourceVersion(): string {
    return String(this.#registry.store.resourceVersion);
  }

  /**
   * Open watch streams.
   *
   * @example Counting watches
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const res = await server.fetch(new Request("http://x/api/v1/pods?watch=1"));
   * console.log(server.watchCount); // 1
   * await res.body?.cancel();
   * await server.close();
   * ```
   */
  get watchCount(): number {
    return this.#registry.hub.count;
  }

  /**
   * Requests received, oldest first: method, path, query, verb, resource,
   * namespace, name (at most `requestLogSize`).
   *
   * @example Asserting what a client sent
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * await (await server.fetch(new Request("http://x/api/v1/pods?limit=500"))).body?.cancel();
   * console.log(server.requests[0]?.verb, server.requests[0]?.query); // "list" "limit=500"
   * await server.close();
   * ```
   */
  get requests(): readonly RequestInfo[] {
    return this.#requests;
  }

  /**
   * Empties {@linkcode FakeApiServer.requests}.
   *
   * @example Emptying the request log
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * await (await server.fetch(new Request("http://x/version"))).body?.cancel();
   * server.clearRequests();
   * console.log(server.requests.length); // 0
   * await server.close();
   * ```
   */
  clearRequests(): void {
    this.#requests = [];
  }

  /**
   * Ends every watch, cancels every timer and stops listening. Requests
   * after close get 503.
   *
   * @example Shutting down
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = await FakeApiServer.start();
   * await server.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#namespaceController?.close();
    for (const release of [...this.#pendingDelays]) release();
    this.#pendingDelays.clear();
    this.#registry.hub.shutdown();
    const listener = this.#listener;
    if (listener !== undefined) await listener.close();
  }

  /**
   * Same as {@linkcode FakeApiServer.close}, for `await using`.
   *
   * @example Scoped server
   * ```ts
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * {
   *   await using server = new FakeApiServer();
   *   console.log(server.watchCount); // 0
   * } // closed here
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // -------------------------------------------------------------------------

  #index(table: ResourceTable): ResourceTable {
    const d = table.descriptor;
    this.#tablesByPath.set(`${d.group}/${d.version}/${d.plural}`, table);
    return table;
  }

  #table(resource: ResourceDescriptor): ResourceTable {
    const existing = this.#registry.store.table(resource);
    if (existing !== undefined) {
      const d = existing.descriptor;
      if (d.version !== resource.version || d.kind !== resource.kind) {
        throw new TypeError(
          `FakeApiServer: ${resource.plural}.${resource.group} is already served as ${d.kind} ${d.apiVersion}`,
        );
      }
      return existing;
    }
    return this.#index(this.#registry.register(resource));
  }

  #direct<R>(fn: () => R): R {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StatusError) throw ApiError.fromStatus(err.status);
      throw err;
    }
  }

  #knownGroupVersion = (group: string, version: string): boolean => {
    for (const table of this.#registry.store.tables()) {
      if (table.descriptor.group === group && table.descriptor.version === version) return true;
    }
    return false;
  };

  #lookup = (group: string, version: string, plural: string): ResourceTable | undefined =>
    this.#tablesByPath.get(`${group}/${version}/${plural}`);

  async #handle(request: Request): Promise<Response> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return statusResponse(new StatusError(badRequest("the request URL cannot be parsed")));
    }
    const route = parseRoute(url.pathname, this.#lookup, this.#knownGroupVersion);
    const info = requestInfo(route, request.method, url);
    this.#requests.push(info);
    if (this.#requests.length > this.#logSize) {
      this.#requests.splice(0, this.#requests.length - this.#logSize);
    }

    if (this.#closed) return this.#shuttingDown(request);
    if (this.latencyMs > 0) {
      await this.#delay(this.latencyMs, request.signal);
      if (this.#closed) return this.#shuttingDown(request);
    }
    const token = this.#options.token;
    // A malformed path is refused before authentication, as Go's HTTP server does.
    if (token !== undefined && route.type !== "health" && route.type !== "malformedPath") {
      if (request.headers.get("authorization") !== `Bearer ${token}`) {
        await request.body?.cancel().catch(() => {});
        return statusResponse(new StatusError(unauthorized()));
      }
    }
    const fault = this.#faults.take(info);
    if (fault !== undefined) {
      await request.body?.cancel().catch(() => {});
      return fault;
    }
    try {
      return await this.#route(route, request, url);
    } catch (err) {
      await request.body?.cancel().catch(() => {});
      return statusResponse(err instanceof StatusError ? err : unexpectedError(err));
    }
  }

  async #shuttingDown(request: Request): Promise<Response> {
    await request.body?.cancel().catch(() => {});
    return statusResponse(
      new StatusError(failure(503, "ServiceUnavailable", "the fake apiserver is shutting down")),
    );
  }

  #delay(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", release);
        this.#pendingDelays.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      signal.addEventListener("abort", release, { once: true });
      this.#pendingDelays.add(release);
    });
  }

  #route(route: Route, request: Request, url: URL): Promise<Response> | Response {
    return routeRequest(route, {
      registry: this.#registry,
      request,
      url,
      limits: { maxBodyBytes: this.#maxBodyBytes },
    });
  }
}

/**
 * The Kubernetes REST client: one object per API server, holding the server
 * URL, credentials and the `fetch` that carries TLS settings.
 *
 * @module
 */

import { ApiError, KubeError, TransportError } from "../api/errors.ts";
import type { KubeObject, PartialObjectMetadata, Status } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import { abortableSleep, type SleepFunction } from "../_internal/abortable_sleep.ts";
import {
  type AutoDetectClientOptions,
  autoDetectClientOptions,
  type KubeConfigClientOptions,
  kubeConfigToClientOptions,
} from "./client_config.ts";
import type { CredentialProvider } from "./credentials.ts";
import type { FetchFunction, KubeClientOptions } from "./kube_client_options.ts";
import type { KubeConfig } from "./kube_config.ts";
import type { KubeRequest, KubeRequester } from "./kube_request.ts";
import { ResourceClient } from "./resource_client.ts";
import { redactUrlUserInfo, SecretRedactor } from "./secret_redaction.ts";

const DEFAULT_MAX_RETRIES = 10;
const MAX_ERROR_BODY_CHARS = 64 * 1024;

const REASON_BY_CODE: Readonly<Record<number, string>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/**
 * A client for one Kubernetes API server.
 *
 * Requests run over an injectable `fetch`. Responses with status 429 or 5xx
 * that carry a `Retry-After` header are retried transparently, at most
 * `maxRetries` times, and abortably. A 401 makes the credential provider fetch
 * a fresh credential once. Every other non-2xx response throws an
 * {@linkcode ApiError} carrying the server's `Status`.
 *
 * Errors never carry the credentials the client sent: the token, every
 * `Authorization` value the credential provider returned (for Basic also the
 * base64, `user:password` and password forms), the values in `secrets`, and
 * anything shaped like a credential (`Bearer …`, PEM private keys) are
 * removed from messages, stacks, causes and the `Status` of an
 * {@linkcode ApiError}, however the server or a proxy echoed them.
 *
 * @example Listing pods of a fake apiserver
 * ```ts
 * import { KubeClient, pods } from "@kubesnap/kubesnap";
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 *
 * const server = new FakeApiServer();
 * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
 * await client.resource(pods, "default").create({ metadata: { name: "web-0" }, spec: { containers: [] } });
 * const list = await client.resource(pods).list();
 * console.log(list.items.map((p) => p.metadata?.name)); // ["web-0"]
 * await server.close();
 * ```
 */
export class KubeClient implements KubeRequester {
  /** Base URL of the API server, without a trailing slash. */
  readonly server: string;
  /** Default namespace for objects that name none. */
  readonly namespace: string;
  #base: URL;
  #fetch: FetchFunction;
  #token: string | undefined;
  #credentials: CredentialProvider | undefined;
  #maxRetries: number;
  #sleep: SleepFunction;
  #headers: Readonly<Record<string, string>>;
  #userAgent: string;
  #onClose: (() => void) | undefined;
  #closed = false;
  #redactor: SecretRedactor = new SecretRedactor();

  /**
   * Creates a client.
   *
   * @param options Server URL, credentials and transport.
   * @throws {TypeError} When `server` is not an http(s) URL or carries credentials.
   */
  constructor(options: KubeClientOptions) {
    let base: URL;
    try {
      base = new URL(options.server);
    } catch {
      throw new TypeError(
        `server must be an absolute URL, got ${JSON.stringify(redactUrlUserInfo(options.server))}`,
      );
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new TypeError(`server must be an http or https URL, got protocol "${base.protocol}"`);
    }
    if (base.username || base.password) {
      throw new TypeError(
        "server URL must not contain credentials; use the token or credentials options",
      );
    }
    base.search = "";
    base.hash = "";
    this.#base = base;
    this.server = base.href.replace(/\/+$/, "");
    this.namespace = options.namespace || "default";
    this.#fetch = options.fetch ?? ((request) => fetch(request));
    this.#token = options.token;
    if (options.token !== undefined) this.#redactor.addAuthorization(`Bearer ${options.token}`);
    for (const secret of options.secrets ?? []) this.#redactor.addSecret(secret);
    this.#credentials = options.credentials;
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
      throw new RangeError(`maxRetries must be a non-negative integer, got ${maxRetries}`);
    }
    this.#maxRetries = maxRetries;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#headers = { ...options.headers };
    for (const [name, value] of Object.entries(this.#headers)) {
      if (/^(proxy-)?authorization$/i.test(name)) this.#redactor.addAuthorization(value);
    }
    this.#userAgent = options.userAgent ?? "kubesnap/0.1.0";
    this.#onClose = options.onClose;
  }

  /**
   * A client configured the way `kubectl` would be: in-cluster
   * (`KUBERNETES_SERVICE_HOST`, the service-account token, CA and namespace),
   * else the merged `$KUBECONFIG` files, else `~/.kube/config`.
   *
   * @param options A context name, an injected `fetch`, and overrides for tests.
   * @returns The client.
   * @throws {KubeConfigError} When no configuration is found, it is malformed,
   *   or a permission is missing (the message names the `--allow-*` flag).
   *
   * @example Connecting to the current cluster
   * ```ts ignore
   * import { KubeClient } from "./kube_client.ts";
   * const client = await KubeClient.autoDetect();
   * console.log(client.server);
   * ```
   */
  static async autoDetect(options?: AutoDetectClientOptions): Promise<KubeClient> {
    options ??= {};
    return new KubeClient(await autoDetectClientOptions(options));
  }

  /**
   * A client for one context of a parsed kubeconfig.
   *
   * @param kubeConfig The result of `parseKubeConfig`.
   * @param options The context (default: `current-context`) and an injected `fetch`.
   * @returns The client.
   * @throws {KubeConfigError} When the context, cluster or user is missing or unusable.
   *
   * @example From kubeconfig text
   * ```ts
   * import { KubeClient, parseKubeConfig } from "@kubesnap/kubesnap";
   * const kc = parseKubeConfig(`
   * apiVersion: v1
   * kind: Config
   * clusters:
   * - name: dev
   *   cluster:
   *     server: http://127.0.0.1:8080
   * users:
   * - name: dev
   *   user:
   *     token: abc
   * contexts:
   * - name: dev
   *   context:
   *     cluster: dev
   *     user: dev
   *     namespace: team-a
   * current-context: dev
   * `);
   * const client = KubeClient.fromKubeConfig(kc, { context: "dev" });
   * console.log(client.server, client.namespace); // "http://127.0.0.1:8080" "team-a"
   * ```
   */
  static fromKubeConfig(kubeConfig: KubeConfig, options?: KubeConfigClientOptions): KubeClient {
    options ??= {};
    return new KubeClient(kubeConfigToClientOptions(kubeConfig, options));
  }

  /**
   * A typed client for one resource, in one namespace or across all of them.
   *
   * @typeParam T The object type, taken from the descriptor.
   * @param resource The resource descriptor, such as `pods`.
   * @param namespace A namespace; omit for all namespaces (and for cluster-scoped resources).
   * @returns The resource client.
   *
   * @example Typed access
   * ```ts
   * import { KubeClient, pods } from "@kubesnap/kubesnap";
   * const client = new KubeClient({ server: "http://127.0.0.1:1" });
   * const podsInDefault = client.resource(pods, "default"); // ResourceClient<Pod>
   * console.log(podsInDefault.namespace); // "default"
   * ```
   */
  resource<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    namespace?: string,
  ): ResourceClient<T> {
    return new ResourceClient<T>(this, resource, namespace, false);
  }

  /**
   * A client for one resource that asks for metadata only
   * (`PartialObjectMetadata`), which is much smaller for large objects.
   *
   * @param resource The resource descriptor.
   * @param namespace A namespace; omit for all namespaces.
   * @returns A resource client of `PartialObjectMetadata`.
   *
   * @example Metadata-only listing
   * ```ts
   * import { KubeClient, secrets } from "@kubesnap/kubesnap";
   * const client = new KubeClient({ server: "http://127.0.0.1:1" });
   * const names = client.metadata(secrets, "default");
   * console.log(names.metadataOnly); // true
   * ```
   */
  metadata(
    resource: ResourceDescriptor,
    namespace?: string,
  ): ResourceClient<PartialObjectMetadata> {
    return new ResourceClient<PartialObjectMetadata>(
      this,
      resource as ResourceDescriptor<PartialObjectMetadata>,
      namespace,
      true,
    );
  }

  /**
   * Sends one request and returns the successful response (2xx). Retries 429
   * and 5xx responses that carry `Retry-After`; refreshes credentials once
   * after a 401.
   *
   * @param request Method, path, query, body and signal.
   * @returns The response; its body is unread.
   * @throws {ApiError} For any other non-2xx response (an {@linkcode ExpiredError} for 410).
   * @throws {TransportError} When no response arrived (connection refused, TLS failure).
   *
   * @example A raw request
   * ```ts
   * import { KubeClient } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const response = await client.request({ path: "/version" });
   * console.log((await response.json()).major);
   * await server.close();
   * ```
   */
  async request(request: KubeRequest): Promise<Response> {
    try {
      return await this.#send(request);
    } catch (err) {
      throw this.#redact(err, request.signal);
    }
  }

  async #send(request: KubeRequest): Promise<Response> {
    request.signal?.throwIfAborted();
    if (this.#closed) throw new KubeError("the client has been closed");
    const method = (request.method ?? "GET").toUpperCase();
    const url = this.#url(request.path, request.query);
    const body = request.body === undefined
      ? undefined
      : typeof request.body === "string"
      ? request.body
      : JSON.stringify(request.body);
    let refreshed = false;
    let refresh = false;
    for (let attempt = 0;; attempt++) {
      const headers = new Headers(this.#headers);
      headers.set("Accept", request.accept ?? "application/json");
      if (request.acceptEncoding !== undefined) {
        headers.set("Accept-Encoding", request.acceptEncoding);
      }
      headers.set("User-Agent", this.#userAgent);
      if (body !== undefined) {
        headers.set("Content-Type", request.contentType ?? "application/json");
      }
      const authorization = await this.#authorization(request.signal, refresh);
      if (authorization !== undefined) {
        this.#redactor.addAuthorization(authorization);
        headers.set("Authorization", authorization);
      }
      refresh = false;

      let response: Response;
      try {
        const init: RequestInit = { method, headers };
        if (body !== undefined) init.body = body;
        if (request.signal) init.signal = request.signal;
        response = await this.#fetch(new Request(url, init));
      } catch (err) {
        if (request.signal?.aborted) throw request.signal.reason;
        throw new TransportError(`${method} ${url.pathname} failed: ${describe(err)}`, {
          cause: err,
        });
      }
      if (response.ok) return response;

      if (response.status === 401 && this.#credentials && !refreshed) {
        await discard(response);
        refreshed = true;
        refresh = true;
        continue;
      }
      const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
      if (
        retryAfter !== undefined && (response.status === 429 || response.status >= 500) &&
        attempt < this.#maxRetries
      ) {
        await discard(response);
        await this.#sleep(retryAfter * 1000, request.signal);
        continue;
      }
      throw await errorFromResponse(response, retryAfter, this.#redactor);
    }
  }

  /**
   * Sends one request and parses the JSON response.
   *
   * @typeParam R The expected response type.
   * @param request Method, path, query, body and signal.
   * @returns The parsed body.
   * @throws {ApiError} For non-2xx responses.
   * @throws {TransportError} When no response arrived or the body is not JSON.
   *
   * @example Reading the server version
   * ```ts
   * import { KubeClient } from "@kubesnap/kubesnap";
   * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
   * const server = new FakeApiServer();
   * const client = new KubeClient({ server: "http://fake.invalid", fetch: (req) => server.fetch(req) });
   * const version = await client.requestJson<{ gitVersion: string }>({ path: "/version" });
   * console.log(version.gitVersion);
   * await server.close();
   * ```
   */
  async requestJson<R>(request: KubeRequest): Promise<R> {
    const response = await this.request(request);
    try {
      return await this.#readJson<R>(request, response);
    } catch (err) {
      throw this.#redact(err, request.signal);
    }
  }

  async #readJson<R>(request: KubeRequest, response: Response): Promise<R> {
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw new TransportError(
        `${request.method ?? "GET"} ${request.path}: reading the response failed: ${describe(err)}`,
        { cause: err },
      );
    }
    try {
      return JSON.parse(text) as R;
    } catch (err) {
      throw new TransportError(
        `${
          request.method ?? "GET"
        } ${request.path}: response is not JSON (${text.length} characters)`,
        { cause: err },
      );
    }
  }

  /**
   * Releases what the client owns (such as a TLS HTTP client). Requests after
   * close fail. Calling it again does nothing.
   *
   * @example Closing
   * ```ts
   * import { KubeClient } from "@kubesnap/kubesnap";
   * const client = new KubeClient({ server: "http://127.0.0.1:1" });
   * client.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose?.();
  }

  #url(path: string, query: URLSearchParams | undefined): URL {
    if (!path.startsWith("/")) {
      throw new TypeError(`request path must start with "/", got ${JSON.stringify(path)}`);
    }
    const url = new URL(this.#base.href);
    url.pathname = url.pathname.replace(/\/+$/, "") + path;
    if (query) {
      const search = query.toString();
      if (search) url.search = search;
    }
    return url;
  }

  /** Removes the credentials sent from anything thrown, except an abort reason (the caller's own value). */
  #redact(err: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted && err === signal.reason) return err;
    return this.#redactor.redactError(err);
  }

  async #authorization(
    signal: AbortSignal | undefined,
    refresh: boolean,
  ): Promise<string | undefined> {
    if (this.#credentials) return await this.#credentials.authorization({ signal, refresh });
    return this.#token === undefined ? undefined : `Bearer ${this.#token}`;
  }
}

/**
 * Parses a `Retry-After` header: delay seconds or an HTTP date. Returns
 * undefined when absent or unparseable.
 */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is not needed; failing to cancel it changes nothing.
  }
}

async function errorFromResponse(
  response: Response,
  retryAfter: number | undefined,
  redactor: SecretRedactor,
): Promise<ApiError> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // A body that cannot be read still leaves the status code to report.
  }
  let status: Status | undefined;
  if (text.trimStart().startsWith("{")) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      if (parsed && parsed.kind === "Status") status = redactor.redactValue(parsed as Status);
    } catch {
      // Not JSON after all: fall through to a synthesised Status.
    }
  }
  if (status) {
    if (status.code === undefined || status.code === 0) {
      status = { ...status, code: response.status };
    }
  } else {
    const trimmed = redactor.redactText(text.trim().slice(0, 2 * MAX_ERROR_BODY_CHARS)).trim();
    status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: trimmed
        ? trimmed.slice(0, MAX_ERROR_BODY_CHARS)
        : `the server responded with ${response.status} ${response.statusText}`.trim(),
      reason: REASON_BY_CODE[response.status] ?? (response.status >= 500 ? "InternalError" : ""),
      code: response.status,
    };
    if (retryAfter !== undefined) status.details = { retryAfterSeconds: retryAfter };
  }
  return ApiError.fromStatus(status, { retryAfterSeconds: retryAfter });
}

/** The message of an error and of its causes ("fetch failed: connection refused"). */
function describe(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ");
}

/**
 * One request to the API server, and the seam that sends it: resource
 * clients depend on {@linkcode KubeRequester}, which `KubeClient`
 * implements, rather than on the client itself.
 *
 * @module
 */

/** One request to the API server. */
export interface KubeRequest {
  /** HTTP method. @default {"GET"} */
  method?: string | undefined;
  /** Path below the server URL, starting with `/`. */
  path: string;
  /** Query parameters. */
  query?: URLSearchParams | undefined;
  /** Body: a string is sent as is, anything else as JSON. */
  body?: unknown;
  /** `Content-Type` of the body. @default {"application/json"} */
  contentType?: string | undefined;
  /** `Accept` header. @default {"application/json"} */
  accept?: string | undefined;
  /** `Accept-Encoding` header. @default {whatever the runtime's fetch sends} */
  acceptEncoding?: string | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/**
 * Sends requests to one API server; {@linkcode KubeRequest} in, the
 * successful response out. `KubeClient` implements it, and a resource client
 * sends every request through it.
 */
export interface KubeRequester {
  /** Default namespace for objects that name none. */
  readonly namespace: string;
  /**
   * Sends one request and returns the successful (2xx) response, body unread.
   *
   * @param request Method, path, query, body and signal.
   * @returns The response.
   */
  request(request: KubeRequest): Promise<Response>;
  /**
   * Sends one request and parses the JSON response.
   *
   * @typeParam R The expected response type.
   * @param request Method, path, query, body and signal.
   * @returns The parsed body.
   */
  requestJson<R>(request: KubeRequest): Promise<R>;
}

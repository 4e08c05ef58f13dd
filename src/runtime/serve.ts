/**
 * The HTTP listener adapter: serves a `fetch`-style handler on a port. The
 * only runtime-specific part of the fake apiserver; uses `Deno.serve` when
 * present (feature-detected).
 *
 * @module
 */

/** A `fetch`-style request handler. */
export type ServeHandler = (request: Request) => Promise<Response>;

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** Port; 0 picks a free one. @default {0} */
  port?: number;
  /** Host to bind. @default {"127.0.0.1"} */
  hostname?: string;
  /** PEM certificate chain; with `key`, serves HTTPS. */
  cert?: string;
  /** PEM private key. */
  key?: string;
  /** Stops the listener when aborted. */
  signal?: AbortSignal;
}

/** A running listener. */
export interface ServeHandle {
  /** Base URL such as `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The bound host. */
  readonly hostname: string;
  /** Stops listening and waits until every connection is closed. */
  close(): Promise<void>;
}

/** Methods whose requests are rebuilt with the completion signal (see `wrapped`). */
const REBUILT_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);

const INTERNAL_ERROR_BODY = JSON.stringify({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "internal server error",
  reason: "InternalError",
  code: 500,
});

interface DenoServeAddr {
  hostname: string;
  port: number;
}

interface DenoHttpServer {
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

interface DenoServeInfo {
  completed?: Promise<void>;
}

interface DenoLike {
  serve(
    options: {
      port: number;
      hostname: string;
      cert?: string;
      key?: string;
      signal?: AbortSignal;
      onListen: (addr: DenoServeAddr) => void;
      onError: (error: unknown) => Response;
    },
    handler: (request: Request, info: DenoServeInfo) => Promise<Response>,
  ): DenoHttpServer;
}

/**
 * Serves `handler` over HTTP/1.1 (chunked bodies for streams) or HTTPS.
 *
 * @param handler The request handler.
 * @param options Port, host, TLS and an abort signal.
 * @returns The listener, once it listens.
 * @throws {TypeError} when the runtime has no supported server API, or only one of cert/key is given.
 *
 * @example Serving a handler
 * ```ts
 * import { serve } from "./serve.ts";
 * const handle = await serve(() => Promise.resolve(new Response("hi")));
 * const res = await fetch(handle.url);
 * console.log(await res.text()); // "hi"
 * await handle.close();
 * ```
 */
export async function serve(
  handler: ServeHandler,
  options?: ServeOptions,
): Promise<ServeHandle> {
  options ??= {};
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno === undefined || typeof deno.serve !== "function") {
    throw new TypeError(
      "serve: this runtime has no Deno.serve; call server.fetch directly instead",
    );
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new TypeError("serve: cert and key must be given together");
  }
  options.signal?.throwIfAborted();
  const controller = new AbortController();
  let listening!: (addr: DenoServeAddr) => void;
  const ready = new Promise<DenoServeAddr>((resolve) => (listening = resolve));
  const serveOptions: Parameters<DenoLike["serve"]>[0] = {
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    signal: controller.signal,
    onListen: (addr) => listening(addr),
    // Only reached when the handler itself throws; answered in the shape of a
    // Kubernetes Status, as everything else the fake apiserver sends.
    onError: () =>
      new Response(INTERNAL_ERROR_BODY, {
        status: 500,
        headers: { "Content-Type": "application/json" },
      }),
  };
  if (options.cert !== undefined && options.key !== undefined) {
    serveOptions.cert = options.cert;
    serveOptions.key = options.key;
  }
  // The request seen by `handler` carries a signal that aborts when the
  // response is finished or the client went away (from `info.completed`),
  // rather than Deno's own request signal.
  //
  // A `Request` cannot be built for every method a client may send: `TRACE`,
  // `TRACK` and `CONNECT` are forbidden, `get` would become `GET`, and a GET or
  // HEAD cannot have a body. Such requests reach the handler as they came, so
  // that it answers them (401, 405) instead of the listener failing them.
  const wrapped = (request: Request, info: DenoServeInfo): Promise<Response> => {
    if (info.completed === undefined || !REBUILT_METHODS.has(request.method)) {
      return handler(request);
    }
    const done = new AbortController();
    const init: RequestInit & { duplex?: "half" } = {
      method: request.method,
      headers: request.headers,
      signal: done.signal,
    };
    if (request.body !== null && request.method !== "GET" && request.method !== "HEAD") {
      init.body = request.body;
      init.duplex = "half";
    }
    let rebuilt: Request;
    try {
      rebuilt = new Request(request.url, init);
    } catch {
      return handler(request);
    }
    const abort = () => done.abort();
    info.completed.then(abort, abort);
    return handler(rebuilt);
  };
  const server = deno.serve(serveOptions, wrapped);
  const addr = await ready;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const scheme = options.cert !== undefined ? "https" : "http";
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      await server.shutdown();
      await server.finished;
    })();
    return closing;
  };
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  return {
    url: `${scheme}://${host}:${addr.port}`,
    port: addr.port,
    hostname: addr.hostname,
    close,
  };
}

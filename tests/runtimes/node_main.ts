/**
 * Node entry point of the runtime matrix (Node 20.16 or later).
 *
 * ```sh
 * node node_main.mjs <server-url>
 * ```
 *
 * Environment: `KUBESNAP_TOKEN` (bearer token); `KUBESNAP_FETCH=node-https`
 * to give the client a `fetch` built on `node:https` that carries
 * `KUBESNAP_CA`, `KUBESNAP_CLIENT_CERT` and `KUBESNAP_CLIENT_KEY` (PEM text).
 * Without it the client uses Node's global `fetch`, which trusts the
 * authorities of `NODE_EXTRA_CA_CERTS` but cannot present a client
 * certificate.
 *
 * Node-only modules are reached through `process.getBuiltinModule`, so this
 * file imports nothing but the scenario.
 *
 * @module
 */

import type { FetchFunction } from "../../mod.ts";
import { runScenario, type ScenarioOptions } from "./scenario.ts";

/** The parts of Node's `process` used here. */
interface NodeProcess {
  argv: string[];
  env: Record<string, string | undefined>;
  version: string;
  exitCode?: number;
  getBuiltinModule?: (id: string) => unknown;
}

/** The parts of `node:https` used here. */
interface NodeHttps {
  Agent: new (options: Record<string, unknown>) => { destroy(): void };
  request(
    url: URL,
    options: Record<string, unknown>,
    onResponse: (response: NodeIncomingMessage) => void,
  ): NodeClientRequest;
}

interface NodeIncomingMessage {
  statusCode?: number;
  statusMessage?: string;
  rawHeaders: string[];
}

interface NodeClientRequest {
  on(event: "error", listener: (err: Error) => void): void;
  end(body?: Uint8Array): void;
}

/** The parts of `node:stream` used here. */
interface NodeStream {
  Readable: { toWeb(readable: NodeIncomingMessage): ReadableStream<Uint8Array> };
}

/** TLS settings of {@linkcode nodeHttpsFetch}. */
export interface NodeTlsOptions {
  /** PEM certificate authorities to trust (instead of Node's bundled ones). */
  ca?: string | undefined;
  /** PEM client certificate. */
  cert?: string | undefined;
  /** PEM client key. */
  key?: string | undefined;
}

const nodeProcess = (globalThis as unknown as { process: NodeProcess }).process;

function builtin<T>(id: string): T {
  if (typeof nodeProcess.getBuiltinModule !== "function") {
    throw new TypeError(
      `process.getBuiltinModule is missing (Node 20.16+ has it): cannot load ${id}`,
    );
  }
  return nodeProcess.getBuiltinModule(id) as T;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for `KubeClient` on Node, built on `node:https` with its own
 * agent, so that it can trust a private certificate authority and present a
 * client certificate. Request bodies are buffered; response bodies stream (so
 * watches work), and the request's signal aborts the request.
 *
 * @param tls Certificate authority, client certificate and key.
 * @returns The fetch.
 */
export function nodeHttpsFetch(tls: NodeTlsOptions): FetchFunction {
  const https = builtin<NodeHttps>("node:https");
  const { Readable } = builtin<NodeStream>("node:stream");
  const agent = new https.Agent({ ca: tls.ca, cert: tls.cert, key: tls.key, keepAlive: false });
  return async (request) => {
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
    return await new Promise<Response>((resolve, reject) => {
      const req = https.request(
        new URL(request.url),
        {
          method: request.method,
          headers: Object.fromEntries(request.headers),
          agent,
          signal: request.signal,
        },
        (res) => {
          const headers = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          }
          const status = res.statusCode ?? 502;
          const stream = NULL_BODY_STATUS.has(status) || request.method === "HEAD"
            ? null
            : Readable.toWeb(res);
          resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  };
}

const server = nodeProcess.argv[2];
if (server === undefined) throw new TypeError("usage: node node_main.mjs <server-url>");
const env = nodeProcess.env;
const options: ScenarioOptions = { server, runtime: `node ${nodeProcess.version}` };
if (env.KUBESNAP_TOKEN) options.token = env.KUBESNAP_TOKEN;
if (env.KUBESNAP_FETCH === "node-https") {
  options.fetch = nodeHttpsFetch({
    ca: env.KUBESNAP_CA,
    cert: env.KUBESNAP_CLIENT_CERT,
    key: env.KUBESNAP_CLIENT_KEY,
  });
}
const result = await runScenario(options);
nodeProcess.exitCode = result.ok ? 0 : 1;

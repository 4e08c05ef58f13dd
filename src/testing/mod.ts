/**
 * Test helpers: {@linkcode FakeApiServer}, an in-memory kube-apiserver that
 * kubesnap's own tests and your tests run against, in memory or over HTTP.
 *
 * @example Quick start
 * ```ts
 * import { FakeApiServer } from "@kubesnap/kubesnap/testing";
 * import { pods } from "@kubesnap/kubesnap";
 *
 * await using server = await FakeApiServer.start(); // 127.0.0.1, free port
 * server.create(pods, { metadata: { name: "web-0", namespace: "default" } });
 *
 * // Any HTTP client works; so does server.client() (a KubeClient).
 * const res = await fetch(`${server.url}/api/v1/namespaces/default/pods`);
 * const list = await res.json();
 * console.log(list.metadata.resourceVersion, list.items.length); // "2" 1
 *
 * // Faults for tests of clients.
 * server.failNext({ status: 429, retryAfterSeconds: 1 });
 * server.compact(); // older resourceVersions now answer 410 Expired
 * ```
 *
 * @module
 */

export {
  FakeApiServer,
  type FakeApiServerOptions,
  type FakeApiServerTls,
  type FakeWriteOptions,
  IN_PROCESS_URL,
} from "./fake_api_server.ts";
export type { FailNextOptions, RequestInfo, RequestMatch, RequestVerb } from "./_faults.ts";

import { ApiError, ExpiredError, TransportError } from "../../src/api/errors.ts";
import { deployments, namespaces, nodes, pods } from "../../src/api/resources.ts";
import type { CredentialProvider } from "../../src/client/credentials.ts";
import { KubeClient } from "../../src/client/kube_client.ts";
import { resourcePath } from "../../src/client/request_path.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
} from "../_helpers/assert.ts";

/** A fetch that answers from a list of responses and records every request. */
function scriptedFetch(responses: (() => Response)[]) {
  const requests: Request[] = [];
  const fetch = (request: Request): Promise<Response> => {
    requests.push(request);
    const next = responses.shift();
    if (!next) return Promise.reject(new Error("no scripted response left"));
    return Promise.resolve(next());
  };
  return { fetch, requests };
}

function statusResponse(
  code: number,
  reason: string,
  message: string,
  headers: HeadersInit = {},
): Response {
  return new Response(
    JSON.stringify({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code,
    }),
    { status: code, headers: { "Content-Type": "application/json", ...headers } },
  );
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
}

function recordingSleep() {
  const delays: number[] = [];
  const sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    delays.push(ms);
    signal?.throwIfAborted();
    return Promise.resolve();
  };
  return { delays, sleep };
}

Deno.test("resourcePath builds core, group, namespaced, cluster-scoped and subresource paths", () => {
  assertEquals(resourcePath(pods), "/api/v1/pods");
  assertEquals(
    resourcePath(pods, { namespace: "kube-system" }),
    "/api/v1/namespaces/kube-system/pods",
  );
  assertEquals(
    resourcePath(pods, { namespace: "default", name: "web-0", subresource: "status" }),
    "/api/v1/namespaces/default/pods/web-0/status",
  );
  assertEquals(
    resourcePath(deployments, { namespace: "prod" }),
    "/apis/apps/v1/namespaces/prod/deployments",
  );
  assertEquals(resourcePath(nodes, { namespace: "ignored", name: "n1" }), "/api/v1/nodes/n1");
  assertEquals(resourcePath(namespaces, { name: "team-a" }), "/api/v1/namespaces/team-a");
  assertEquals(
    resourcePath(pods, { namespace: "a b", name: "x/y" }),
    "/api/v1/namespaces/a%20b/pods/x%2Fy",
  );
  assertThrows(
    () => resourcePath(pods, { subresource: "status" }),
    TypeError,
    "needs an object name",
  );
  assertThrows(
    () => resourcePath(pods, { namespace: "default", name: ".." }),
    TypeError,
    "invalid name",
  );
});

Deno.test("KubeClient keeps a server path prefix and sends JSON headers and the bearer token", async () => {
  const { fetch, requests } = scriptedFetch([
    () => json({ kind: "PodList", apiVersion: "v1", metadata: {}, items: [] }),
  ]);
  const client = new KubeClient({
    server: "https://proxy.example/k8s/clusters/c-1/",
    token: "t0ken",
    fetch,
  });
  await client.resource(pods, "default").list({ limit: 5, labelSelector: { app: "web" } });
  const request = requests[0]!;
  assertEquals(
    request.url,
    "https://proxy.example/k8s/clusters/c-1/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=5",
  );
  assertEquals(request.headers.get("Authorization"), "Bearer t0ken");
  assertEquals(request.headers.get("Accept"), "application/json");
});

Deno.test("KubeClient rejects server URLs that are not http(s) or that carry credentials", () => {
  assertThrows(() => new KubeClient({ server: "not a url" }), TypeError, "absolute URL");
  assertThrows(() => new KubeClient({ server: "ftp://example.com" }), TypeError, "http or https");
  const err = assertThrows(
    () => new KubeClient({ server: "https://admin:hunter2@example.com" }),
    TypeError,
  );
  assert(!err.message.includes("hunter2"), "the password must not appear in the message");
});

Deno.test("KubeClient retries 429 and 5xx responses that carry Retry-After, then succeeds", async () => {
  const { fetch, requests } = scriptedFetch([
    () =>
      new Response("Too many requests, please try again later.\n", {
        status: 429,
        headers: { "Retry-After": "2" },
      }),
    () => statusResponse(503, "ServiceUnavailable", "down", { "Retry-After": "1" }),
    () => json({ major: "1" }),
  ]);
  const { delays, sleep } = recordingSleep();
  const client = new KubeClient({ server: "http://k.invalid", fetch, sleep });
  const version = await client.requestJson<{ major: string }>({ path: "/version" });
  assertEquals(version.major, "1");
  assertEquals(requests.length, 3);
  assertEquals(delays, [2000, 1000]);
});

Deno.test("KubeClient gives up after maxRetries and reports the last 429", async () => {
  const responses = Array.from(
    { length: 20 },
    () => () =>
      new Response("Too many requests, please try again later.\n", {
        status: 429,
        headers: { "Retry-After": "1" },
      }),
  );
  const { fetch, requests } = scriptedFetch(responses);
  const { delays, sleep } = recordingSleep();
  const client = new KubeClient({ server: "http://k.invalid", fetch, sleep });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), ApiError);
  assertEquals(requests.length, 11, "one request plus client-go's 10 retries");
  assertEquals(delays.length, 10);
  assertEquals(err.code, 429);
  assertEquals(err.reason, "TooManyRequests");
  assertEquals(err.retryAfterSeconds, 1);
  assertEquals(err.status.message, "Too many requests, please try again later.");
});

Deno.test("KubeClient does not retry a 500 without Retry-After", async () => {
  const { fetch, requests } = scriptedFetch([
    () => statusResponse(500, "InternalError", "etcd leader lost"),
  ]);
  const client = new KubeClient({ server: "http://k.invalid", fetch });
  const err = await assertRejects(
    () => client.request({ path: "/api/v1/pods" }),
    ApiError,
    "etcd leader lost",
  );
  assertEquals(requests.length, 1);
  assertEquals(err.code, 500);
  assertEquals(err.status.reason, "InternalError");
});

Deno.test("KubeClient turns a 410 Status into an ExpiredError carrying the fresh continue token", async () => {
  const { fetch } = scriptedFetch([() =>
    new Response(
      JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: { continue: "fresh-token" },
        status: "Failure",
        message: "The provided continue parameter is too old to display a consistent list result.",
        reason: "Expired",
        code: 410,
      }),
      { status: 410, headers: { "Content-Type": "application/json" } },
    )]);
  const client = new KubeClient({ server: "http://k.invalid", fetch });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), ExpiredError);
  assertEquals(err.continueToken, "fresh-token");
  assertEquals(err.code, 410);
});

Deno.test("KubeClient synthesises a Status for an empty or HTML error body", async () => {
  const { fetch } = scriptedFetch([
    () => new Response(null, { status: 503, statusText: "Service Unavailable" }),
    () => new Response("<html>bad gateway</html>", { status: 502 }),
  ]);
  const client = new KubeClient({ server: "http://k.invalid", fetch });
  const first = await assertRejects(() => client.request({ path: "/api" }), ApiError);
  assertEquals(first.code, 503);
  assertEquals(first.reason, "ServiceUnavailable");
  assertStringIncludes(first.message, "503");
  const second = await assertRejects(() => client.request({ path: "/api" }), ApiError);
  assertEquals(second.code, 502);
  assertEquals(second.reason, "InternalError");
  assertEquals(second.status.message, "<html>bad gateway</html>");
});

Deno.test("KubeClient aborts a retry wait at once and rejects with the abort reason", async () => {
  const { fetch } = scriptedFetch([
    () => new Response("slow down", { status: 429, headers: { "Retry-After": "3600" } }),
  ]);
  const client = new KubeClient({ server: "http://k.invalid", fetch });
  const ac = new AbortController();
  const reason = new Error("stop");
  const pending = client.request({ path: "/api", signal: ac.signal });
  setTimeout(() => ac.abort(reason), 10);
  const started = Date.now();
  const err = await assertRejects(() => pending);
  assertStrictEquals(err, reason);
  assert(Date.now() - started < 2000, "the hour-long Retry-After must not be waited for");
});

Deno.test("KubeClient asks the credential provider for a fresh credential once after a 401", async () => {
  const calls: boolean[] = [];
  const credentials: CredentialProvider = {
    authorization: (options) => {
      calls.push(options.refresh === true);
      return Promise.resolve(options.refresh ? "Bearer new" : "Bearer old");
    },
  };
  const { fetch, requests } = scriptedFetch([
    () => statusResponse(401, "Unauthorized", "Unauthorized"),
    () => json({ ok: true }),
    () => statusResponse(401, "Unauthorized", "Unauthorized"),
    () => statusResponse(401, "Unauthorized", "Unauthorized"),
  ]);
  const client = new KubeClient({ server: "http://k.invalid", fetch, credentials });
  await client.request({ path: "/api" });
  assertEquals(requests.map((r) => r.headers.get("Authorization")), ["Bearer old", "Bearer new"]);
  const err = await assertRejects(() => client.request({ path: "/api" }), ApiError);
  assertEquals(err.code, 401);
  assertEquals(calls, [false, true, false, true]);
});

Deno.test("KubeClient reports a refused connection as a TransportError without the token", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const client = new KubeClient({
    server: `http://127.0.0.1:${port}`,
    token: "sup3r-s3cret-t0ken",
  });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), TransportError);
  assertStringIncludes(err.message, "GET /api/v1/pods failed");
  assert(!String(err).includes("sup3r-s3cret-t0ken"));
  assert(!JSON.stringify(err, Object.getOwnPropertyNames(err)).includes("sup3r-s3cret-t0ken"));
});

Deno.test("KubeClient fails requests after close and calls onClose once", async () => {
  let closed = 0;
  const client = new KubeClient({ server: "http://k.invalid", onClose: () => closed++ });
  client.close();
  client.close();
  assertEquals(closed, 1);
  await assertRejects(() => client.request({ path: "/api" }), Error, "closed");
});

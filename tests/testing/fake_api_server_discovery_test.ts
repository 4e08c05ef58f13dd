import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { assertStatus, conformance, harness, jsonBody } from "../_helpers/fake_server_harness.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { defineResource } from "../../src/api/resource.ts";
import { namespaces, pods } from "../../src/api/resources.ts";
import { createTlsFetch } from "../../src/runtime/tls_fetch.ts";
import { generateTestCertificates } from "../_helpers/fake_server_tls.ts";

// deno-lint-ignore no-explicit-any -- tests read arbitrary JSON
type Any = any;

conformance(
  "discovery serves /api, /apis, group versions and /version as plain JSON",
  async (h) => {
    const aggregatedAccept =
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const api = await h.json<Any>("/api", { headers: { Accept: aggregatedAccept } });
    assertEquals(api.headers.get("content-type"), "application/json");
    assertEquals(api.body.kind, "APIVersions");
    assertEquals(api.body.versions, ["v1"]);
    assertEquals(api.body.serverAddressByClientCIDRs[0].clientCIDR, "0.0.0.0/0");
    const apis = (await h.json<Any>("/apis")).body;
    assertEquals(apis.kind, "APIGroupList");
    // The order of a real kube-apiserver 1.37's discovery.
    assertEquals(apis.groups.map((g: Any) => g.name), [
      "apiregistration.k8s.io",
      "apps",
      "events.k8s.io",
      "authentication.k8s.io",
      "authorization.k8s.io",
      "autoscaling",
      "batch",
      "certificates.k8s.io",
      "networking.k8s.io",
      "policy",
      "rbac.authorization.k8s.io",
      "storage.k8s.io",
      "admissionregistration.k8s.io",
      "apiextensions.k8s.io",
      "scheduling.k8s.io",
      "coordination.k8s.io",
      "node.k8s.io",
      "discovery.k8s.io",
      "resource.k8s.io",
      "flowcontrol.apiserver.k8s.io",
      "storagemigration.k8s.io",
    ]);
    const appsGroup = apis.groups.find((g: Any) => g.name === "apps");
    assertEquals(appsGroup.preferredVersion, { groupVersion: "apps/v1", version: "v1" });
    const group = (await h.json<Any>("/apis/apps")).body;
    assertEquals([group.kind, group.name, group.versions], ["APIGroup", "apps", [{
      groupVersion: "apps/v1",
      version: "v1",
    }]]);
    const core = (await h.json<Any>("/api/v1")).body;
    assertEquals([core.kind, core.groupVersion, core.apiVersion], [
      "APIResourceList",
      "v1",
      undefined,
    ]);
    const podEntry = core.resources.find((r: Any) => r.name === "pods");
    assertEquals(podEntry, {
      name: "pods",
      singularName: "pod",
      namespaced: true,
      kind: "Pod",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["po"],
      categories: ["all"],
    });
    assertEquals(core.resources.find((r: Any) => r.name === "pods/status"), {
      name: "pods/status",
      singularName: "",
      namespaced: true,
      kind: "Pod",
      verbs: ["get", "patch", "update"],
    });
    const nodes = core.resources.find((r: Any) => r.name === "nodes");
    assertEquals(nodes.namespaced, false);
    const apps = (await h.json<Any>("/apis/apps/v1")).body;
    assertEquals(apps.groupVersion, "apps/v1");
    assert(
      apps.resources.some((r: Any) => r.name === "deployments" && r.shortNames.includes("deploy")),
    );
    const version = (await h.json<Any>("/version")).body;
    assertEquals([version.major, version.minor, version.gitVersion], ["1", "32", "v1.32.0"]);
    assertEquals((await h.request("/apis/nope")).status, 404);
    assertEquals((await h.request("/apis/apps/v2")).status, 404);
    const health = await h.request("/healthz");
    assertEquals([health.status, await health.text()], [200, "ok"]);
  },
);

conformance("registered custom resources appear in discovery and are served", async (h) => {
  const widgets = defineResource({
    group: "example.com",
    version: "v1alpha1",
    kind: "Widget",
    plural: "widgets",
    namespaced: false,
    shortNames: ["wd"],
  });
  h.server.register(widgets);
  const apis = (await h.json<Any>("/apis")).body;
  assert(apis.groups.some((g: Any) => g.name === "example.com"));
  const list = (await h.json<Any>("/apis/example.com/v1alpha1")).body;
  assertEquals(list.resources[0].name, "widgets");
  assertEquals(list.resources[0].shortNames, ["wd"]);
  const created = await h.json<Any>(
    "/apis/example.com/v1alpha1/widgets",
    jsonBody("POST", { metadata: { name: "w1" } }),
  );
  assertEquals([created.status, created.body.kind, created.body.apiVersion], [
    201,
    "Widget",
    "example.com/v1alpha1",
  ]);
});

conformance("OpenAPI v3 documents declare fieldValidation on each kind's PATCH", async (h) => {
  const root = (await h.json<Any>("/openapi/v3")).body;
  const coreUrl: string = root.paths["api/v1"].serverRelativeURL;
  assertMatch(coreUrl, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{8}$/);
  assertMatch(
    root.paths["apis/apps/v1"].serverRelativeURL,
    /^\/openapi\/v3\/apis\/apps\/v1\?hash=/,
  );
  const doc = (await h.json<Any>(coreUrl)).body;
  const patch = doc.paths["/api/v1/namespaces/{namespace}/pods/{name}"].patch;
  assertEquals(patch["x-kubernetes-group-version-kind"], { group: "", version: "v1", kind: "Pod" });
  assert(patch.parameters.some((p: Any) => p.name === "fieldValidation" && p.in === "query"));
  assert(doc.paths["/api/v1/nodes/{name}"]);
  assertEquals((await h.request("/openapi/v2")).status, 404);
});

conformance("a token makes every API request need the bearer token (401 otherwise)", async (h) => {
  const none = await h.json(`/api/v1/pods`);
  assertStatus(none, 401, "Unauthorized", "Unauthorized");
  const wrong = await h.json(`/api/v1/pods`, { headers: { Authorization: "Bearer nope" } });
  assertStatus(wrong, 401, "Unauthorized");
  assertStatus(await h.json("/api"), 401, "Unauthorized");
  const ok = await h.json<Any>(`/api/v1/pods`, { headers: { Authorization: "Bearer s3cret" } });
  assertEquals([ok.status, ok.body.kind], [200, "PodList"]);
  assertEquals((await h.request("/readyz")).status, 200);
  assert(!JSON.stringify(none.body).includes("s3cret"));
}, { token: "s3cret" });

conformance(
  "failNext answers the next requests with the status, Retry-After and a Status body",
  async (h) => {
    h.server.failNext({ status: 503, count: 2, retryAfterSeconds: 3 });
    for (let i = 0; i < 2; i++) {
      const res = await h.json<Any>("/api/v1/pods");
      assertStatus(res, 503, "ServiceUnavailable");
      assertEquals(res.headers.get("retry-after"), "3");
      assertEquals(res.body.details, { retryAfterSeconds: 3 });
    }
    assertEquals((await h.json("/api/v1/pods")).status, 200);
    h.server.failNext({ status: 500 });
    const plain = await h.json<Any>("/api/v1/pods");
    assertStatus(plain, 500, "InternalError");
    assertEquals(plain.headers.get("retry-after"), null);
  },
);

conformance(
  "failNext can send a plain-text 429 like priority-and-fairness, or a custom JSON body",
  async (h) => {
    h.server.failNext({
      status: 429,
      retryAfterSeconds: 1,
      body: "Too many requests, please try again later.\n",
    });
    const res = await h.request("/api/v1/pods");
    assertEquals(res.status, 429);
    assertEquals(res.headers.get("retry-after"), "1");
    assertEquals(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assertEquals(await res.text(), "Too many requests, please try again later.\n");
    h.server.failNext({
      status: 403,
      body: { kind: "Status", code: 403, reason: "Forbidden", message: "nope" },
    });
    const forbidden = await h.json<Any>("/api/v1/pods");
    assertEquals([forbidden.status, forbidden.body.message], [403, "nope"]);
  },
);

conformance("failNext with a match fails only the matching requests", async (h) => {
  h.server.failNext({ status: 410, match: { verb: "watch", resource: "pods" } });
  h.server.failNext({ status: 500, match: (r) => r.verb === "create" && r.namespace === "blue" });
  // Writes need an existing namespace, as on a real server.
  h.server.create(namespaces, { metadata: { name: "red" } });
  h.server.create(namespaces, { metadata: { name: "blue" } });
  assertEquals((await h.json("/api/v1/pods")).status, 200);
  assertEquals(
    (await h.json("/api/v1/namespaces/red/pods", jsonBody("POST", { metadata: { name: "a" } })))
      .status,
    201,
  );
  const watch = await h.json<Any>("/api/v1/pods?watch=1");
  assertStatus(watch, 410, "Expired");
  assertEquals(
    (await h.json("/api/v1/namespaces/blue/pods", jsonBody("POST", { metadata: { name: "a" } })))
      .status,
    500,
  );
  const w = await h.watch("/api/v1/pods?watch=1&resourceVersion=2");
  assertEquals(w.response.status, 200);
});

conformance("latencyMs delays each request", async (h) => {
  h.server.latencyMs = 120;
  const started = Date.now();
  assertEquals((await h.json("/version")).status, 200);
  assert(Date.now() - started >= 100, `took ${Date.now() - started} ms`);
  h.server.latencyMs = 0;
});

conformance("the request log records method, path, query and verb", async (h) => {
  await h.json("/api/v1/namespaces/default/pods?limit=500&labelSelector=a%3Db");
  await h.json("/api/v1/namespaces/default/pods", jsonBody("POST", { metadata: { name: "a" } }));
  await h.json("/apis/apps/v1");
  assertEquals(
    h.server.requests.map((r) => [r.method, r.path, r.query, r.verb, r.resource ?? null]),
    [
      ["GET", "/api/v1/namespaces/default/pods", "limit=500&labelSelector=a%3Db", "list", "pods"],
      ["POST", "/api/v1/namespaces/default/pods", "", "create", "pods"],
      ["GET", "/apis/apps/v1", "", "discovery", null],
    ],
  );
  h.server.clearRequests();
  assertEquals(h.server.requests.length, 0);
});

Deno.test("FakeApiServer serves HTTPS with a given certificate", async (t) => {
  const certs = await generateTestCertificates();
  if (certs === undefined) {
    console.log("openssl is not on PATH: skipping the TLS test");
    return;
  }
  const server = await FakeApiServer.start({
    tls: { cert: certs.cert, key: certs.key },
    token: "t",
  });
  const tls = createTlsFetch({ caCerts: [certs.ca] });
  try {
    assertMatch(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    await t.step("over TLS with the token", async () => {
      server.create(pods, { metadata: { name: "a", namespace: "default" } });
      const res = await tls.fetch(
        new Request(`${server.url}/api/v1/namespaces/default/pods`, {
          headers: { Authorization: "Bearer t" },
        }),
      );
      const list = await res.json();
      assertEquals([res.status, list.items.length], [200, 1]);
    });
    await t.step("a watch streams over TLS", async () => {
      const res = await tls.fetch(
        new Request(`${server.url}/api/v1/pods?watch=1&resourceVersion=0`, {
          headers: { Authorization: "Bearer t" },
        }),
      );
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      assertMatch(new TextDecoder().decode(value), /^\{"type":"ADDED"/);
      await reader.cancel();
    });
  } finally {
    tls.close();
    await server.close();
  }
});

Deno.test("FakeApiServer rejects bad options with RangeError", () => {
  let err: unknown;
  try {
    new FakeApiServer({ historySize: 0 });
  } catch (e) {
    err = e;
  }
  assert(err instanceof RangeError);
  const server = new FakeApiServer();
  let bad: unknown;
  try {
    server.failNext({ status: 42 });
  } catch (e) {
    bad = e;
  }
  assert(bad instanceof RangeError);
});

Deno.test("an in-process server reports the placeholder URL and a started one its address", async () => {
  const local = new FakeApiServer();
  assertEquals(local.url, "http://fake-apiserver.invalid");
  await local.close();
  const h = await harness("http");
  try {
    assertMatch(h.server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await h.close();
  }
});

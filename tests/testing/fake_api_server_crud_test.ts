import { assert, assertEquals, assertMatch, assertNotEquals } from "../_helpers/assert.ts";
import { assertStatus, conformance, jsonBody } from "../_helpers/fake_server_harness.ts";
import { configMaps, deployments, namespaces, pods, services } from "../../src/api/resources.ts";
import { defineResource } from "../../src/api/resource.ts";

const POD_PATH = "/api/v1/namespaces/default/pods";
// deno-lint-ignore no-explicit-any -- tests read arbitrary JSON
type Any = any;

const fixedNow = { now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 678) };

conformance(
  "create stamps uid, resourceVersion, creationTimestamp, generation and the path namespace",
  async (h) => {
    const res = await h.json<Any>(
      POD_PATH,
      jsonBody("POST", { metadata: { name: "web-0" }, spec: { containers: [] } }),
    );
    assertEquals(res.status, 201);
    const meta = res.body.metadata;
    assertEquals(res.body.kind, "Pod");
    assertEquals(res.body.apiVersion, "v1");
    assertEquals(meta.name, "web-0");
    assertEquals(meta.namespace, "default");
    assertMatch(meta.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assertEquals(meta.resourceVersion, "2");
    assertEquals(meta.generation, 1);
    assertEquals(meta.creationTimestamp, "2024-01-02T03:04:05Z");
    assertEquals(res.body.status, { phase: "Pending" });
    assertEquals(h.server.resourceVersion, "2");
    // managedFields name the User-Agent, which only requests over HTTP carry here.
    assertEquals(Object.keys(meta).filter((key) => key !== "managedFields"), [
      "name",
      "namespace",
      "uid",
      "resourceVersion",
      "generation",
      "creationTimestamp",
    ]);
  },
  fixedNow,
);

conformance("create with generateName picks a unique five-character suffix", async (h) => {
  const a = await h.json<Any>(POD_PATH, jsonBody("POST", { metadata: { generateName: "web-" } }));
  const b = await h.json<Any>(POD_PATH, jsonBody("POST", { metadata: { generateName: "web-" } }));
  assertEquals([a.status, b.status], [201, 201]);
  assertMatch(a.body.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assertNotEquals(a.body.metadata.name, b.body.metadata.name);
  assertEquals(a.body.metadata.generateName, "web-");
});

conformance(
  "create of an existing name is 409 AlreadyExists with Kubernetes' message",
  async (h) => {
    await h.json(POD_PATH, jsonBody("POST", { metadata: { name: "a" } }));
    const res = await h.json<Any>(POD_PATH, jsonBody("POST", { metadata: { name: "a" } }));
    assertStatus(res, 409, "AlreadyExists", 'pods "a" already exists');
    assertEquals(res.body.details, { name: "a", kind: "pods" });
    const dep = { metadata: { name: "d" } };
    await h.json("/apis/apps/v1/namespaces/default/deployments", jsonBody("POST", dep));
    const again = await h.json<Any>(
      "/apis/apps/v1/namespaces/default/deployments",
      jsonBody("POST", dep),
    );
    assertStatus(again, 409, "AlreadyExists", 'deployments.apps "d" already exists');
    assertEquals(again.body.details, { name: "d", group: "apps", kind: "deployments" });
  },
);

conformance(
  "create without name or generateName is 422 Invalid with a FieldValueRequired cause",
  async (h) => {
    const res = await h.json<Any>(POD_PATH, jsonBody("POST", { metadata: {} }));
    assertStatus(
      res,
      422,
      "Invalid",
      'Pod "" is invalid: metadata.name: Required value: name or generateName is required',
    );
    assertEquals(res.body.details.causes, [{
      reason: "FieldValueRequired",
      message: "Required value: name or generateName is required",
      field: "metadata.name",
    }]);
    assertEquals(h.server.resourceVersion, "1");
  },
);

conformance("create with a name that is not DNS-1123 is 422 Invalid", async (h) => {
  const res = await h.json<Any>(POD_PATH, jsonBody("POST", { metadata: { name: "Bad_Name" } }));
  assertStatus(res, 422, "Invalid");
  assertMatch(
    res.body.message,
    /^Pod "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
  );
  const ns = await h.json<Any>(
    "/api/v1/namespaces",
    jsonBody("POST", { metadata: { name: "a.b" } }),
  );
  assertStatus(ns, 422, "Invalid");
  assertMatch(ns.body.message, /RFC 1123 label/);
  const svc = await h.json<Any>(
    "/api/v1/namespaces/default/services",
    jsonBody("POST", { metadata: { name: "1abc" } }),
  );
  assertStatus(svc, 422, "Invalid");
  assertMatch(svc.body.message, /DNS-1035 label/);
  assertEquals(
    h.server.list(pods).length + h.server.list(namespaces).length + h.server.list(services).length,
    0,
  );
});

conformance(
  "garbage JSON, non-object bodies and wrong kinds are 400 and leave the store untouched",
  async (h) => {
    const garbage = await h.json<Any>(POD_PATH, jsonBody("POST", "{not json"));
    assertStatus(garbage, 400, "BadRequest");
    assertMatch(garbage.body.message, /json parse error/);
    assertStatus(await h.json(POD_PATH, jsonBody("POST", "[1,2]")), 400, "BadRequest");
    assertStatus(await h.json(POD_PATH, jsonBody("POST", "")), 400, "BadRequest");
    const kind = await h.json<Any>(
      POD_PATH,
      jsonBody("POST", { kind: "Service", apiVersion: "v1", metadata: { name: "a" } }),
    );
    assertStatus(kind, 400, "BadRequest");
    const version = await h.json<Any>(
      POD_PATH,
      jsonBody("POST", { kind: "Pod", apiVersion: "apps/v1", metadata: { name: "a" } }),
    );
    assertStatus(
      version,
      400,
      "BadRequest",
      "the API version in the data (apps/v1) does not match the expected API version (v1)",
    );
    const ns = await h.json<Any>(
      POD_PATH,
      jsonBody("POST", { metadata: { name: "a", namespace: "other" } }),
    );
    assertStatus(
      ns,
      400,
      "BadRequest",
      "the namespace of the provided object does not match the namespace sent on the request",
    );
    const protobuf = await h.json<Any>(
      POD_PATH,
      jsonBody("POST", "x", "application/vnd.kubernetes.protobuf"),
    );
    assertStatus(protobuf, 400, "BadRequest");
    assertMatch(protobuf.body.message, /^the protobuf request body cannot be decoded: .*magic/);
    const text = await h.json<Any>(POD_PATH, jsonBody("POST", "x", "text/plain"));
    assertStatus(
      text,
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf",
    );
    assertEquals(h.server.resourceVersion, "1");
    assertEquals(h.server.list(pods), []);
  },
);

conformance("bodies over the size limit are 413 RequestEntityTooLarge", async (h) => {
  const big = { metadata: { name: "big", annotations: { a: "x".repeat(2000) } } };
  const res = await h.json<Any>(POD_PATH, jsonBody("POST", big));
  assertStatus(res, 413, "RequestEntityTooLarge", "Request entity too large: limit is 1024");
  const small = await h.json<Any>(POD_PATH, jsonBody("POST", { metadata: { name: "small" } }));
  assertEquals(small.status, 201);
}, { maxBodyBytes: 1024 });

conformance("unknown resources are 404 Status, unknown paths plain 404", async (h) => {
  const res = await h.json<Any>("/api/v1/namespaces/default/widgets");
  assertStatus(res, 404, "NotFound", "the server could not find the requested resource");
  const group = await h.request("/apis/nope.example.com/v1/things");
  assertEquals([group.status, await group.text()], [404, "404 page not found\n"]);
  const other = await h.request("/not/an/api");
  assertEquals([other.status, await other.text()], [404, "404 page not found\n"]);
  const sub = await h.json<Any>(`${POD_PATH}/a/exec`);
  assertStatus(sub, 404, "NotFound");
});

conformance("get of a missing object is 404 NotFound with details", async (h) => {
  const res = await h.json<Any>(`${POD_PATH}/nope`);
  assertStatus(res, 404, "NotFound", 'pods "nope" not found');
  assertEquals(res.body.details, { name: "nope", kind: "pods" });
  assertEquals(res.body.apiVersion, "v1");
  assertEquals(res.body.metadata, {});
});

conformance(
  "update with a stale resourceVersion is 409 Conflict; a current one bumps the resourceVersion",
  async (h) => {
    const created = (await h.json<Any>(
      POD_PATH,
      jsonBody("POST", { metadata: { name: "a" }, spec: { containers: [] } }),
    )).body;
    const stale = { ...created, metadata: { ...created.metadata, resourceVersion: "1" } };
    const conflict = await h.json<Any>(`${POD_PATH}/a`, jsonBody("PUT", stale));
    assertStatus(
      conflict,
      409,
      "Conflict",
      'Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the latest version and try again',
    );
    created.metadata.labels = { x: "y" };
    const ok = await h.json<Any>(`${POD_PATH}/a`, jsonBody("PUT", created));
    assertEquals(ok.status, 200);
    assertEquals(ok.body.metadata.resourceVersion, "3");
    assertEquals(ok.body.metadata.labels, { x: "y" });
    assertEquals(ok.body.metadata.uid, created.metadata.uid);
    assertEquals(ok.body.metadata.generation, 1);
  },
);

conformance("update bumps generation only when the spec changes", async (h) => {
  const path = "/apis/apps/v1/namespaces/default/deployments";
  const created =
    (await h.json<Any>(path, jsonBody("POST", { metadata: { name: "d" }, spec: { replicas: 1 } })))
      .body;
  created.metadata.labels = { a: "b" };
  const labelled = (await h.json<Any>(`${path}/d`, jsonBody("PUT", created))).body;
  assertEquals(labelled.metadata.generation, 1);
  labelled.spec.replicas = 3;
  const scaled = (await h.json<Any>(`${path}/d`, jsonBody("PUT", labelled))).body;
  assertEquals(scaled.metadata.generation, 2);
});

conformance("update without changes is a no-op that keeps the resourceVersion", async (h) => {
  const created = (await h.json<Any>(POD_PATH, jsonBody("POST", { metadata: { name: "a" } }))).body;
  const again = await h.json<Any>(`${POD_PATH}/a`, jsonBody("PUT", created));
  assertEquals(again.status, 200);
  assertEquals(again.body.metadata.resourceVersion, created.metadata.resourceVersion);
  assertEquals(h.server.resourceVersion, created.metadata.resourceVersion);
});

conformance(
  "PUT ignores status on the main resource and the status subresource changes only status",
  async (h) => {
    const created = (await h.json<Any>(
      POD_PATH,
      jsonBody("POST", { metadata: { name: "a" }, spec: { nodeName: "n1" } }),
    )).body;
    const withStatus = { ...created, status: { phase: "Running" } };
    const main = await h.json<Any>(`${POD_PATH}/a`, jsonBody("PUT", withStatus));
    assertEquals(main.body.status, { phase: "Pending" });
    const statusBody = { ...created, spec: { nodeName: "other" }, status: { phase: "Running" } };
    const sub = await h.json<Any>(`${POD_PATH}/a/status`, jsonBody("PUT", statusBody));
    assertEquals(sub.status, 200);
    assertEquals(sub.body.status, { phase: "Running" });
    assertEquals(sub.body.spec, { nodeName: "n1" });
    const got = await h.json<Any>(`${POD_PATH}/a/status`);
    assertEquals(got.body.status, { phase: "Running" });
  },
);

conformance("PUT of a missing object is 404 and a name mismatch is 400", async (h) => {
  assertStatus(
    await h.json(`${POD_PATH}/a`, jsonBody("PUT", { metadata: { name: "a" } })),
    404,
    "NotFound",
    'pods "a" not found',
  );
  await h.json(POD_PATH, jsonBody("POST", { metadata: { name: "b" } }));
  assertStatus(
    await h.json(`${POD_PATH}/b`, jsonBody("PUT", { metadata: { name: "c" } })),
    400,
    "BadRequest",
    "the name of the object (c) does not match the name on the URL (b)",
  );
});

conformance(
  "custom resources need a resourceVersion on update and keep kind in list items",
  async (h) => {
    const widgets = defineResource({
      group: "example.com",
      version: "v1",
      kind: "Widget",
      plural: "widgets",
      namespaced: true,
    });
    h.server.register(widgets);
    const path = "/apis/example.com/v1/namespaces/default/widgets";
    const created = (await h.json<Any>(
      path,
      jsonBody("POST", {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w" },
        spec: { size: 1 },
      }),
    )).body;
    assertEquals(created.metadata.generation, 1);
    const noRv = await h.json<Any>(
      `${path}/w`,
      jsonBody("PUT", { ...created, metadata: { name: "w" } }),
    );
    assertStatus(noRv, 422, "Invalid");
    const list = (await h.json<Any>(path)).body;
    assertEquals(list.kind, "WidgetList");
    assertEquals(list.items[0].kind, "Widget");
    assertEquals(list.items[0].apiVersion, "example.com/v1");
    const smp = await h.json<Any>(
      `${path}/w`,
      jsonBody("PATCH", { spec: { size: 2 } }, "application/strategic-merge-patch+json"),
    );
    assertStatus(smp, 415, "UnsupportedMediaType");
    const merge = await h.json<Any>(
      `${path}/w`,
      jsonBody("PATCH", { spec: { size: 2 } }, "application/merge-patch+json"),
    );
    assertEquals([merge.status, merge.body.spec, merge.body.metadata.generation], [
      200,
      { size: 2 },
      2,
    ]);
  },
);

conformance("list items of built-in kinds omit kind and apiVersion", async (h) => {
  await h.json(POD_PATH, jsonBody("POST", { metadata: { name: "a" } }));
  const list = (await h.json<Any>(POD_PATH)).body;
  assertEquals(list.kind, "PodList");
  assertEquals(list.apiVersion, "v1");
  assertEquals(list.items[0].kind, undefined);
  assertEquals(list.items[0].apiVersion, undefined);
  assertEquals(list.items[0].metadata.name, "a");
});

conformance(
  "merge, JSON and strategic merge patches apply and honour resourceVersion preconditions",
  async (h) => {
    // A Deployment's pod template, since a real server forbids these changes to a Pod's spec.
    const path = "/apis/apps/v1/namespaces/default/deployments";
    const deployment = {
      metadata: { name: "a", labels: { keep: "1", drop: "2" } },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "main",
                image: "app:1",
                env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
              },
              { name: "side", image: "side:1" },
            ],
          },
        },
      },
    };
    await h.json(path, jsonBody("POST", deployment));
    const merge = await h.json<Any>(
      `${path}/a`,
      jsonBody(
        "PATCH",
        { metadata: { labels: { drop: null, add: "3" } } },
        "application/merge-patch+json",
      ),
    );
    assertEquals(merge.body.metadata.labels, { keep: "1", add: "3" });
    const smp = await h.json<Any>(
      `${path}/a`,
      jsonBody(
        "PATCH",
        {
          spec: {
            template: {
              spec: {
                containers: [{
                  name: "main",
                  image: "app:2",
                  env: [{ name: "B", value: "20" }, { name: "C", value: "3" }],
                }],
              },
            },
          },
        },
        "application/strategic-merge-patch+json",
      ),
    );
    assertEquals(smp.status, 200);
    assertEquals(smp.body.spec.template.spec.containers, [
      {
        name: "main",
        image: "app:2",
        env: [{ name: "A", value: "1" }, { name: "B", value: "20" }, { name: "C", value: "3" }],
      },
      { name: "side", image: "side:1" },
    ]);
    assertEquals(smp.body.metadata.generation, 2);
    const json = await h.json<Any>(
      `${path}/a`,
      jsonBody("PATCH", [{ op: "test", path: "/metadata/labels/keep", value: "1" }, {
        op: "remove",
        path: "/spec/template/spec/containers/1",
      }], "application/json-patch+json"),
    );
    assertEquals(json.body.spec.template.spec.containers.length, 1);
    const failed = await h.json<Any>(
      `${path}/a`,
      jsonBody(
        "PATCH",
        [{ op: "test", path: "/metadata/labels/keep", value: "nope" }],
        "application/json-patch+json",
      ),
    );
    assertStatus(failed, 422, "Invalid");
    const stale = await h.json<Any>(
      `${path}/a`,
      jsonBody(
        "PATCH",
        { metadata: { resourceVersion: "2", labels: { x: "y" } } },
        "application/merge-patch+json",
      ),
    );
    assertStatus(stale, 409, "Conflict");
    const missing = await h.json<Any>(
      `${path}/zz`,
      jsonBody("PATCH", {}, "application/merge-patch+json"),
    );
    assertStatus(missing, 404, "NotFound", 'deployments.apps "zz" not found');
    const badType = await h.json<Any>(`${path}/a`, jsonBody("PATCH", {}, "text/plain"));
    assertStatus(badType, 415, "UnsupportedMediaType");
  },
);

conformance("server-side apply creates, merges and records the field manager", async (h) => {
  const apply = (body: unknown, manager = "tester") =>
    h.json<Any>(
      `${POD_PATH}/a?fieldManager=${manager}`,
      jsonBody("PATCH", body, "application/apply-patch+yaml"),
    );
  const created = await apply({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "a", labels: { app: "x" } },
    spec: { containers: [{ name: "c", image: "i:1" }] },
  });
  assertEquals(created.status, 201);
  assertEquals(created.body.metadata.managedFields.length, 1);
  const entry = created.body.metadata.managedFields[0];
  assertEquals([entry.manager, entry.operation, entry.apiVersion, entry.fieldsType], [
    "tester",
    "Apply",
    "v1",
    "FieldsV1",
  ]);
  assertEquals(entry.fieldsV1, {
    "f:metadata": { "f:labels": { "f:app": {} } },
    "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:image": {}, "f:name": {} } } },
  });
  const second = await apply({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "a", labels: { team: "t" } },
  }, "other");
  assertEquals(second.status, 200);
  assertEquals(second.body.metadata.labels, { app: "x", team: "t" });
  assertEquals(second.body.metadata.managedFields.map((e: Any) => e.manager), ["tester", "other"]);
  const noManager = await h.json<Any>(
    `${POD_PATH}/a`,
    jsonBody("PATCH", {}, "application/apply-patch+yaml"),
  );
  assertStatus(
    noManager,
    422,
    "Invalid",
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
  );
});

conformance("delete returns the pod, a Status for other kinds, and 404 when missing", async (h) => {
  await h.json(POD_PATH, jsonBody("POST", { metadata: { name: "a" } }));
  const del = await h.json<Any>(`${POD_PATH}/a`, { method: "DELETE" });
  // Two writes, as on a real server: the deletion marks (rv 3), then the removal (rv 4).
  assertEquals([
    del.status,
    del.body.kind,
    del.body.metadata.name,
    del.body.metadata.resourceVersion,
    del.body.metadata.deletionGracePeriodSeconds,
    del.body.metadata.generation,
  ], [200, "Pod", "a", "4", 0, 2]);
  assert(del.body.metadata.deletionTimestamp !== undefined);
  const cm = await h.json<Any>(
    "/api/v1/namespaces/default/configmaps",
    jsonBody("POST", { metadata: { name: "c" }, data: { k: "v" } }),
  );
  const status = await h.json<Any>("/api/v1/namespaces/default/configmaps/c", { method: "DELETE" });
  assertEquals(status.body, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name: "c", kind: "configmaps", uid: cm.body.metadata.uid },
  });
  assertStatus(
    await h.json(`${POD_PATH}/a`, { method: "DELETE" }),
    404,
    "NotFound",
    'pods "a" not found',
  );
});

conformance("delete honours uid and resourceVersion preconditions", async (h) => {
  await h.json(POD_PATH, jsonBody("POST", { metadata: { name: "a" } }));
  const uid = await h.json<Any>(
    `${POD_PATH}/a`,
    jsonBody("DELETE", { preconditions: { uid: "other" } }),
  );
  assertStatus(uid, 409, "Conflict");
  assertMatch(
    uid.body.message,
    /^Operation cannot be fulfilled on Pod "a": the UID in the precondition \(other\) does not match the UID in record \([-0-9a-f]+\)\. The object might have been deleted and then recreated$/,
  );
  assertEquals(uid.body.details.kind, "Pod");
  const rv = await h.json<Any>(
    `${POD_PATH}/a`,
    jsonBody("DELETE", { preconditions: { resourceVersion: "1" } }),
  );
  assertStatus(
    rv,
    409,
    "Conflict",
    'Operation cannot be fulfilled on Pod "a": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (2). The object might have been modified',
  );
  assertEquals(
    (await h.json(`${POD_PATH}/a`, jsonBody("DELETE", { preconditions: { resourceVersion: "2" } })))
      .status,
    200,
  );
});

conformance(
  "delete with finalizers sets deletionTimestamp; removing the last finalizer removes the object",
  async (h) => {
    await h.json(
      POD_PATH,
      jsonBody("POST", { metadata: { name: "a", finalizers: ["example.com/x", "example.com/y"] } }),
    );
    const marked = await h.json<Any>(`${POD_PATH}/a`, { method: "DELETE" });
    assertEquals(marked.status, 200);
    assertEquals(marked.body.metadata.deletionTimestamp, "2024-01-02T03:04:05Z");
    assertEquals(marked.body.metadata.deletionGracePeriodSeconds, 0);
    assertEquals(marked.body.metadata.generation, 2);
    const again = await h.json<Any>(`${POD_PATH}/a`, { method: "DELETE" });
    assertEquals(again.body.metadata.resourceVersion, marked.body.metadata.resourceVersion);
    const addFinalizer = await h.json<Any>(
      `${POD_PATH}/a`,
      jsonBody("PATCH", {
        metadata: { finalizers: ["example.com/x", "example.com/y", "example.com/z"] },
      }, "application/merge-patch+json"),
    );
    assertStatus(addFinalizer, 422, "Invalid");
    const one = await h.json<Any>(
      `${POD_PATH}/a`,
      jsonBody(
        "PATCH",
        { metadata: { finalizers: ["example.com/y"] } },
        "application/merge-patch+json",
      ),
    );
    assertEquals(one.body.metadata.deletionTimestamp, "2024-01-02T03:04:05Z");
    const none = await h.json<Any>(
      `${POD_PATH}/a`,
      jsonBody("PATCH", { metadata: { finalizers: null } }, "application/merge-patch+json"),
    );
    assertEquals(none.status, 200);
    assertStatus(await h.json(`${POD_PATH}/a`), 404, "NotFound");
  },
  fixedNow,
);

conformance("deletecollection deletes what the selectors match and returns it", async (h) => {
  for (const [name, app] of [["a", "x"], ["b", "y"], ["c", "x"]]) {
    await h.json(POD_PATH, jsonBody("POST", { metadata: { name, labels: { app } } }));
  }
  const res = await h.json<Any>(`${POD_PATH}?labelSelector=app%3Dx`, { method: "DELETE" });
  assertEquals(res.status, 200);
  assertEquals(res.body.kind, "PodList");
  assertEquals(res.body.items.map((p: Any) => p.metadata.name), ["a", "c"]);
  assertEquals(h.server.list(pods).map((p) => p.metadata?.name), ["b"]);
});

conformance("dryRun=All validates and answers without storing", async (h) => {
  const res = await h.json<Any>(
    `${POD_PATH}?dryRun=All`,
    jsonBody("POST", { metadata: { name: "a" } }),
  );
  assertEquals(res.status, 201);
  assertEquals(res.body.metadata.resourceVersion, undefined);
  assertEquals(h.server.list(pods), []);
  assertEquals(h.server.resourceVersion, "1");
  const bad = await h.json<Any>(
    `${POD_PATH}?dryRun=Some`,
    jsonBody("POST", { metadata: { name: "a" } }),
  );
  assertStatus(bad, 422, "Invalid");
});

conformance(
  "cluster-scoped resources ignore namespaces and are reachable at the root path",
  async (h) => {
    const ns = await h.json<Any>(
      "/api/v1/namespaces",
      jsonBody("POST", { metadata: { name: "team-a" } }),
    );
    assertEquals([ns.status, ns.body.metadata.namespace, ns.body.status], [201, undefined, {
      phase: "Active",
    }]);
    assertEquals((await h.json<Any>("/api/v1/namespaces/team-a")).body.metadata.name, "team-a");
    const node = await h.json<Any>("/api/v1/nodes", jsonBody("POST", { metadata: { name: "n1" } }));
    assertEquals(node.status, 201);
    assertStatus(await h.json("/api/v1/namespaces/default/nodes"), 404, "NotFound");
    assertEquals(
      (await h.request("/api/v1/pods", jsonBody("POST", { metadata: { name: "x" } }))).status,
      405,
    );
  },
);

Deno.test("direct API writes back server-set metadata and throws ApiError", async () => {
  const { FakeApiServer } = await import("../../src/testing/mod.ts");
  const { ApiError } = await import("../../src/api/errors.ts");
  const server = new FakeApiServer();
  try {
    const pod = {
      metadata: { generateName: "p-", namespace: "ns" },
      status: { phase: "Running" as const },
    };
    const returned = server.create(pods, pod);
    assert(returned === pod);
    assertEquals(pod.metadata.namespace, "ns");
    assertEquals((pod.metadata as Any).resourceVersion, "2");
    assertEquals(server.get(pods, "ns", (pod.metadata as Any).name)?.status, { phase: "Running" });
    server.update(pods, pod);
    assertEquals((pod.metadata as Any).resourceVersion, "3");
    const stale = { ...pod, metadata: { ...pod.metadata, resourceVersion: "2" } };
    let caught: unknown;
    try {
      server.update(pods, stale);
    } catch (err) {
      caught = err;
    }
    assert(caught instanceof ApiError);
    assertEquals([caught.code, caught.reason], [409, "Conflict"]);
    server.create(configMaps, { metadata: { name: "c" }, data: { a: "1" } });
    assertEquals(server.get(configMaps, "default", "c")?.data, { a: "1" });
    const deleted = server.delete(configMaps, "default", "c");
    assertEquals(deleted.metadata?.resourceVersion, "5");
    assertEquals(server.get(configMaps, "default", "c"), undefined);
    assertEquals(server.list(deployments), []);
  } finally {
    await server.close();
  }
});

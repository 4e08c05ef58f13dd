// What the differential suite (tests/real_apiserver/differential_suite.ts) found a real
// kube-apiserver 1.37 doing, checked here against the fake alone.
import { assert, assertEquals } from "../_helpers/assert.ts";
import { assertStatus, conformance, jsonBody } from "../_helpers/fake_server_harness.ts";
import { namespaces, nodes } from "../../src/api/resources.ts";

// deno-lint-ignore no-explicit-any -- tests read arbitrary JSON
type Any = any;

const CMS = "/api/v1/namespaces/default/configmaps";
const PODS = "/api/v1/namespaces/default/pods";

function withAgent(init: RequestInit, agent: string): RequestInit {
  return { ...init, headers: { ...(init.headers as Record<string, string>), "User-Agent": agent } };
}

function pod(name: string, spec: Record<string, unknown> = {}): unknown {
  return { metadata: { name }, spec: { containers: [{ name: "c", image: "app:1" }], ...spec } };
}

conformance("writes into a namespace that does not exist are 404 NotFound", async (h) => {
  const res = await h.json<Any>(
    "/api/v1/namespaces/nope/configmaps",
    jsonBody("POST", { metadata: { name: "c" } }),
  );
  assertStatus(res, 404, "NotFound", 'namespaces "nope" not found');
  assertEquals(res.body.details, { name: "nope", kind: "namespaces" });
  for (const system of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    const ok = await h.json(
      `/api/v1/namespaces/${system}/configmaps`,
      jsonBody("POST", { metadata: { name: "c" } }),
    );
    assertEquals(ok.status, 201, system);
  }
  h.server.create(namespaces, { metadata: { name: "made" } });
  const made = await h.json(
    "/api/v1/namespaces/made/configmaps",
    jsonBody("POST", { metadata: { name: "c" } }),
  );
  assertEquals(made.status, 201);
});

conformance(
  "a namespace gets its name label and finalizer; deleting it leaves it Terminating and closed to new objects",
  async (h) => {
    const created = await h.json<Any>(
      "/api/v1/namespaces",
      jsonBody("POST", { metadata: { name: "team" } }),
    );
    assertEquals(created.body.metadata.labels, { "kubernetes.io/metadata.name": "team" });
    assertEquals(created.body.spec, { finalizers: ["kubernetes"] });
    const deleted = await h.json<Any>("/api/v1/namespaces/team", { method: "DELETE" });
    assertEquals(deleted.status, 200);
    assertEquals(deleted.body.status, { phase: "Terminating" });
    assert(deleted.body.metadata.deletionTimestamp !== undefined);
    const refused = await h.json<Any>(
      "/api/v1/namespaces/team/configmaps",
      jsonBody("POST", { metadata: { name: "c" } }),
    );
    assertStatus(
      refused,
      403,
      "Forbidden",
      'configmaps "c" is forbidden: unable to create new content in namespace team because it is being terminated',
    );
    assertEquals(refused.body.details.causes[0].reason, "NamespaceTerminating");
  },
  { namespaceController: false },
);

conformance("invalid label keys and values, annotation keys and data keys are 422", async (h) => {
  const res = await h.json<Any>(
    CMS,
    jsonBody("POST", {
      metadata: { name: "c", labels: { "bad key!": "x".repeat(64) }, annotations: { "a b": "" } },
      data: { "no spaces": "v" },
    }),
  );
  assertStatus(res, 422, "Invalid");
  assertEquals(
    res.body.details.causes.map((c: Any) => [c.field, c.message.slice(0, 40)]),
    [
      ["metadata.labels", 'Invalid value: "bad key!": name part mus'],
      ["metadata.labels", `Invalid value: "${"x".repeat(24)}`],
      ["metadata.annotations", 'Invalid value: "a b": name part must con'],
      ["data[no spaces]", 'Invalid value: "no spaces": a valid conf'],
    ],
  );
  assertEquals(res.body.details.causes[1].message.endsWith("must be no more than 63 bytes"), true);
});

conformance("fields of the wrong JSON type are 400 with Go's decode message", async (h) => {
  const name = await h.json<Any>(CMS, jsonBody("POST", { metadata: { name: 5 } }));
  assertStatus(
    name,
    400,
    "BadRequest",
    'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string',
  );
  const data = await h.json<Any>(CMS, jsonBody("POST", { metadata: { name: "c" }, data: [] }));
  assertStatus(
    data,
    400,
    "BadRequest",
    'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string',
  );
  assertEquals(h.server.resourceVersion, "1");
});

conformance("a pod update may change images but not nodeName or the containers", async (h) => {
  const created = (await h.json<Any>(PODS, jsonBody("POST", pod("p")))).body;
  const moved = await h.json<Any>(
    `${PODS}/p`,
    jsonBody("PUT", { ...created, spec: { ...created.spec, nodeName: "n1" } }),
  );
  assertStatus(moved, 422, "Invalid");
  assertEquals(moved.body.details.causes[0].field, "spec");
  assert(moved.body.message.startsWith('Pod "p" is invalid: spec: Forbidden: pod updates may'));
  const added = await h.json<Any>(
    `${PODS}/p`,
    jsonBody("PUT", {
      ...created,
      spec: { containers: [...created.spec.containers, { name: "d", image: "x" }] },
    }),
  );
  assertStatus(
    added,
    422,
    "Invalid",
    'Pod "p" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers',
  );
  const image = await h.json<Any>(
    `${PODS}/p`,
    jsonBody("PUT", { ...created, spec: { containers: [{ name: "c", image: "app:2" }] } }),
  );
  assertEquals(image.status, 200);
});

conformance("pods/log answers as a server without kubelets", async (h) => {
  await h.json(PODS, jsonBody("POST", pod("p")));
  await h.json(PODS, jsonBody("POST", pod("q", { nodeName: "n1" })));
  const unscheduled = await h.request(`${PODS}/p/log`);
  assertEquals([unscheduled.status, await unscheduled.text()], [204, ""]);
  assertStatus(
    await h.json(`${PODS}/p/log?container=x`),
    400,
    "BadRequest",
    "container x is not valid for pod p",
  );
  assertStatus(await h.json(`${PODS}/q/log`), 404, "NotFound", 'pods "n1" not found');
  h.server.create(nodes, { metadata: { name: "n1" } });
  const scheduled = await h.request(`${PODS}/q/log`);
  assertEquals([scheduled.status, await scheduled.text()], [200, ""]);
});

conformance("HTTP writes record an Update managedFields entry per manager", async (h) => {
  const created = await h.json<Any>(
    CMS,
    withAgent(jsonBody("POST", { metadata: { name: "c" }, data: { a: "1" } }), "tool/1.2 (linux)"),
  );
  const entries = created.body.metadata.managedFields;
  assertEquals(entries.length, 1);
  assertEquals(
    [entries[0].manager, entries[0].operation, entries[0].apiVersion, entries[0].fieldsType],
    ["tool", "Update", "v1", "FieldsV1"],
  );
  assert(entries[0].fieldsV1["f:data"]["f:a"] !== undefined);
  const again = await h.json<Any>(
    `${CMS}/c`,
    withAgent(jsonBody("PUT", { ...created.body, data: { a: "2" } }), "tool/1.3"),
  );
  assertEquals(again.body.metadata.managedFields.length, 1);
  const other = await h.json<Any>(
    `${CMS}/c?fieldManager=mine`,
    jsonBody("PUT", { ...again.body, data: { a: "3" } }),
  );
  assertEquals(other.body.metadata.managedFields.map((e: Any) => e.manager), ["tool", "mine"]);
});

conformance(
  "deleting an unscheduled pod is a MODIFIED with deletion marks, then DELETED",
  async (h) => {
    const created = (await h.json<Any>(PODS, jsonBody("POST", pod("p")))).body;
    const w = await h.watch(`${PODS}?watch=1&resourceVersion=${created.metadata.resourceVersion}`);
    await h.json(`${PODS}/p`, { method: "DELETE" });
    const [modified, deleted] = await w.take(2);
    assertEquals([modified!.type, deleted!.type], ["MODIFIED", "DELETED"]);
    assertEquals(modified!.object.metadata.deletionGracePeriodSeconds, 0);
    assertEquals(deleted!.object.metadata.generation, 2);
  },
);

conformance(
  "removing the last finalizer answers with the stored resourceVersion and DELETED keeps the finalizers",
  async (h) => {
    await h.json(CMS, jsonBody("POST", { metadata: { name: "f", finalizers: ["x.io/keep"] } }));
    const marked = (await h.json<Any>(`${CMS}/f`, { method: "DELETE" })).body;
    const w = await h.watch(`${CMS}?watch=1&resourceVersion=${marked.metadata.resourceVersion}`);
    const added = await h.json<Any>(
      `${CMS}/f`,
      jsonBody("PUT", {
        ...marked,
        metadata: { ...marked.metadata, finalizers: ["x.io/keep", "y"] },
      }),
    );
    assertStatus(
      added,
      422,
      "Invalid",
      'ConfigMap "f" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"y"}',
    );
    const removed = await h.json<Any>(
      `${CMS}/f`,
      jsonBody("PUT", { ...marked, metadata: { ...marked.metadata, finalizers: [] } }),
    );
    assertEquals(removed.body.metadata.resourceVersion, marked.metadata.resourceVersion);
    assertEquals(removed.body.metadata.finalizers, undefined);
    const [deleted] = await w.take(1);
    assertEquals([deleted!.type, deleted!.object.metadata.finalizers], ["DELETED", ["x.io/keep"]]);
  },
);

conformance("a watch with an unparsable resourceVersion is a 500 without reason", async (h) => {
  const res = await h.json<Any>(`${CMS}?watch=1&resourceVersion=abc`);
  assertEquals([res.status, res.body.reason, res.body.code], [500, undefined, 500]);
  const list = await h.json<Any>(`${CMS}?resourceVersion=abc`);
  assertStatus(list, 400, "BadRequest");
});

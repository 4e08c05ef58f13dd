import { assertEquals } from "../_helpers/assert.ts";
import { assertStatus, conformance, jsonBody } from "../_helpers/fake_server_harness.ts";
import { deployments } from "../../src/api/resources.ts";
import { labelSelectorString } from "../../src/testing/_scale.ts";

// deno-lint-ignore no-explicit-any -- tests read arbitrary JSON
type Any = any;

const APPS = "/apis/apps/v1/namespaces/default";
const DEPLOYMENT = {
  metadata: { name: "web" },
  spec: {
    replicas: 2,
    selector: {
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["front", "api"] }],
    },
    template: { metadata: { labels: { app: "web", tier: "front" } }, spec: { containers: [] } },
  },
};

conformance("GET scale answers an autoscaling/v1 Scale of a deployment", async (h) => {
  const created = await h.json<Any>(`${APPS}/deployments`, jsonBody("POST", DEPLOYMENT));
  const meta = created.body.metadata;
  const res = await h.json<Any>(`${APPS}/deployments/web/scale`);
  assertEquals(res.status, 200);
  assertEquals(res.body, {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: "web",
      namespace: "default",
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: 2 },
    status: { replicas: 0, selector: "app=web,tier in (api,front)" },
  });
  assertStatus(
    await h.json(`${APPS}/deployments/nope/scale`),
    404,
    "NotFound",
    'deployments.apps "nope" not found',
  );
});

conformance("PUT scale writes spec.replicas of the parent and checks the Scale", async (h) => {
  await h.json(`${APPS}/statefulsets`, jsonBody("POST", DEPLOYMENT));
  const scale = (await h.json<Any>(`${APPS}/statefulsets/web/scale`)).body;
  const watch = await h.watch(
    `${APPS}/statefulsets?watch=1&resourceVersion=${h.server.resourceVersion}`,
  );
  const put = await h.json<Any>(
    `${APPS}/statefulsets/web/scale?fieldManager=scaler`,
    jsonBody("PUT", { ...scale, spec: { replicas: 5 } }),
  );
  assertEquals([put.status, put.body.kind, put.body.spec], [200, "Scale", { replicas: 5 }]);
  const [event] = await watch.take(1);
  assertEquals([event!.type, event!.object.spec.replicas], ["MODIFIED", 5]);
  assertEquals(event!.object.metadata.generation, 2);
  assertEquals(put.body.metadata.resourceVersion, event!.object.metadata.resourceVersion);
  const entry = event!.object.metadata.managedFields.find((e: Any) => e.manager === "scaler");
  assertEquals([entry?.subresource, entry?.operation], ["scale", "Update"]);
  assertEquals(entry?.fieldsV1, { "f:spec": { "f:replicas": {} } });

  // The old resourceVersion is stale now; a negative count is invalid.
  assertStatus(
    await h.json(`${APPS}/statefulsets/web/scale`, jsonBody("PUT", scale)),
    409,
    "Conflict",
    'Operation cannot be fulfilled on statefulsets.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  assertStatus(
    await h.json(
      `${APPS}/statefulsets/web/scale`,
      jsonBody("PUT", { ...put.body, spec: { replicas: -1 } }),
    ),
    422,
    "Invalid",
    'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  );
  // Zero replicas: ScaleSpec.replicas is omitempty.
  const zero = await h.json<Any>(
    `${APPS}/statefulsets/web/scale`,
    jsonBody("PUT", { ...put.body, spec: {} }),
  );
  assertEquals([zero.status, zero.body.spec], [200, {}]);
  const scalePath = `${APPS}/statefulsets/web/scale`;
  assertStatus(
    await h.json(scalePath, jsonBody("PUT", { ...put.body, kind: "Pod" })),
    400,
    "BadRequest",
    'Pod in version "v1" cannot be handled as a Scale: no kind "Pod" is registered for version "autoscaling/v1" in scheme "pkg/runtime/scheme.go:111"',
  );
  assertStatus(
    await h.json(scalePath, jsonBody("PUT", { ...put.body, spec: { replicas: "3" } })),
    400,
    "BadRequest",
    'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal string into Go struct field ScaleSpec.spec.replicas of type int32',
  );
  assertStatus(
    await h.json(scalePath, jsonBody("PUT", { ...put.body, metadata: {} })),
    400,
    "BadRequest",
    "the name of the object (web based on URL) was undeterminable: name must be provided",
  );
});

conformance("PATCH scale applies merge and JSON patches to the Scale", async (h) => {
  await h.json(`${APPS}/replicasets`, jsonBody("POST", DEPLOYMENT));
  const merged = await h.json<Any>(
    `${APPS}/replicasets/web/scale`,
    jsonBody("PATCH", { spec: { replicas: 3 } }, "application/merge-patch+json"),
  );
  assertEquals([merged.status, merged.body.spec], [200, { replicas: 3 }]);
  const json = await h.json<Any>(
    `${APPS}/replicasets/web/scale`,
    jsonBody(
      "PATCH",
      [{ op: "replace", path: "/spec/replicas", value: 7 }],
      "application/json-patch+json",
    ),
  );
  assertEquals(json.body.spec, { replicas: 7 });
  const dry = await h.json<Any>(
    `${APPS}/replicasets/web/scale?dryRun=All`,
    jsonBody("PATCH", { spec: { replicas: 1 } }, "application/strategic-merge-patch+json"),
  );
  assertEquals(dry.body.spec, { replicas: 1 });
  const rs = (await h.json<Any>(`${APPS}/replicasets/web`)).body;
  assertEquals(rs.spec.replicas, 7);
});

conformance("a deployment without spec.replicas scales from 1, its default", async (h) => {
  h.server.create(deployments, {
    metadata: { name: "bare", namespace: "default" },
    spec: { selector: { matchLabels: { app: "bare" } }, template: {} },
    status: { replicas: 1 },
  });
  const res = await h.json<Any>(`${APPS}/deployments/bare/scale`);
  assertEquals([res.body.spec, res.body.status], [{ replicas: 1 }, {
    replicas: 1,
    selector: "app=bare",
  }]);
});

conformance("discovery lists scale as autoscaling/v1 Scale and namespaces/finalize", async (h) => {
  const apps = (await h.json<Any>("/apis/apps/v1")).body.resources as Any[];
  assertEquals(apps.find((r) => r.name === "deployments/scale"), {
    name: "deployments/scale",
    singularName: "",
    namespaced: true,
    group: "autoscaling",
    version: "v1",
    kind: "Scale",
    verbs: ["get", "patch", "update"],
  });
  const core = (await h.json<Any>("/api/v1")).body.resources as Any[];
  assertEquals(core.find((r) => r.name === "namespaces/finalize"), {
    name: "namespaces/finalize",
    singularName: "",
    namespaced: false,
    kind: "Namespace",
    verbs: ["update"],
  });
});

Deno.test("labelSelectorString writes selectors as labels.Selector.String does", () => {
  assertEquals(labelSelectorString(undefined), "");
  assertEquals(
    labelSelectorString({
      matchLabels: { b: "2", a: "1" },
      matchExpressions: [
        { key: "z", operator: "NotIn", values: ["y", "x"] },
        { key: "c", operator: "Exists" },
        { key: "d", operator: "DoesNotExist" },
      ],
    }),
    "a=1,b=2,c,!d,z notin (x,y)",
  );
});

import { assert, assertEquals } from "../_helpers/assert.ts";
import { assertStatus, conformance, jsonBody } from "../_helpers/fake_server_harness.ts";
import { waitFor } from "../_helpers/wait.ts";
import { configMaps, namespaces } from "../../src/api/resources.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";

// deno-lint-ignore no-explicit-any -- tests read arbitrary JSON
type Any = any;

const NS = "/api/v1/namespaces";
const CMS = "/api/v1/namespaces/team/configmaps";
const PODS = "/api/v1/namespaces/team/pods";

conformance(
  "the namespace controller deletes a deleted namespace's content, waits for finalizers, then the namespace",
  async (h) => {
    await h.json(NS, jsonBody("POST", { metadata: { name: "team" } }));
    await h.json(CMS, jsonBody("POST", { metadata: { name: "plain" } }));
    await h.json(CMS, jsonBody("POST", { metadata: { name: "held", finalizers: ["x.io/keep"] } }));
    await h.json(PODS, jsonBody("POST", { metadata: { name: "p" }, spec: { containers: [] } }));
    const rv = h.server.resourceVersion;
    const contentWatch = await h.watch(`${CMS}?watch=1&resourceVersion=${rv}`);
    const podWatch = await h.watch(`${PODS}?watch=1&resourceVersion=${rv}`);
    const nsWatch = await h.watch(
      `${NS}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dteam`,
    );

    const deleted = await h.json<Any>(`${NS}/team`, { method: "DELETE" });
    assertEquals([deleted.status, deleted.body.status.phase], [200, "Terminating"]);

    // The content goes: plain is DELETED, held is only marked, the pod is marked then DELETED.
    const cmEvents = await contentWatch.take(2);
    assertEquals(
      cmEvents.map((e) => [e.type, e.object.metadata.name]).sort(),
      [["DELETED", "plain"], ["MODIFIED", "held"]],
    );
    const marked = cmEvents.find((e) => e.type === "MODIFIED")!.object;
    assert(marked.metadata.deletionTimestamp !== undefined);
    const podEvents = await podWatch.take(2);
    assertEquals(podEvents.map((e) => e.type), ["MODIFIED", "DELETED"]);

    // The namespace stays Terminating while the finalizer holds, and says why.
    const [terminating, withConditions] = await nsWatch.take(2);
    assertEquals(terminating!.object.status.phase, "Terminating");
    const conditions = withConditions!.object.status.conditions as Any[];
    assertEquals(
      conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ["NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered"],
        ["NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions"],
        ["NamespaceDeletionContentFailure", "False", "ContentDeleted"],
        ["NamespaceContentRemaining", "True", "SomeResourcesRemain"],
        ["NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain"],
      ],
    );
    assertEquals(
      conditions[3].message,
      "Some resources are remaining: configmaps. has 1 resource instances",
    );
    assertEquals(
      conditions[4].message,
      "Some content in the namespace has finalizers remaining: x.io/keep in 1 resource instances",
    );
    await nsWatch.expectQuiet(60);
    assertEquals((await h.json<Any>(`${NS}/team`)).body.spec, { finalizers: ["kubernetes"] });
    const refused = await h.json<Any>(CMS, jsonBody("POST", { metadata: { name: "late" } }));
    assertEquals(refused.body.details.causes[0].reason, "NamespaceTerminating");

    // Releasing the last finalizer lets the controller finish: the namespace is DELETED.
    await h.json(
      `${CMS}/held`,
      jsonBody("PATCH", { metadata: { finalizers: null } }, "application/merge-patch+json"),
    );
    assertEquals((await contentWatch.take(1))[0]!.type, "DELETED");
    const nsEvents = await nsWatch.take(2);
    assertEquals(nsEvents.map((e) => e.type), ["MODIFIED", "DELETED"]);
    assertEquals(nsEvents[0]!.object.status.conditions[3].reason, "ContentRemoved");
    assertStatus(await h.json(`${NS}/team`), 404, "NotFound", 'namespaces "team" not found');
    assertEquals(h.server.list(configMaps, "team"), []);
  },
);

conformance(
  "a namespace's own metadata.finalizers keep it after the controller has finalized it",
  async (h) => {
    await h.json(NS, jsonBody("POST", { metadata: { name: "team", finalizers: ["x.io/ns"] } }));
    await h.json(`${NS}/team`, { method: "DELETE" });
    await waitFor(
      () => h.server.get(namespaces, undefined, "team")?.spec?.finalizers?.length === 0,
      3000,
      "the kubernetes finalizer removed",
    );
    const ns = (await h.json<Any>(`${NS}/team`)).body;
    assertEquals([ns.status.phase, ns.metadata.finalizers], ["Terminating", ["x.io/ns"]]);
    const removed = await h.json<Any>(
      `${NS}/team`,
      jsonBody("PUT", { ...ns, metadata: { ...ns.metadata, finalizers: [] } }),
    );
    assertEquals(removed.status, 200);
    assertEquals(h.server.get(namespaces, undefined, "team"), undefined);
  },
);

conformance(
  "namespaceController: false keeps a deleted namespace Terminating until PUT finalize empties spec.finalizers",
  async (h) => {
    await h.json(NS, jsonBody("POST", { metadata: { name: "team" } }));
    await h.json(CMS, jsonBody("POST", { metadata: { name: "plain" } }));
    await h.json(`${NS}/team`, { method: "DELETE" });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const ns = (await h.json<Any>(`${NS}/team`)).body;
    assertEquals([ns.status, ns.spec], [{ phase: "Terminating" }, { finalizers: ["kubernetes"] }]);
    assertEquals(h.server.list(configMaps, "team").length, 1);

    // A plain PUT does not change spec.finalizers: only finalize does.
    const put = await h.json<Any>(
      `${NS}/team`,
      jsonBody("PUT", { ...ns, spec: { finalizers: [] } }),
    );
    assertEquals([put.status, put.body.spec], [200, { finalizers: ["kubernetes"] }]);
    const bad = await h.json<Any>(
      `${NS}/team/finalize`,
      jsonBody("PUT", { ...ns, spec: { finalizers: ["nope"] } }),
    );
    assertStatus(
      bad,
      422,
      "Invalid",
      'Namespace "team" is invalid: spec.finalizers[0]: Invalid value: "nope": name is neither a standard finalizer name nor is it fully qualified',
    );
    assertStatus(await h.json(`${NS}/team/finalize`), 405, "MethodNotAllowed");

    const watch = await h.watch(`${NS}?watch=1&resourceVersion=${h.server.resourceVersion}`);
    const finalized = await h.json<Any>(
      `${NS}/team/finalize`,
      jsonBody("PUT", { ...ns, spec: { finalizers: [] } }),
    );
    assertEquals(finalized.status, 200);
    const [event] = await watch.take(1);
    // The DELETED event carries the namespace as it was stored, finalizer included.
    assertEquals([event!.type, event!.object.spec], ["DELETED", { finalizers: ["kubernetes"] }]);
    assertEquals(h.server.get(namespaces, undefined, "team"), undefined);
    // Without the controller the content stays, as on a cluster without one.
    assertEquals(h.server.list(configMaps, "team").length, 1);
  },
  { namespaceController: false },
);

Deno.test("close cancels a pending namespace controller pass (no timer is left)", async () => {
  const server = new FakeApiServer();
  const post = (path: string, body: unknown) =>
    server.fetch(new Request(`http://x${path}`, jsonBody("POST", body))).then((r) =>
      r.body?.cancel()
    );
  await post(NS, { metadata: { name: "team" } });
  await post(CMS, { metadata: { name: "plain" } });
  await (await server.fetch(new Request(`http://x${NS}/team`, { method: "DELETE" }))).body
    ?.cancel();
  await server.close();
  // Deno's timer sanitizer fails this test if the pass is still scheduled; it never ran.
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert(server.get(namespaces, undefined, "team")?.metadata?.deletionTimestamp !== undefined);
  assertEquals(server.list(configMaps, "team").length, 1);
});

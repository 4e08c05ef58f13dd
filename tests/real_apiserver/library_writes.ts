/**
 * Writes against a real kube-apiserver: create, get, replace, the four patch types, delete and
 * deleteCollection, with the conflicts and preconditions they can fail on.
 *
 * Part of the library suite (`library_suite.ts`); every test works in a namespace of its own.
 *
 * @module
 */

import {
  ApiError,
  type ConfigMap,
  configMaps,
  type Deployment,
  deployments,
  type KubeList,
  pods,
} from "../../mod.ts";
import {
  assert,
  assertEquals,
  assertExists,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { clusterTest, configMap, isStatus, names, pod } from "./library_common.ts";

clusterTest(
  "ResourceClient creates, gets and replaces a ConfigMap, with 409 Conflict and AlreadyExists",
  async (client, namespace) => {
    const api = client.resource(configMaps, namespace);
    const created = await api.create(configMap("c1", { app: "a" }));
    assertEquals(created.kind, "ConfigMap");
    assertEquals(created.apiVersion, "v1");
    assertEquals(created.metadata?.namespace, namespace);
    assertExists(created.metadata?.uid);
    assertExists(created.metadata?.resourceVersion);

    const read = await api.get("c1");
    assertEquals(read.metadata?.uid, created.metadata?.uid);
    assertEquals(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assertEquals(read.data, { name: "c1" });

    const replaced = await api.replace({ ...read, data: { name: "c1", more: "yes" } });
    assertEquals(replaced.data, { name: "c1", more: "yes" });
    assert(
      replaced.metadata?.resourceVersion !== read.metadata?.resourceVersion,
      "a replace writes a new resourceVersion",
    );

    const conflict = await assertRejects(
      () => api.replace({ ...read, data: { stale: "true" } }),
      ApiError,
    );
    assertEquals(conflict.code, 409);
    assertEquals(conflict.reason, "Conflict");
    assertEquals(conflict.status.kind, "Status");
    assertStringIncludes(conflict.message, 'Operation cannot be fulfilled on configmaps "c1"');
    assertEquals(conflict.status.details?.name, "c1");
    assertEquals(conflict.status.details?.kind, "configmaps");

    const exists = await assertRejects(() => api.create(configMap("c1")), ApiError);
    assertEquals(exists.code, 409);
    assertEquals(exists.reason, "AlreadyExists");
    assertStringIncludes(exists.message, 'configmaps "c1" already exists');
    assertEquals((await api.get("c1")).data, { name: "c1", more: "yes" });

    // The client's namespace wins over none on the object; dry runs persist nothing.
    const dry = await api.create(configMap("dry"), { dryRun: true });
    assertEquals(dry.metadata?.name, "dry");
    await assertRejects(() => api.get("dry"), ApiError, "not found");
  },
);

clusterTest(
  "ResourceClient.patch applies merge, json, strategic and apply patches",
  async (client, namespace, t) => {
    const cms = client.resource(configMaps, namespace);
    await cms.create({ metadata: { name: "p" }, data: { a: "1", b: "2" } });

    await t.step("merge patch sets and removes keys", async () => {
      const merged = await cms.patch("p", { data: { a: "10", b: null, c: "3" } }, {
        type: "merge",
      });
      assertEquals(merged.data, { a: "10", c: "3" });
    });

    await t.step(
      "json patch runs its operations, and a failed test op changes nothing",
      async () => {
        const patched = await cms.patch("p", [
          { op: "test", path: "/data/a", value: "10" },
          { op: "replace", path: "/data/a", value: "11" },
          { op: "add", path: "/metadata/labels", value: { patched: "json" } },
        ], { type: "json" });
        assertEquals(patched.data, { a: "11", c: "3" });
        assertEquals(patched.metadata?.labels, { patched: "json" });
        const failed = await assertRejects(
          () =>
            cms.patch("p", [
              { op: "test", path: "/data/a", value: "nope" },
              { op: "remove", path: "/data/a" },
            ], { type: "json" }),
          ApiError,
        );
        assertEquals(failed.code, 422);
        assertEquals((await cms.get("p")).data, { a: "11", c: "3" });
      },
    );

    await t.step("strategic merge patch merges containers by name", async () => {
      const deploys = client.resource(deployments, namespace);
      const deployment: Deployment = {
        metadata: { name: "web" },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
          },
        },
      };
      await deploys.create(deployment);
      const sidecar = { name: "sidecar", image: "registry.k8s.io/pause:3.10" };
      const strategic = await deploys.patch(
        "web",
        { spec: { template: { spec: { containers: [sidecar] } } } },
        { type: "strategic" },
      );
      // The server puts list items the patch adds before the ones it keeps.
      assertEquals(strategic.spec?.template.spec?.containers.map((c) => c.name), [
        "sidecar",
        "app",
      ]);
      // A JSON merge patch replaces the list instead.
      const merged = await deploys.patch(
        "web",
        { spec: { template: { spec: { containers: [sidecar] } } } },
        { type: "merge" },
      );
      assertEquals(merged.spec?.template.spec?.containers.map((c) => c.name), ["sidecar"]);
    });

    await t.step("apply patches: owned fields, conflicts, force", async () => {
      const applied = await cms.patch(
        "applied",
        { metadata: { name: "applied" }, data: { owner: "first" } },
        { type: "apply", fieldManager: "kubesnap-first" },
      );
      assertEquals(applied.kind, "ConfigMap");
      assertEquals(applied.data, { owner: "first" });
      assert(
        applied.metadata?.managedFields?.some((f) =>
          f.manager === "kubesnap-first" && f.operation === "Apply"
        ),
        "the apply is recorded in managedFields",
      );
      const conflict = await assertRejects(
        () =>
          cms.patch("applied", { metadata: { name: "applied" }, data: { owner: "second" } }, {
            type: "apply",
            fieldManager: "kubesnap-second",
          }),
        ApiError,
      );
      assertEquals(conflict.code, 409);
      assertEquals(conflict.reason, "Conflict");
      assert(
        conflict.status.details?.causes?.some((c) => c.field === ".data.owner"),
        `the conflict names the field: ${JSON.stringify(conflict.status.details)}`,
      );
      const forced = await cms.patch(
        "applied",
        { metadata: { name: "applied" }, data: { owner: "second" } },
        { type: "apply", fieldManager: "kubesnap-second", force: true },
      );
      assertEquals(forced.data, { owner: "second" });
      const managers = forced.metadata?.managedFields?.map((f) => f.manager) ?? [];
      assert(managers.includes("kubesnap-second"), `managers: ${managers}`);
    });
  },
);

clusterTest(
  "ResourceClient.delete deletes a pod gracefully and a ConfigMap at once",
  async (client, namespace) => {
    const podApi = client.resource(pods, namespace);
    // A pod bound to a node waits for its kubelet, which never comes here.
    await podApi.create({ ...pod("doomed"), spec: { ...pod("doomed").spec!, nodeName: "node-1" } });
    const deleted = await podApi.delete("doomed");
    assert(!isStatus(deleted), "a graceful pod delete answers with the pod");
    assertEquals(deleted.kind, "Pod");
    assertExists(deleted.metadata?.deletionTimestamp);
    assertEquals(deleted.metadata?.deletionGracePeriodSeconds, 30);
    const still = await podApi.get("doomed");
    assertExists(still.metadata?.deletionTimestamp);
    assertEquals(still.metadata?.uid, deleted.metadata?.uid);

    // An unscheduled pod has nothing to wait for: the server answers with the pod, marked for
    // deletion with a grace period of 0, and it is gone.
    await podApi.create(pod("unscheduled"));
    const immediate = await podApi.delete("unscheduled");
    assert(!isStatus(immediate), "the pod delete answers with the pod");
    assertExists(immediate.metadata?.deletionTimestamp);
    assertEquals(immediate.metadata?.deletionGracePeriodSeconds, 0);
    await assertRejects(() => podApi.get("unscheduled"), ApiError, "not found");

    const cms = client.resource(configMaps, namespace);
    const cm = await cms.create(configMap("gone"));
    const wrongUid = await assertRejects(
      () => cms.delete("gone", { preconditions: { uid: "not-the-uid" } }),
      ApiError,
    );
    assertEquals(wrongUid.code, 409);
    const status = await cms.delete("gone", { preconditions: { uid: cm.metadata?.uid ?? "" } });
    assert(isStatus(status), "a ConfigMap delete answers with a Status");
    assertEquals(status.status, "Success");
    assertEquals(status.details?.name, "gone");
    assertEquals(status.details?.uid, cm.metadata?.uid);
    const notFound = await assertRejects(() => cms.get("gone"), ApiError);
    assertEquals(notFound.code, 404);

    const kept = await cms.create(configMap("kept"));
    await cms.patch("kept", { data: { changed: "yes" } });
    const staleRv = await assertRejects(
      () =>
        cms.delete("kept", {
          preconditions: { resourceVersion: kept.metadata?.resourceVersion ?? "" },
        }),
      ApiError,
      "the ResourceVersion in the precondition",
    );
    assertEquals(staleRv.code, 409);
    const dry = await cms.delete("kept", { dryRun: true });
    assert(isStatus(dry) && dry.status === "Success");
    assertEquals((await cms.get("kept")).data, { name: "kept", changed: "yes" });

    // Without a garbage collector, foreground and orphan deletes wait on their finalizers.
    const deploys = client.resource(deployments, namespace);
    for (
      const [name, policy, finalizer] of [
        ["fg", "Foreground", "foregroundDeletion"],
        ["orphan", "Orphan", "orphan"],
      ] as const
    ) {
      await deploys.create({
        metadata: { name },
        spec: {
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: pod(name).spec! },
        },
      });
      const deleting = await deploys.delete(name, { propagationPolicy: policy });
      assert(!isStatus(deleting), `a ${policy} delete answers with the object`);
      assertEquals(deleting.kind, "Deployment");
      assertEquals(deleting.metadata?.finalizers, [finalizer]);
      assertExists(deleting.metadata?.deletionTimestamp);
    }
  },
);

clusterTest(
  "ResourceClient.deleteCollection deletes only what the label selector matches",
  async (client, namespace) => {
    const cms = client.resource(configMaps, namespace);
    for (let i = 0; i < 4; i++) await cms.create(configMap(`old-${i}`, { generation: "old" }));
    for (let i = 0; i < 2; i++) await cms.create(configMap(`new-${i}`, { generation: "new" }));
    const result = await cms.deleteCollection({ labelSelector: { generation: "old" } });
    assert(!isStatus(result), "the server answers with the deleted objects");
    assertEquals((result as KubeList<ConfigMap>).kind, "ConfigMapList");
    assertEquals(names(result.items), ["old-0", "old-1", "old-2", "old-3"]);
    for (const item of result.items) {
      assertEquals([item.kind, item.apiVersion], ["ConfigMap", "v1"]);
    }
    assertEquals(names((await cms.list()).items), ["new-0", "new-1"]);
  },
);

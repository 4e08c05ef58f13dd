/**
 * Lists against a real kube-apiserver: label and field selectors (checked against the library's
 * own matchers), pagination and snapshots, and metadata-only requests.
 *
 * Part of the library suite (`library_suite.ts`); every test works in a namespace of its own.
 *
 * @module
 */

import {
  ApiError,
  compileLabelSelector,
  type ConfigMap,
  configMaps,
  ExpiredError,
  normalizeFieldSelector,
  parseFieldSelector,
  type PartialObjectMetadata,
  pods,
  selectableFields,
} from "../../mod.ts";
import {
  assert,
  assertEquals,
  assertExists,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { freshNamespace } from "./_cluster.ts";
import { clusterTest, collect, configMap, names, objectEvents, pod } from "./library_common.ts";

clusterTest(
  "label selectors select on the server what the library's matcher selects",
  async (client, namespace) => {
    const cms = client.resource(configMaps, namespace);
    const labelled: Record<string, Record<string, string>> = {
      "web-prod": {
        app: "web",
        env: "prod",
        tier: "front",
        replicas: "5",
        "app.kubernetes.io/part-of": "shop",
      },
      "web-dev": { app: "web", env: "dev", replicas: "1" },
      "db-prod": {
        app: "db",
        env: "prod",
        tier: "back",
        replicas: "2",
        "app.kubernetes.io/part-of": "shop",
      },
      "db-test": { app: "db", env: "test" },
      "cache": { app: "cache" },
      "bare": {},
    };
    for (const [name, labels] of Object.entries(labelled)) {
      await cms.create(configMap(name, labels));
    }
    const cases: [selector: string | Record<string, string>, expected: string[]][] = [
      [{ app: "web" }, ["web-dev", "web-prod"]],
      ["app=web,env=prod", ["web-prod"]],
      ["app==db", ["db-prod", "db-test"]],
      ["app!=web", ["bare", "cache", "db-prod", "db-test"]],
      ["env in (prod,test)", ["db-prod", "db-test", "web-prod"]],
      ["env notin (prod)", ["bare", "cache", "db-test", "web-dev"]],
      ["tier", ["db-prod", "web-prod"]],
      ["!tier", ["bare", "cache", "db-test", "web-dev"]],
      ["app in (web,db),!tier", ["db-test", "web-dev"]],
      ["app", ["cache", "db-prod", "db-test", "web-dev", "web-prod"]],
      ["app.kubernetes.io/part-of=shop", ["db-prod", "web-prod"]],
      ["replicas>2", ["web-prod"]],
      ["replicas<3,replicas>0", ["db-prod", "web-dev"]],
    ];
    for (const [selector, expected] of cases) {
      const listed = names((await cms.list({ labelSelector: selector })).items);
      assertEquals(listed, expected, `labelSelector ${JSON.stringify(selector)}`);
      const matcher = compileLabelSelector(selector);
      const local = Object.entries(labelled).filter(([, labels]) => matcher.matches(labels))
        .map(([name]) => name).sort();
      assertEquals(local, expected, `local matcher for ${JSON.stringify(selector)}`);
    }
    // A structured selector goes over the wire as its string form.
    const structured = await cms.list({
      labelSelector: {
        matchLabels: { env: "prod" },
        matchExpressions: [{ key: "tier", operator: "In", values: ["back"] }],
      },
    });
    assertEquals(names(structured.items), ["db-prod"]);
  },
);

clusterTest(
  "field selectors select by metadata.name, metadata.namespace and status.phase",
  async (client, namespace) => {
    const other = await freshNamespace(client, "lib-other");
    const here = client.resource(pods, namespace);
    const there = client.resource(pods, other);
    for (const name of ["a", "b", "c"]) await here.create(pod(name));
    await there.create(pod("a"));
    // Nothing schedules pods here: set a phase through the status subresource.
    const running = await here.patch("b", { status: { phase: "Running" } }, {
      type: "merge",
      subresource: "status",
    });
    assertEquals(running.status?.phase, "Running");
    assertEquals((await here.get("a")).status?.phase, "Pending");

    const byName = await here.list({ fieldSelector: { "metadata.name": "a" } });
    assertEquals(names(byName.items), ["a"]);
    const notA = await here.list({ fieldSelector: "metadata.name!=a" });
    assertEquals(names(notA.items), ["b", "c"]);

    const everywhere = client.resource(pods);
    const inOther = await everywhere.list({ fieldSelector: { "metadata.namespace": other } });
    assertEquals(inOther.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`), [
      `${other}/a`,
    ]);
    const namedA = await everywhere.list({
      fieldSelector: `metadata.name=a,metadata.namespace=${namespace}`,
    });
    assertEquals(namedA.items.map((p) => p.metadata?.namespace), [namespace]);

    const phaseCases: [string, string[]][] = [
      ["status.phase=Running", ["b"]],
      ["status.phase=Pending", ["a", "c"]],
      ["status.phase!=Pending,metadata.name!=c", ["b"]],
      ["spec.nodeName=", ["a", "b", "c"]],
    ];
    const all = (await here.list()).items;
    for (const [selector, expected] of phaseCases) {
      assertEquals(names((await here.list({ fieldSelector: selector })).items), expected, selector);
      const matcher = normalizeFieldSelector("Pod", parseFieldSelector(selector));
      const local = names(all.filter((p) => matcher.matches(selectableFields("Pod", p))));
      assertEquals(local, expected, `local matcher for ${selector}`);
    }

    const unsupported = await assertRejects(
      () => here.list({ fieldSelector: "spec.containers=app" }),
      ApiError,
    );
    assertEquals(unsupported.code, 400);
    assertStringIncludes(unsupported.message, "field label not supported");
  },
);

// ---------------------------------------------------------------------------------------------

clusterTest(
  "pagination: limit and continue, listAll, resourceVersion=0 and bad continue tokens",
  async (client, namespace, t) => {
    const cms = client.resource(configMaps, namespace);
    const created: string[] = [];
    for (let i = 0; i < 25; i++) {
      const name = `page-${String(i).padStart(2, "0")}`;
      await cms.create(configMap(name, { paged: "yes", parity: i % 2 === 0 ? "even" : "odd" }));
      created.push(name);
    }

    await t.step("list pages by limit and continue on one snapshot", async () => {
      const first = await cms.list({ limit: 10 });
      assertEquals(first.items.length, 10);
      assertExists(first.metadata.continue);
      assertEquals(first.metadata.remainingItemCount, 15);
      const snapshot = first.metadata.resourceVersion;
      assertExists(snapshot);
      const second = await cms.list({ limit: 10, continue: first.metadata.continue });
      assertEquals(second.items.length, 10);
      assertEquals(second.metadata.resourceVersion, snapshot);
      // A write between pages does not show up in later pages.
      await cms.create(configMap("page-99"));
      const third = await cms.list({ limit: 10, continue: second.metadata.continue });
      assertEquals(third.items.length, 5);
      assertEquals(third.metadata.continue ?? "", "");
      assertEquals(third.metadata.resourceVersion, snapshot);
      assertEquals(names([...first.items, ...second.items, ...third.items]), created);
      await cms.delete("page-99");
    });

    await t.step("listPages yields pages of one resourceVersion", async () => {
      const sizes: number[] = [];
      const versions = new Set<string | undefined>();
      const seen: ConfigMap[] = [];
      for await (const page of cms.listPages({ limit: 10, labelSelector: { paged: "yes" } })) {
        sizes.push(page.items.length);
        versions.add(page.metadata.resourceVersion);
        seen.push(...page.items);
        // With a label selector the server leaves remainingItemCount out.
        assertEquals(page.metadata.remainingItemCount, undefined);
      }
      assertEquals(sizes, [10, 10, 5]);
      assertEquals(versions.size, 1);
      assertEquals(names(seen), created);
      assert(seen.every((cm) => cm.kind === "ConfigMap" && cm.apiVersion === "v1"));
    });

    await t.step("listAll and listComplete read every page", async () => {
      const all: string[] = [];
      for await (const cm of cms.listAll({ limit: 10 })) all.push(cm.metadata?.name ?? "");
      assertEquals(all.sort(), created);
      const odd = await cms.listComplete({ limit: 4, labelSelector: "parity=odd" });
      assertEquals(names(odd.items), created.filter((_, i) => i % 2 === 1));
      assertEquals(odd.metadata.continue, undefined);
      assertExists(odd.metadata.resourceVersion);
    });

    await t.step("resourceVersion=0 ignores limit on a real server", async () => {
      const cached = await cms.list({ resourceVersion: "0", limit: 10 });
      assertEquals(cached.items.length, 25);
      assertEquals(cached.metadata.continue ?? "", "");
      const complete = await cms.listComplete({ resourceVersion: "0", limit: 10 });
      assertEquals(names(complete.items), created);
    });

    await t.step("an Exact list at an older resourceVersion shows that snapshot", async () => {
      const before = await cms.list({ labelSelector: "parity=even" });
      await cms.delete("page-00");
      const now = await cms.list({ labelSelector: "parity=even" });
      assertEquals(now.items.length, 12);
      const then = await cms.list({
        labelSelector: "parity=even",
        resourceVersion: before.metadata.resourceVersion,
        resourceVersionMatch: "Exact",
      });
      assertEquals(then.metadata.resourceVersion, before.metadata.resourceVersion);
      assertEquals(names(then.items), names(before.items));
      assertEquals(then.items.length, 13);
      await cms.create(configMap("page-00", { paged: "yes", parity: "even" }));
    });

    await t.step("a bad continue token is a 400, not an expiry", async () => {
      const bad = await assertRejects(() => cms.list({ limit: 10, continue: "garbage" }), ApiError);
      assert(!(bad instanceof ExpiredError), "a malformed token is not expired");
      assertEquals(bad.code, 400);
      assertEquals(bad.reason, "BadRequest");
      assertStringIncludes(bad.message, "continue");
      const first = await cms.list({ limit: 10 });
      const both = await assertRejects(
        () =>
          cms.list({
            limit: 10,
            continue: first.metadata.continue,
            resourceVersion: first.metadata.resourceVersion,
          }),
        ApiError,
      );
      assertEquals(both.code, 400);
    });
  },
);

clusterTest(
  "metadata-only lists, gets and watches return PartialObjectMetadata",
  async (client, namespace) => {
    const cms = client.resource(configMaps, namespace);
    const big = "x".repeat(10_000);
    await cms.create({ metadata: { name: "m1", labels: { m: "1" } }, data: { big } });
    await cms.create({ metadata: { name: "m2", labels: { m: "2" } }, data: { big } });
    const meta = client.metadata(configMaps, namespace);
    assert(meta.metadataOnly);

    const list = await meta.list();
    assertEquals(list.kind, "PartialObjectMetadataList");
    assertEquals(list.apiVersion, "meta.k8s.io/v1");
    assertExists(list.metadata.resourceVersion);
    assertEquals(names(list.items), ["m1", "m2"]);
    for (const item of list.items) {
      assertEquals(item.kind, "PartialObjectMetadata");
      assertEquals(item.apiVersion, "meta.k8s.io/v1");
      assertEquals(item.metadata.namespace, namespace);
      assertExists(item.metadata.uid);
      assertEquals(Object.keys(item).sort(), ["apiVersion", "kind", "metadata"]);
    }
    const paged: PartialObjectMetadata[] = [];
    for await (const item of meta.listAll({ limit: 1 })) paged.push(item);
    assertEquals(names(paged), ["m1", "m2"]);

    const one = await meta.get("m1");
    assertEquals(one.kind, "PartialObjectMetadata");
    assertEquals(one.metadata.labels, { m: "1" });
    assertEquals(Object.keys(one).sort(), ["apiVersion", "kind", "metadata"]);

    const rv = list.metadata.resourceVersion;
    await cms.create({ metadata: { name: "m3" }, data: { big } });
    await cms.delete("m3");
    // Started from the list's resourceVersion, the watch replays what followed it.
    const { events } = await collect<PartialObjectMetadata>(
      (signal) => meta.watch({ resourceVersion: rv, signal }),
      (event) => event.type === "DELETED",
    );
    assertEquals(objectEvents(events), [["ADDED", "m3"], ["DELETED", "m3"]]);
    for (const event of events) {
      if (event.type === "BOOKMARK" || event.type === "ERROR") continue;
      assertEquals(event.object.kind, "PartialObjectMetadata");
      assertEquals(event.object.apiVersion, "meta.k8s.io/v1");
      assertEquals(Object.keys(event.object).sort(), ["apiVersion", "kind", "metadata"]);
    }
  },
);

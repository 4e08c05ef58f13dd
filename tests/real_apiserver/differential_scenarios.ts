/**
 * The scripts of the differential suite. Each runs in its own fresh namespace on both targets and
 * records normalised answers; ConfigMaps carry most of the generic checks because a real server
 * does not default their fields, Pods the pod-specific ones.
 *
 * @module
 */

import { ApiError, configMaps, type KubeObject } from "../../mod.ts";
import type { Scenario, ScenarioContext } from "./differential_scenario.ts";

// deno-lint-ignore no-explicit-any -- answers are arbitrary JSON
type Json = any;

const cmPath = (ns: string, name = "") =>
  `/api/v1/namespaces/${ns}/configmaps${name === "" ? "" : `/${name}`}`;
const podPath = (ns: string, name = "") =>
  `/api/v1/namespaces/${ns}/pods${name === "" ? "" : `/${name}`}`;

function configMap(name: string, labels: Record<string, string> = {}, data = { k: "v" }): Json {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data };
}

function pod(name: string, spec: Json = {}, labels: Record<string, string> = {}): Json {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: { containers: [{ name: "c", image: "example.invalid/app:1" }], ...spec },
  };
}

/** A pod as compared: its metadata and the few fields the server does not default. */
function podView(body: Json): Json {
  if (body?.kind !== "Pod") return body;
  return {
    kind: body.kind,
    apiVersion: body.apiVersion,
    metadata: body.metadata,
    spec: { nodeName: body.spec?.nodeName, containers: body.spec?.containers?.length },
    status: { phase: body.status?.phase },
  };
}

/** The message up to and including `marker`: what follows is Go's own wording of an error. */
function upTo(message: unknown, marker: string): unknown {
  if (typeof message !== "string") return message;
  const at = message.indexOf(marker);
  return at < 0 ? message : message.slice(0, at + marker.length);
}

/** A Status without the Go struct diff that a real server appends to pod update errors. */
function withoutGoDiff(body: Json): Json {
  if (body?.kind !== "Status") return podView(body);
  const cut = (text: unknown) => typeof text === "string" ? text.split("\n")[0] : text;
  return {
    ...body,
    message: cut(body.message),
    details: body.details && {
      ...body.details,
      causes: body.details.causes?.map((c: Json) => ({ ...c, message: cut(c.message) })),
    },
  };
}

/** A list as compared: its metadata and the names of its items. */
function listView(body: Json): Json {
  if (!Array.isArray(body?.items)) return body;
  return {
    kind: body.kind,
    apiVersion: body.apiVersion,
    metadata: body.metadata,
    names: body.items.map((item: Json) => item.metadata?.name),
  };
}

const countOf = (type: string) => (events: Json[]) => events.filter((e) => e.type === type).length;
const hasEndBookmark = (events: Json[]) =>
  events.some((e) =>
    e.type === "BOOKMARK" &&
    e.object?.metadata?.annotations?.["k8s.io/initial-events-end"] === "true"
  );

/** Records the outcome of a library call: its value or the ApiError's fields. */
async function call(ctx: ScenarioContext, label: string, fn: () => Promise<Json>): Promise<Json> {
  try {
    const value = await fn();
    ctx.record(label, { ok: value });
    return value;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    ctx.record(label, {
      error: err.name,
      code: err.code,
      reason: err.reason,
      message: err.message,
      details: err.status.details,
    });
    return undefined;
  }
}

/** Every scenario, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: "create-configmap",
    title: "create fills in the server-set fields; a second create is AlreadyExists",
    async run(ctx) {
      const created = await ctx.request("create", "POST", cmPath(ctx.ns), {
        body: configMap("c1", { app: "a" }),
      });
      await ctx.request("get", "GET", cmPath(ctx.ns, "c1"));
      await ctx.request("create-again", "POST", cmPath(ctx.ns), { body: configMap("c1") });
      await ctx.request("create-generate-name", "POST", cmPath(ctx.ns), {
        body: { metadata: { generateName: "gen-" }, data: { a: "b" } },
      });
      await ctx.request("create-with-resource-version", "POST", cmPath(ctx.ns), {
        body: { metadata: { name: "c2", resourceVersion: created.body.metadata.resourceVersion } },
      });
      await ctx.request("create-dry-run", "POST", `${cmPath(ctx.ns)}?dryRun=All`, {
        body: configMap("dry"),
      });
      await ctx.request("get-dry-run", "GET", cmPath(ctx.ns, "dry"));
      await ctx.request("create-kind-mismatch", "POST", cmPath(ctx.ns), {
        body: { apiVersion: "v1", kind: "Secret", metadata: { name: "k" } },
      });
      await ctx.request("create-namespace-mismatch", "POST", cmPath(ctx.ns), {
        body: { metadata: { name: "m", namespace: "other" } },
      });
      await ctx.request("create-no-name", "POST", cmPath(ctx.ns), { body: { metadata: {} } });
    },
  },
  {
    id: "create-pod",
    title: "a created pod carries uid, creationTimestamp, generation, managedFields and Pending",
    async run(ctx) {
      await ctx.request("create", "POST", podPath(ctx.ns), { body: pod("p1"), project: podView });
      await ctx.request("get", "GET", podPath(ctx.ns, "p1"), { project: podView });
      await ctx.request("create-no-containers", "POST", podPath(ctx.ns), {
        body: { metadata: { name: "p2" }, spec: {} },
      });
    },
  },
  {
    id: "namespace",
    title: "a namespace gets its name label and the kubernetes finalizer",
    async run(ctx) {
      const name = `${ctx.ns}-x`;
      await ctx.request("create", "POST", "/api/v1/namespaces", {
        body: { metadata: { name } },
      });
      await ctx.request("create-bad-name", "POST", "/api/v1/namespaces", {
        body: { metadata: { name: "Bad.Name" } },
      });
    },
  },
  {
    id: "missing-namespace",
    title: "writes into a namespace that does not exist are 404; reads are empty",
    async run(ctx) {
      const missing = `${ctx.ns}-missing`;
      await ctx.request("create", "POST", cmPath(missing), { body: configMap("c1") });
      await ctx.request("list", "GET", cmPath(missing), { project: listView });
      await ctx.request("get", "GET", cmPath(missing, "c1"));
      await ctx.request("create-pod", "POST", podPath(missing), { body: pod("p1") });
    },
  },
  {
    id: "not-found",
    title: "404 shapes for missing objects, unknown resources and unknown paths",
    async run(ctx) {
      await ctx.request("get", "GET", cmPath(ctx.ns, "nope"));
      await ctx.request("delete", "DELETE", cmPath(ctx.ns, "nope"));
      await ctx.request("put", "PUT", cmPath(ctx.ns, "nope"), { body: configMap("nope") });
      await ctx.request("patch", "PATCH", cmPath(ctx.ns, "nope"), {
        body: { data: { a: "b" } },
        contentType: "application/merge-patch+json",
      });
      await ctx.request("unknown-resource", "GET", `/api/v1/namespaces/${ctx.ns}/widgets`);
      await ctx.request("unknown-group", "GET", "/apis/nope.example.com/v1/widgets", {
        recordContentType: true,
      });
      await ctx.request("unknown-path", "GET", "/nope", { recordContentType: true });
      await ctx.request("deployment", "GET", `/apis/apps/v1/namespaces/${ctx.ns}/deployments/d`);
    },
  },
  {
    id: "update",
    title: "updates: stale resourceVersion is Conflict, none is unconditional, no-op keeps it",
    async run(ctx) {
      const created = await ctx.create(cmPath(ctx.ns), configMap("c1"));
      const staleRv = created.metadata.resourceVersion;
      const changed = { ...created, data: { k: "v2" } };
      await ctx.request("update", "PUT", cmPath(ctx.ns, "c1"), { body: changed });
      await ctx.request("update-stale", "PUT", cmPath(ctx.ns, "c1"), {
        body: { ...changed, metadata: { ...created.metadata, resourceVersion: staleRv } },
      });
      const current = await ctx.send("GET", cmPath(ctx.ns, "c1"));
      await ctx.request("update-no-op", "PUT", cmPath(ctx.ns, "c1"), { body: current.body });
      const { resourceVersion: _rv, ...unversioned } = current.body.metadata;
      await ctx.request("update-unconditional", "PUT", cmPath(ctx.ns, "c1"), {
        body: { ...current.body, metadata: unversioned, data: { k: "v3" } },
      });
      await ctx.request("update-name-mismatch", "PUT", cmPath(ctx.ns, "c1"), {
        body: configMap("other"),
      });
      await ctx.request("update-bad-label", "PUT", cmPath(ctx.ns, "c1"), {
        body: { ...current.body, metadata: { ...unversioned, labels: { "-bad": "x" } } },
      });
    },
  },
  {
    id: "validation",
    title: "invalid names, label keys and values, and wrongly typed fields",
    async run(ctx) {
      await ctx.request("bad-name-and-labels", "POST", cmPath(ctx.ns), {
        // One label: a real server walks labels in Go's random map order.
        body: configMap("Bad_Name", { "bad key!": "bad value!" }),
      });
      await ctx.request("long-label-value", "POST", cmPath(ctx.ns), {
        body: configMap("c", { k: "x".repeat(64) }),
      });
      await ctx.request("prefixed-label-key", "POST", cmPath(ctx.ns), {
        body: configMap("c", { "Example.COM/k": "v" }),
      });
      await ctx.request("bad-annotation-key", "POST", cmPath(ctx.ns), {
        body: { metadata: { name: "c", annotations: { "a b": "v" } } },
      });
      await ctx.request("name-is-a-number", "POST", cmPath(ctx.ns), {
        body: { metadata: { name: 5 } },
      });
      await ctx.request("data-value-is-a-number", "POST", cmPath(ctx.ns), {
        body: { metadata: { name: "c" }, data: { k: 1 } },
      });
      await ctx.request("labels-is-a-list", "POST", cmPath(ctx.ns), {
        body: { metadata: { name: "c", labels: ["a"] } },
      });
      await ctx.request("bad-data-key", "POST", cmPath(ctx.ns), {
        body: { metadata: { name: "c" }, data: { "bad key": "v" } },
      });
      await ctx.request("not-json", "POST", cmPath(ctx.ns), {
        body: "{not json",
        project: (body: Json) => ({ ...body, message: upTo(body.message, "json parse error:") }),
      });
      await ctx.request("bad-media-type", "POST", cmPath(ctx.ns), {
        body: "a: b",
        contentType: "text/plain",
      });
    },
  },
  {
    id: "pod-update",
    title: "a pod's spec is immutable but for a few fields; nodeName cannot change by update",
    async run(ctx) {
      const created = await ctx.create(podPath(ctx.ns), pod("p1"));
      await ctx.request("set-node-name", "PUT", podPath(ctx.ns, "p1"), {
        body: { ...created, spec: { ...created.spec, nodeName: "node-1" } },
        project: withoutGoDiff,
      });
      await ctx.request("add-container", "PUT", podPath(ctx.ns, "p1"), {
        body: {
          ...created,
          spec: {
            ...created.spec,
            containers: [...created.spec.containers, { name: "d", image: "x" }],
          },
        },
        project: withoutGoDiff,
      });
      await ctx.request("relabel", "PUT", podPath(ctx.ns, "p1"), {
        body: { ...created, metadata: { ...created.metadata, labels: { app: "b" } } },
        project: podView,
      });
      const current = await ctx.send("GET", podPath(ctx.ns, "p1"));
      await ctx.request("status", "PUT", podPath(ctx.ns, "p1") + "/status", {
        body: { ...current.body, status: { phase: "Running" } },
        project: podView,
      });
    },
  },
  {
    id: "pod-log",
    title: "pods/log without a kubelet",
    async run(ctx) {
      await ctx.create(podPath(ctx.ns), pod("p1"));
      await ctx.create(podPath(ctx.ns), pod("p2", { nodeName: "node-1" }));
      await ctx.request("unscheduled", "GET", podPath(ctx.ns, "p1") + "/log", {
        recordContentType: true,
      });
      await ctx.request("unknown-container", "GET", podPath(ctx.ns, "p1") + "/log?container=x");
      await ctx.request("missing-pod", "GET", podPath(ctx.ns, "nope") + "/log");
      await ctx.request("missing-node", "GET", podPath(ctx.ns, "p2") + "/log");
      await ctx.request("post", "POST", podPath(ctx.ns, "p1") + "/log", { body: {} });
    },
  },
  {
    id: "delete",
    title: "deletes: a Status for ConfigMaps, the object for pods, preconditions",
    async run(ctx) {
      const c1 = await ctx.create(cmPath(ctx.ns), configMap("c1"));
      await ctx.create(cmPath(ctx.ns), configMap("c2"));
      await ctx.create(podPath(ctx.ns), pod("p1"));
      await ctx.request("delete-precondition", "DELETE", cmPath(ctx.ns, "c1"), {
        body: { preconditions: { resourceVersion: "1" } },
        project: (body: Json) => ({ ...body, message: body.message.replace(/\(\d+\)/g, "(N)") }),
      });
      await ctx.request("delete-uid-precondition", "DELETE", cmPath(ctx.ns, "c1"), {
        body: { preconditions: { uid: "0" } },
        project: (body: Json) => ({
          ...body,
          message: body.message.replace(/\([-0-9a-f]+\)/g, "(X)"),
        }),
      });
      await ctx.request("delete-configmap", "DELETE", cmPath(ctx.ns, "c1"));
      await ctx.request("get-deleted", "GET", cmPath(ctx.ns, "c1"));
      const p1 = await ctx.send("GET", podPath(ctx.ns, "p1"));
      await ctx.watch(
        "watch-pod-delete",
        `${podPath(ctx.ns)}?watch=1&resourceVersion=${p1.body.metadata.resourceVersion}`,
        {
          during: async () => {
            await ctx.request("delete-pod", "DELETE", podPath(ctx.ns, "p1"), { project: podView });
          },
          // An unscheduled pod is marked (MODIFIED), then removed (DELETED).
          until: (events) => events.some((event) => event.type === "DELETED"),
          project: (object: Json) => podView(object).metadata,
        },
      );
      await ctx.request("get-deleting-pod", "GET", podPath(ctx.ns, "p1"), { project: podView });
      await ctx.request("delete-collection", "DELETE", cmPath(ctx.ns), { project: listView });
      void c1;
    },
  },
  {
    id: "pagination",
    title: "limit/continue pages, resourceVersion=0 ignores limit, bad tokens",
    async run(ctx) {
      for (const name of ["a", "b", "c", "d", "e"]) {
        await ctx.create(cmPath(ctx.ns), configMap(name, { n: name < "c" ? "low" : "high" }));
      }
      const first = await ctx.request("page-1", "GET", `${cmPath(ctx.ns)}?limit=2`, {
        project: listView,
      });
      const token = encodeURIComponent(first.body.metadata.continue ?? "");
      const second = await ctx.request(
        "page-2",
        "GET",
        `${cmPath(ctx.ns)}?limit=2&continue=${token}`,
        {
          project: listView,
        },
      );
      const token2 = encodeURIComponent(second.body.metadata.continue ?? "");
      const third = await ctx.request(
        "page-3",
        "GET",
        `${cmPath(ctx.ns)}?limit=2&continue=${token2}`,
        {
          project: listView,
        },
      );
      ctx.recordRaw("pages-share-the-first-resource-version", {
        second: second.body.metadata.resourceVersion === first.body.metadata.resourceVersion,
        third: third.body.metadata.resourceVersion === first.body.metadata.resourceVersion,
      });
      await ctx.request("rv0-ignores-limit", "GET", `${cmPath(ctx.ns)}?limit=2&resourceVersion=0`, {
        project: listView,
      });
      await ctx.request(
        "selector-page",
        "GET",
        `${cmPath(ctx.ns)}?limit=1&labelSelector=n%3Dhigh`,
        {
          project: listView,
        },
      );
      await ctx.request("bad-continue", "GET", `${cmPath(ctx.ns)}?limit=2&continue=garbage`, {
        project: (body: Json) => ({ ...body, message: upTo(body.message, "not valid:") }),
      });
      await ctx.request(
        "continue-with-rv",
        "GET",
        `${
          cmPath(ctx.ns)
        }?limit=2&continue=${token}&resourceVersion=${first.body.metadata.resourceVersion}`,
      );
      await ctx.request("negative-limit", "GET", `${cmPath(ctx.ns)}?limit=-1`, {
        project: listView,
      });
      await ctx.request(
        "exact-at-list-rv",
        "GET",
        `${
          cmPath(ctx.ns)
        }?resourceVersion=${first.body.metadata.resourceVersion}&resourceVersionMatch=Exact`,
        { project: listView },
      );
      await ctx.request("match-without-rv", "GET", `${cmPath(ctx.ns)}?resourceVersionMatch=Exact`);
      await ctx.request(
        "bad-match",
        "GET",
        `${cmPath(ctx.ns)}?resourceVersion=1&resourceVersionMatch=Sometimes`,
      );
      await ctx.request("bad-rv", "GET", `${cmPath(ctx.ns)}?resourceVersion=abc`);
    },
  },
  {
    id: "selectors",
    title: "label and field selectors on lists",
    async run(ctx) {
      await ctx.create(cmPath(ctx.ns), configMap("a", { app: "web", tier: "front" }));
      await ctx.create(cmPath(ctx.ns), configMap("b", { app: "db" }));
      await ctx.create(cmPath(ctx.ns), configMap("c", {}));
      const selectors = [
        "app=web",
        "app!=web",
        "app in (web,db)",
        "app notin (web)",
        "app",
        "!app",
        "app=web,tier=front",
        "app==db",
        "app=",
        "app in ()",
        "bad key=x",
        "app=(x",
        "app>1",
      ];
      for (const selector of selectors) {
        await ctx.request(
          `label ${selector}`,
          "GET",
          `${cmPath(ctx.ns)}?labelSelector=${encodeURIComponent(selector)}`,
          { project: listView },
        );
      }
      const fields = [
        "metadata.name=a",
        "metadata.name!=a",
        `metadata.namespace=${ctx.ns}`,
        "metadata.name==b,metadata.namespace!=x",
        "data.k=v",
        "metadata.labels=x",
        "metadata.name",
      ];
      for (const selector of fields) {
        await ctx.request(
          `field ${selector}`,
          "GET",
          `${cmPath(ctx.ns)}?fieldSelector=${encodeURIComponent(selector)}`,
          { project: listView },
        );
      }
      await ctx.create(podPath(ctx.ns), pod("p1", { nodeName: "node-1" }));
      await ctx.create(podPath(ctx.ns), pod("p2"));
      for (
        const selector of [
          "spec.nodeName=node-1",
          "spec.nodeName=",
          "status.phase=Pending",
          "spec.restartPolicy=Always",
          "spec.schedulerName=x",
        ]
      ) {
        await ctx.request(
          `pod field ${selector}`,
          "GET",
          `${podPath(ctx.ns)}?fieldSelector=${encodeURIComponent(selector)}`,
          { project: listView },
        );
      }
    },
  },
  {
    id: "watch-initial-events",
    title:
      'legacy watches from "" and 0 with bookmarks end their ADDED events with the initial-events-end bookmark',
    async run(ctx) {
      await ctx.create(cmPath(ctx.ns), configMap("b"));
      await ctx.create(cmPath(ctx.ns), configMap("a"));
      for (const rv of ["", "0"]) {
        let n = 0;
        await ctx.watch(
          `watch rv="${rv}" bookmarks`,
          `${cmPath(ctx.ns)}?watch=1&allowWatchBookmarks=true${
            rv === "" ? "" : `&resourceVersion=${rv}`
          }`,
          {
            during: () =>
              ctx.create(cmPath(ctx.ns), configMap(`new-${rv || "empty"}-${n++}`)).then(() => {}),
            until: (events) =>
              countOf("ADDED")(events) >= 3 + (rv === "0" ? 1 : 0) && hasEndBookmark(events),
          },
        );
      }
      await ctx.watch("watch without bookmarks", `${cmPath(ctx.ns)}?watch=1`, {
        until: (events) => countOf("ADDED")(events) >= 4,
        timeoutMs: 1500,
      });
    },
  },
  {
    id: "watch-streaming-list",
    title: "streaming lists: ADDED events then the initial-events-end bookmark; option validation",
    async run(ctx) {
      await ctx.create(cmPath(ctx.ns), configMap("a"));
      await ctx.create(cmPath(ctx.ns), configMap("b"));
      await ctx.watch(
        "streaming list",
        `${
          cmPath(ctx.ns)
        }?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
        {
          during: () => ctx.create(cmPath(ctx.ns), configMap("c")).then(() => {}),
          until: (events) => countOf("ADDED")(events) >= 3 && hasEndBookmark(events),
        },
      );
      await ctx.watch(
        "streaming list without bookmarks",
        `${cmPath(ctx.ns)}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
        { until: (events) => countOf("ADDED")(events) >= 3, timeoutMs: 1500 },
      );
      await ctx.watch(
        "streaming list without match",
        `${cmPath(ctx.ns)}?watch=1&sendInitialEvents=true&allowWatchBookmarks=true`,
        { until: () => true },
      );
      await ctx.watch(
        "send initial events false from 0",
        `${
          cmPath(ctx.ns)
        }?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&resourceVersion=0&allowWatchBookmarks=true`,
        { until: () => false, timeoutMs: 800 },
      );
      await ctx.request(
        "list with sendInitialEvents",
        "GET",
        `${cmPath(ctx.ns)}?sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
      );
    },
  },
  {
    id: "watch-changes",
    title:
      "a watch from a resourceVersion sees later changes in order, selectors turn updates into DELETED",
    async run(ctx) {
      const a = await ctx.create(cmPath(ctx.ns), configMap("a", { app: "web" }));
      const from = a.metadata.resourceVersion;
      await ctx.watch("watch from rv", `${cmPath(ctx.ns)}?watch=1&resourceVersion=${from}`, {
        during: async () => {
          await ctx.create(cmPath(ctx.ns), configMap("b", { app: "web" }));
          const b = await ctx.send("GET", cmPath(ctx.ns, "b"));
          await ctx.send("PUT", cmPath(ctx.ns, "b"), {
            body: { ...b.body, metadata: { ...b.body.metadata, labels: { app: "db" } } },
          });
          await ctx.send("DELETE", cmPath(ctx.ns, "a"));
        },
        until: (events) => events.length >= 3,
      });
      await ctx.watch(
        "watch with selector from rv",
        `${cmPath(ctx.ns)}?watch=1&resourceVersion=${from}&labelSelector=app%3Dweb`,
        { until: (events) => events.length >= 3 },
      );
      await ctx.watch(
        "watch one object",
        `${cmPath(ctx.ns)}?watch=1&fieldSelector=metadata.name%3Db`,
        {
          until: (events) => events.length >= 1,
        },
      );
      await ctx.watch("watch path", `/api/v1/watch/namespaces/${ctx.ns}/configmaps/b`, {
        until: (events) => events.length >= 1,
      });
      await ctx.watch("watch bad rv", `${cmPath(ctx.ns)}?watch=1&resourceVersion=abc`, {
        until: () => true,
      });
      await ctx.watch("watch future rv", `${cmPath(ctx.ns)}?watch=1&resourceVersion=99999999999`, {
        until: (events) => events.length >= 1,
        timeoutMs: 1000,
      });
    },
  },
  {
    id: "patch",
    title: "merge, JSON and strategic patches; apply needs a field manager",
    async run(ctx) {
      await ctx.create(cmPath(ctx.ns), configMap("c1", { app: "a" }));
      await ctx.request("merge", "PATCH", cmPath(ctx.ns, "c1"), {
        body: { metadata: { labels: { extra: "x" } }, data: { k: null, k2: "v2" } },
        contentType: "application/merge-patch+json",
      });
      await ctx.request("json", "PATCH", cmPath(ctx.ns, "c1"), {
        body: [{ op: "replace", path: "/data/k2", value: "v3" }],
        contentType: "application/json-patch+json",
      });
      await ctx.request("json-test-fails", "PATCH", cmPath(ctx.ns, "c1"), {
        body: [{ op: "test", path: "/data/k2", value: "nope" }],
        contentType: "application/json-patch+json",
      });
      await ctx.request("strategic", "PATCH", cmPath(ctx.ns, "c1"), {
        body: { data: { k3: "v" } },
        contentType: "application/strategic-merge-patch+json",
      });
      await ctx.request("stale-rv", "PATCH", cmPath(ctx.ns, "c1"), {
        body: { metadata: { resourceVersion: "1" } },
        contentType: "application/merge-patch+json",
      });
      await ctx.request("apply-without-manager", "PATCH", cmPath(ctx.ns, "c1"), {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c1" } },
        contentType: "application/apply-patch+yaml",
      });
      await ctx.request("apply-creates", "PATCH", `${cmPath(ctx.ns, "c2")}?fieldManager=tester`, {
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c2" }, data: { a: "b" } },
        contentType: "application/apply-patch+yaml",
      });
      await ctx.request("bad-content-type", "PATCH", cmPath(ctx.ns, "c1"), {
        body: { data: {} },
        contentType: "text/plain",
      });
    },
  },
  {
    id: "library",
    title: "the public API against both servers: create, conflict, list, watch",
    async run(ctx) {
      const cms = ctx.client.resource(configMaps, ctx.ns);
      const created = await call(ctx, "create", () => cms.create(configMap("c1", { app: "a" })));
      await call(ctx, "create-again", () => cms.create(configMap("c1")));
      await call(ctx, "get-missing", () => cms.get("nope"));
      await call(ctx, "replace-stale", async () => {
        await cms.replace({ ...created, data: { k: "2" } } as KubeObject);
        return cms.replace({ ...created, data: { k: "3" } } as KubeObject);
      });
      await call(ctx, "list", async () => listView(await cms.list({ limit: 1 })));
      await call(
        ctx,
        "list-by-label",
        async () => listView(await cms.list({ labelSelector: { app: "a" } })),
      );
      await ctx.client.resource(configMaps, ctx.ns).create(configMap("c2"));
      const seen: string[] = [];
      const abort = new AbortController();
      for await (const event of cms.watch({ allowWatchBookmarks: true, signal: abort.signal })) {
        const meta = (event.object as Json).metadata;
        seen.push(
          `${event.type} ${
            event.type === "BOOKMARK"
              ? meta?.annotations?.["k8s.io/initial-events-end"] ?? ""
              : meta?.name
          }`,
        );
        if (event.type === "BOOKMARK" && meta?.annotations?.["k8s.io/initial-events-end"]) break;
        if (seen.length > 10) break;
      }
      abort.abort();
      ctx.recordRaw("watch", seen);
    },
  },
  {
    id: "finalizers",
    title: "a finalizer keeps a deleted object until an update removes it",
    async run(ctx) {
      await ctx.create(cmPath(ctx.ns), {
        metadata: { name: "f", finalizers: ["example.com/keep"] },
      });
      const first = await ctx.send("GET", cmPath(ctx.ns, "f"));
      await ctx.watch(
        "watch",
        `${cmPath(ctx.ns)}?watch=1&resourceVersion=${first.body.metadata.resourceVersion}`,
        {
          during: async () => {
            await ctx.request("delete", "DELETE", cmPath(ctx.ns, "f"));
            await ctx.request("delete-again", "DELETE", cmPath(ctx.ns, "f"));
            const marked = await ctx.send("GET", cmPath(ctx.ns, "f"));
            await ctx.request("add-finalizer", "PUT", cmPath(ctx.ns, "f"), {
              body: {
                ...marked.body,
                metadata: { ...marked.body.metadata, finalizers: ["example.com/keep", "x.io/y"] },
              },
            });
            await ctx.request("remove-finalizer", "PUT", cmPath(ctx.ns, "f"), {
              body: { ...marked.body, metadata: { ...marked.body.metadata, finalizers: [] } },
            });
          },
          until: (events) => events.length >= 2,
          project: (object: Json) => object.metadata,
        },
      );
      await ctx.request("get-after", "GET", cmPath(ctx.ns, "f"));
    },
  },
  {
    id: "more-kinds",
    title: "deployments and services as created, metadata-only lists, wrong uid on update",
    async run(ctx) {
      const deploymentPath = `/apis/apps/v1/namespaces/${ctx.ns}/deployments`;
      const deployment = await ctx.request("create-deployment", "POST", deploymentPath, {
        body: {
          metadata: { name: "d", labels: { app: "d" } },
          spec: {
            selector: { matchLabels: { app: "d" } },
            template: {
              metadata: { labels: { app: "d" } },
              spec: { containers: [{ name: "c", image: "x" }] },
            },
          },
        },
        project: (body: Json) => ({ metadata: body.metadata, replicas: body.spec?.replicas }),
      });
      const d = deployment.body;
      if (d?.spec) {
        d.spec.template.spec.containers[0].image = "y";
        await ctx.request("update-deployment-spec", "PUT", `${deploymentPath}/d`, {
          body: d,
          project: (body: Json) => ({ generation: body.metadata?.generation, code: body.code }),
        });
      }
      await ctx.request("create-service", "POST", `/api/v1/namespaces/${ctx.ns}/services`, {
        body: { metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } },
        project: (body: Json) => ({
          type: body.spec?.type,
          hasClusterIP: typeof body.spec?.clusterIP === "string",
          protocol: body.spec?.ports?.[0]?.protocol,
          targetPort: body.spec?.ports?.[0]?.targetPort,
        }),
      });
      const cm = await ctx.create(cmPath(ctx.ns), configMap("c1", { app: "a" }));
      await ctx.request("metadata-list", "GET", cmPath(ctx.ns), {
        headers: { accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io" },
      });
      await ctx.request("metadata-get", "GET", cmPath(ctx.ns, "c1"), {
        headers: { accept: "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io" },
      });
      await ctx.request("update-wrong-uid", "PUT", cmPath(ctx.ns, "c1"), {
        body: { ...cm, metadata: { ...cm.metadata, uid: "00000000-0000-0000-0000-000000000000" } },
      });
      await ctx.request("configmap-status", "PUT", cmPath(ctx.ns, "c1") + "/status", {
        body: cm,
      });
      await ctx.request(
        "delete-collection-by-label",
        "DELETE",
        `${cmPath(ctx.ns)}?labelSelector=app%3Da`,
        {
          project: listView,
        },
      );
      await ctx.watch("watch-timeout", `${cmPath(ctx.ns)}?watch=1&timeoutSeconds=1`, {
        until: () => false,
        timeoutMs: 3000,
      });
      // Last: the fake stores it, which would shift later resourceVersion tokens.
      await ctx.request("deployment-bad-selector", "POST", deploymentPath, {
        body: {
          metadata: { name: "bad" },
          spec: {
            selector: { matchLabels: { app: "x" } },
            template: {
              metadata: { labels: { app: "y" } },
              spec: { containers: [{ name: "c", image: "x" }] },
            },
          },
        },
        project: (body: Json) => ({ status: body.status, code: body.code, reason: body.reason }),
      });
    },
  },
  {
    id: "generated-kinds",
    title: "a sample of the kinds the generated descriptors added: create, get, list, delete",
    async run(ctx) {
      const ns = ctx.ns;
      const selector = { matchLabels: { app: "a" } };
      const samples: { label: string; path: string; body: Json }[] = [
        {
          label: "serviceaccount",
          path: `/api/v1/namespaces/${ns}/serviceaccounts`,
          body: { metadata: { name: "sa" } },
        },
        {
          label: "role",
          path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
          body: {
            metadata: { name: "r" },
            rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }],
          },
        },
        {
          label: "rolebinding",
          path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
          body: {
            metadata: { name: "rb" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" },
            subjects: [{ kind: "ServiceAccount", name: "sa", namespace: ns }],
          },
        },
        {
          label: "networkpolicy",
          path: `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`,
          body: { metadata: { name: "np" }, spec: { podSelector: {} } },
        },
        {
          label: "poddisruptionbudget",
          path: `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`,
          body: { metadata: { name: "pdb" }, spec: { minAvailable: 1, selector } },
        },
        {
          label: "persistentvolumeclaim",
          path: `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
          body: {
            metadata: { name: "pvc" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        },
        {
          label: "storageclass",
          path: `/apis/storage.k8s.io/v1/storageclasses`,
          body: { metadata: { name: `${ns}-sc` }, provisioner: "example.com/none" },
        },
        {
          label: "lease",
          path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
          body: { metadata: { name: "l" }, spec: { holderIdentity: "me" } },
        },
      ];
      const view = (body: Json) => ({
        kind: body.kind,
        apiVersion: body.apiVersion,
        name: body.metadata?.name,
        namespace: body.metadata?.namespace,
        generation: body.metadata?.generation,
        code: body.code,
        reason: body.reason,
      });
      for (const { label, path, body } of samples) {
        await ctx.request(`create-${label}`, "POST", path, { body, project: view });
        await ctx.request(`get-${label}`, "GET", `${path}/${body.metadata.name}`, {
          project: view,
        });
        await ctx.request(`list-${label}`, "GET", path, {
          project: (list: Json) => ({
            kind: list.kind,
            names: (list.items ?? []).map((item: Json) => item.metadata?.name),
          }),
        });
      }
      for (const { label, path, body } of [...samples].reverse()) {
        await ctx.request(`delete-${label}`, "DELETE", `${path}/${body.metadata.name}`, {
          project: (answer: Json) => ({
            kind: answer.kind,
            status: answer.status?.phase ?? answer.status,
          }),
        });
      }
    },
  },
  {
    id: "terminating-namespace",
    title: "a namespace being deleted refuses new objects",
    async run(ctx) {
      const name = `${ctx.ns}-t`;
      await ctx.create("/api/v1/namespaces", { metadata: { name } });
      await ctx.request("delete", "DELETE", `/api/v1/namespaces/${name}`, {
        project: (body: Json) => ({
          kind: body.kind,
          deletionTimestamp: body.metadata?.deletionTimestamp,
          phase: body.status?.phase,
          finalizers: body.spec?.finalizers,
        }),
      });
      await ctx.request("create-in-terminating", "POST", cmPath(name), { body: configMap("c") });
    },
  },
];

/**
 * Informers against a real kube-apiserver: one informer for every built-in resource kubesnap
 * exports syncs, equals a fresh LIST, follows changes and then stays quiet. `run.ts` runs this
 * file once per server variant (streaming lists on and off, their compression off, the watch
 * cache off); the variant's name is in the control plane info.
 *
 * @module
 */

import {
  BUILTIN_RESOURCES,
  type ConfigMap,
  configMaps,
  type InformerErrorEvent,
  KubeClient,
  kubeConfigToClientOptions,
  type KubeObject,
  parseKubeConfig,
  type ResourceDescriptor,
  services,
  SharedInformerFactory,
} from "../../mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { controlPlane, freshNamespace, kubeconfigFor } from "./_cluster.ts";
import type { ControlPlaneInfo } from "./control_plane.ts";

const info = controlPlane();
const STEADY_STATE_MS = 10_000;
const SYNC_TIMEOUT_MS = 30_000;
const OBJECTS_PER_KIND = 4;

/** Every request a client sent, by path. */
interface CountingClient {
  client: KubeClient;
  requests: { method: string; path: string; query: string; at: number }[];
}

/** A client from the admin kubeconfig whose requests are recorded; `rewrite` may change each request. */
function countingClient(
  plane: ControlPlaneInfo,
  rewrite?: (request: Request) => Request,
): CountingClient {
  const options = kubeConfigToClientOptions(
    parseKubeConfig(kubeconfigFor(plane, "admin"), { path: `${plane.workDir}/x` }),
  );
  const inner = options.fetch ?? fetch;
  const requests: CountingClient["requests"] = [];
  options.fetch = (request: Request) => {
    const url = new URL(request.url);
    requests.push({
      method: request.method,
      path: url.pathname,
      query: url.search,
      at: performance.now(),
    });
    return inner(rewrite ? rewrite(request) : request);
  };
  return { client: new KubeClient(options), requests };
}

/** The collection path of an all-namespaces informer on `resource`. */
function collectionPath(resource: ResourceDescriptor): string {
  return resource.group === ""
    ? `/api/${resource.version}/${resource.plural}`
    : `/apis/${resource.group}/${resource.version}/${resource.plural}`;
}

const containers = [{ name: "c", image: "registry.invalid/app:1" }];
const template = { metadata: { labels: { app: "seed" } }, spec: { containers } };
const selector = { matchLabels: { app: "seed" } };

/** A valid object of each built-in kind, by plural. */
function seedObject(plural: string, name: string, namespace: string): Record<string, unknown> {
  const metadata = { name, labels: { app: "seed" } };
  switch (plural) {
    case "pods":
      return { metadata, spec: { containers } };
    case "services":
      return { metadata, spec: { ports: [{ port: 80 }], selector: { app: "seed" } } };
    case "endpoints":
      return {
        metadata,
        subsets: [{ addresses: [{ ip: "10.1.2.3" }], ports: [{ port: 80 }] }],
      };
    case "nodes":
      return { metadata: { ...metadata, name: `${namespace}-${name}` } };
    case "configmaps":
      return { metadata, data: { key: "value" } };
    case "secrets":
      return { metadata, type: "Opaque", data: { key: btoa("value") } };
    case "events":
      return {
        metadata,
        involvedObject: { kind: "Pod", name: "p", namespace },
        reason: "Seeded",
        message: "seeded by the informer suite",
        type: "Normal",
      };
    case "replicasets":
    case "deployments":
    case "daemonsets":
      return { metadata, spec: { selector, template } };
    case "statefulsets":
      return { metadata, spec: { selector, template, serviceName: "seed" } };
    case "jobs":
      return {
        metadata,
        spec: { template: { spec: { containers, restartPolicy: "Never" } } },
      };
    case "cronjobs":
      return {
        metadata,
        spec: {
          schedule: "*/30 * * * *",
          jobTemplate: { spec: { template: { spec: { containers, restartPolicy: "Never" } } } },
        },
      };
    case "ingresses":
      return {
        metadata,
        spec: { defaultBackend: { service: { name: "seed", port: { number: 80 } } } },
      };
    case "leases":
      return { metadata, spec: { holderIdentity: "seed" } };
    default:
      throw new Error(`no seed object for ${plural}: add one when a resource is exported`);
  }
}

/** Creates OBJECTS_PER_KIND objects of every exported kind (namespaces: as many fresh ones). */
async function seed(client: KubeClient): Promise<string> {
  const namespace = await freshNamespace(client, "informers");
  for (const resource of BUILTIN_RESOURCES) {
    for (let i = 0; i < OBJECTS_PER_KIND; i++) {
      if (resource.plural === "namespaces") {
        await freshNamespace(client, "informers-extra");
        continue;
      }
      const object = seedObject(resource.plural, `seed-${i}`, namespace) as KubeObject;
      await client.resource(
        resource as ResourceDescriptor<KubeObject>,
        resource.namespaced ? namespace : undefined,
      )
        .create(object);
    }
  }
  return namespace;
}

/** Keys and resourceVersions, sorted. */
function versions(objects: readonly KubeObject[]): string[] {
  return objects.map((o) =>
    `${o.metadata?.namespace ?? ""}/${o.metadata?.name} ${o.metadata?.resourceVersion}`
  ).sort();
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

for (const streamingList of [false, true]) {
  const how = streamingList ? "streaming lists" : "LIST pages";
  Deno.test(
    `[${info.variant}] with ${how}, an informer for every exported resource syncs, equals a fresh LIST, follows changes and stays quiet`,
    (t) => everyInformer(t, streamingList),
  );
}

async function everyInformer(t: Deno.TestContext, streamingList: boolean): Promise<void> {
  const admin = countingClient(info);
  const namespace = await seed(admin.client);
  const { client, requests } = countingClient(info);
  const factory = new SharedInformerFactory(client, { informerOptions: { streamingList } });
  const errors = new Map<string, InformerErrorEvent[]>();
  const informers = BUILTIN_RESOURCES.map((resource) => {
    const informer = factory.informerFor(resource as ResourceDescriptor<KubeObject>);
    const reported: InformerErrorEvent[] = [];
    errors.set(resource.plural, reported);
    informer.setWatchErrorHandler((event) => reported.push(event));
    return { resource, informer };
  });
  const controller = new AbortController();
  const startedAt = performance.now();
  factory.start(controller.signal);
  const rows: string[] = [];
  try {
    const synced = await factory.waitForCacheSync(AbortSignal.timeout(SYNC_TIMEOUT_MS))
      .catch((err) => err);
    const syncMs = performance.now() - startedAt;
    const notSynced = informers.filter(({ informer }) => !informer.hasSynced())
      .map(({ resource }) =>
        `${resource.plural} (errors: ${
          errors.get(resource.plural)!.map((e) => String(e.error)).join("; ") || "none"
        })`
      );
    assertEquals(notSynced, [], `not synced after ${SYNC_TIMEOUT_MS} ms: ${String(synced)}`);

    await t.step("each cache equals a fresh LIST (keys and resourceVersions)", async () => {
      for (const { resource, informer } of informers) {
        let expected: string[] = [];
        const equal = await waitUntil(async () => {
          const list = await admin.client.resource(resource as ResourceDescriptor<KubeObject>)
            .listComplete();
          expected = versions(list.items);
          return JSON.stringify(versions(informer.indexer.list())) === JSON.stringify(expected);
        }, 10_000);
        assert(
          equal,
          `${resource.plural}: cache ${JSON.stringify(versions(informer.indexer.list()))} ` +
            `differs from LIST ${JSON.stringify(expected)}`,
        );
        const seeded = resource.plural === "namespaces" ? OBJECTS_PER_KIND : OBJECTS_PER_KIND;
        assert(informer.indexer.list().length >= seeded, `${resource.plural}: too few objects`);
      }
    });

    await t.step("a create, update and delete reach the cache", async () => {
      const informer = informers.find((i) => i.resource === configMaps)!.informer;
      const api = admin.client.resource(configMaps, namespace);
      const created = await api.create({ metadata: { name: "follow" }, data: { a: "1" } });
      const key = `${namespace}/follow`;
      assert(
        await waitUntil(
          () =>
            Promise.resolve(
              informer.indexer.getByKey(key)?.metadata?.resourceVersion ===
                created.metadata?.resourceVersion,
            ),
          10_000,
        ),
        "create not seen",
      );
      const updated = await api.patch("follow", { data: { a: "2" } }, { type: "merge" });
      assert(
        await waitUntil(
          () =>
            Promise.resolve(
              (informer.indexer.getByKey(key) as ConfigMap | undefined)?.data?.a === "2",
            ),
          10_000,
        ),
        `update to ${updated.metadata?.resourceVersion} not seen`,
      );
      await api.delete("follow");
      assert(
        await waitUntil(
          () => Promise.resolve(informer.indexer.getByKey(key) === undefined),
          10_000,
        ),
        "delete not seen",
      );
    });

    await t.step(
      `every informer stays quiet for ${STEADY_STATE_MS / 1000} s (at most the watch it holds)`,
      async () => {
        const before = requests.length;
        const windowStart = performance.now();
        await new Promise((resolve) => setTimeout(resolve, STEADY_STATE_MS));
        const during = requests.slice(before);
        const loud: string[] = [];
        for (const { resource } of informers) {
          const path = collectionPath(resource);
          const atSync = requests.filter((r) => r.path === path && r.at - startedAt <= syncMs);
          const steady = during.filter((r) => r.path === path);
          const errorCount = errors.get(resource.plural)!.length;
          rows.push(
            `${resource.plural.padEnd(13)} sync requests ${atSync.length}` +
              ` (${
                atSync.map((r) => r.query.includes("watch=true") ? "watch" : "list").join(",")
              })` +
              `, steady-state requests ${steady.length} in ${
                ((performance.now() - windowStart) / 1000).toFixed(1)
              } s, errors reported ${errorCount}`,
          );
          if (steady.length > 1) loud.push(`${resource.plural}: ${steady.length} requests`);
        }
        console.log(
          `[${info.variant}, streamingList ${streamingList}] all ${informers.length} informers synced in ${
            syncMs.toFixed(0)
          } ms\n  ${rows.join("\n  ")}`,
        );
        assertEquals(loud, []);
      },
    );

    await t.step("no informer reported an error other than a refused streaming list", () => {
      const unexpected: string[] = [];
      for (const [plural, reported] of errors) {
        for (const event of reported) {
          const refused = event.recovery === "fallback-to-list" &&
            (event.error as { code?: number }).code !== undefined &&
            [400, 405, 406, 422].includes((event.error as { code: number }).code);
          if (!refused) unexpected.push(`${plural}: ${event.recovery} ${String(event.error)}`);
        }
      }
      assertEquals(unexpected, []);
    });
  } finally {
    controller.abort();
    await factory.shutdown();
    client.close();
    admin.client.close();
  }
}

Deno.test({
  name: `[${info.variant}] a Services informer whose watch requests ask for gzip never loops`,
  ignore: info.variant !== "default",
  fn: async () => {
    const admin = countingClient(info);
    const namespace = await freshNamespace(admin.client, "gzip");
    for (let i = 0; i < 6; i++) {
      await admin.client.resource(services, namespace).create(
        seedObject("services", `svc-${i}`, namespace) as never,
      );
    }
    // What browsers and default fetch configurations send: gzip on every request.
    const { client, requests } = countingClient(info, (request) => {
      const headers = new Headers(request.headers);
      headers.set("accept-encoding", "gzip");
      return new Request(request, { headers });
    });
    const factory = new SharedInformerFactory(client, { informerOptions: { streamingList: true } });
    const informer = factory.informerFor(services);
    const reported: InformerErrorEvent[] = [];
    informer.setWatchErrorHandler((event) => reported.push(event));
    const controller = new AbortController();
    factory.start(controller.signal);
    try {
      const synced = await factory.waitForCacheSync(AbortSignal.timeout(15_000))
        .then(() => true, () => false);
      const since = requests.length;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      console.log(
        `gzip: synced=${synced} after ${since} requests, ` +
          `${requests.length - since} more in 5 s; reported: ${
            reported.map((e) => `${e.recovery} ${(e.error as Error).name}`).join(", ") || "nothing"
          }`,
      );
      assert(synced || reported.length > 0, "neither synced nor reported anything");
      assert(requests.length <= 8, `${requests.length} requests in 20 s: a request loop`);
      assert(requests.length - since <= 1, "still sending requests after the sync");
    } finally {
      controller.abort();
      await factory.shutdown();
      client.close();
      admin.client.close();
    }
  },
});

/** Runs etcdctl against the control plane's etcd; returns stdout. */
async function etcdctl(args: string[]): Promise<string> {
  const output = await new Deno.Command(`${info.binDir}/etcdctl`, {
    args: [`--endpoints=${info.etcdEndpoint}`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`etcdctl ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

Deno.test({
  name:
    `[${info.variant}] an informer recovers from a 410 after etcd compaction with no change lost`,
  // With the watch cache on, compaction alone gives no 410 (the cache keeps 75 s of history).
  ignore: info.variant !== "no-watch-cache",
  fn: async () => {
    const admin = countingClient(info);
    const namespace = await freshNamespace(admin.client, "expired");
    const api = admin.client.resource(configMaps, namespace);
    for (const name of ["keep", "change", "remove"]) {
      await api.create({ metadata: { name }, data: { v: "1" } });
    }
    // Watch responses pass through a body we can end, and new watches can be held back.
    let hold: Promise<void> | undefined;
    let release = () => {};
    const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
    const options = kubeConfigToClientOptions(
      parseKubeConfig(kubeconfigFor(info, "admin"), { path: `${info.workDir}/x` }),
    );
    const inner = options.fetch!;
    options.fetch = async (request: Request) => {
      if (!new URL(request.url).searchParams.has("watch")) return inner(request);
      if (hold) await hold;
      const response = await inner(request);
      if (!response.body) return response;
      const reader = response.body.getReader();
      let own: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          own = controller;
          open.add(controller);
        },
        async pull(controller) {
          try {
            const { value, done } = await reader.read();
            if (done) {
              open.delete(own);
              controller.close();
            } else controller.enqueue(value);
          } catch (err) {
            open.delete(own);
            controller.error(err);
          }
        },
        cancel(reason) {
          open.delete(own);
          return reader.cancel(reason);
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    };
    const client = new KubeClient(options);
    const factory = new SharedInformerFactory(client, { namespace });
    const informer = factory.informerFor(configMaps);
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (cm, initial) => seen.push(`add ${cm.metadata?.name}${initial ? " initial" : ""}`),
      onUpdate: (_old, cm) => seen.push(`update ${cm.metadata?.name} ${cm.data?.v}`),
      onDelete: (cm) =>
        seen.push(`delete ${"obj" in cm ? `${cm.key} (tombstone)` : cm.metadata?.name}`),
    });
    const reported: InformerErrorEvent[] = [];
    informer.setWatchErrorHandler((event) => reported.push(event));
    const controller = new AbortController();
    factory.start(controller.signal);
    try {
      await factory.waitForCacheSync(AbortSignal.timeout(SYNC_TIMEOUT_MS));
      assert(await waitUntil(() => Promise.resolve(open.size === 1), 10_000), "no watch opened");
      // A change through the watch makes it a healthy one, which is re-opened at once when cut.
      await api.create({ metadata: { name: "before-cut" }, data: { v: "1" } });
      assert(await waitUntil(() => Promise.resolve(seen.includes("add before-cut")), 10_000));
      const syncedAt = informer.lastSyncResourceVersion();
      hold = new Promise((resolve) => release = resolve);
      for (const stream of open) stream.close();
      open.clear();
      await api.create({ metadata: { name: "new" }, data: { v: "1" } });
      await api.patch("change", { data: { v: "2" } });
      await api.delete("remove");
      const status = JSON.parse(await etcdctl(["endpoint", "status", "-w", "json"]));
      const revision = status[0].Status.header.revision;
      await etcdctl(["compact", String(revision)]);
      release();
      hold = undefined;
      const expected = [
        "add change initial",
        "add keep initial",
        "add remove initial",
        "add before-cut",
        "add new",
        "update change 2",
        "delete remove",
      ];
      const done = await waitUntil(async () => {
        const list = await api.list();
        return JSON.stringify(versions(informer.indexer.list())) ===
            JSON.stringify(versions(list.items)) && seen.length >= expected.length;
      }, 20_000);
      assert(done, `cache never matched the LIST; seen ${JSON.stringify(seen)}`);
      const expiredReports = reported.filter((e) => (e.error as { code?: number }).code === 410);
      assert(
        expiredReports.length > 0 && expiredReports.every((e) => e.recovery === "relist"),
        `no 410 was reported as a relist (synced at ${syncedAt}, compacted at ${revision}): ${
          reported.map((e) => `${e.recovery} ${String(e.error)}`).join("; ")
        }`,
      );
      const normalise = (line: string) => line.replace(/ \(tombstone\)$/, "").replace(/\S+\//, "");
      assert(seen.slice(0, 3).every((line) => line.endsWith(" initial")), seen.join(", "));
      assertEquals(seen.map(normalise).sort(), [...expected].sort());
    } finally {
      release();
      controller.abort();
      await factory.shutdown();
      client.close();
      admin.client.close();
    }
  },
});

Deno.test({
  name:
    `[${info.variant}] a forbidden informer reports 403s naming verb and resource, with growing backoff`,
  ignore: info.variant !== "default",
  fn: async () => {
    const options = kubeConfigToClientOptions(
      parseKubeConfig(kubeconfigFor(info, "viewer"), { path: `${info.workDir}/x` }),
    );
    const inner = options.fetch!;
    const requests: number[] = [];
    options.fetch = (request: Request) => {
      requests.push(performance.now());
      return inner(request);
    };
    const client = new KubeClient(options);
    const factory = new SharedInformerFactory(client);
    const informer = factory.informerFor(configMaps);
    const reported: InformerErrorEvent[] = [];
    informer.setWatchErrorHandler((event) => reported.push(event));
    const controller = new AbortController();
    const started = performance.now();
    factory.start(controller.signal);
    try {
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      assert(!informer.hasSynced());
      assert(reported.length >= 2, `only ${reported.length} errors reported`);
      for (const event of reported) {
        const message = String(event.error);
        assert(/\b403\b|forbidden/i.test(message), message);
        assert(/cannot (list|watch) resource "configmaps"/.test(message), message);
      }
      const delays = reported.map((e) => e.delayMs);
      assert(delays.every((d) => d > 0), `a retry without delay: ${delays}`);
      assert(delays.at(-1)! > delays[0]!, `the backoff does not grow: ${delays}`);
      // 0.8 s doubling with up to 100% jitter: no more than a handful of requests in 8 s.
      assert(requests.length <= 6, `${requests.length} requests in 8 s`);
      console.log(
        `403: ${requests.length} requests in ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s, delays ${delays.join(", ")} ms`,
      );
    } finally {
      controller.abort();
      await factory.shutdown();
      client.close();
    }
  },
});

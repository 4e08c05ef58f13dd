/**
 * Every generated resource against a real kube-apiserver: an informer on each resource whose
 * verbs include `list` and `watch` syncs and equals a fresh LIST, the descriptors agree with
 * the server's discovery, and a custom resource goes the whole way: its CRD is created, types
 * are generated from the cluster with the `gen:crd` command line, and an informer on the
 * generated descriptor sees the object created through it.
 *
 * @module
 */

import {
  type InformerErrorEvent,
  type KubeObject,
  KUBERNETES_RESOURCES,
  type ResourceDescriptor,
  SharedInformerFactory,
} from "../../mod.ts";
import { parseCrdCliArgs, runCrdCli } from "../../src/codegen/crd_cli.ts";
import { parseCrdDocuments } from "../../src/codegen/crd_types.ts";
import { cliProcess } from "../../src/runtime/cli_process.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { clientFor, controlPlane, freshNamespace, rawFetch } from "./_cluster.ts";

const info = controlPlane();
const SYNC_TIMEOUT_MS = 30_000;
const root = new URL("../../", import.meta.url);

const listable = KUBERNETES_RESOURCES.filter((r) =>
  r.verbs.includes("list") && r.verbs.includes("watch")
);

Deno.test("the generated descriptors match the server's discovery", async () => {
  const raw = rawFetch(info);
  try {
    const served = new Map<string, { namespaced: boolean; kind: string; verbs: string[] }>();
    for (const path of ["/api/v1", ...await groupVersions(raw.fetch)]) {
      const list = await (await raw.fetch(path)).json() as {
        groupVersion: string;
        resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[];
      };
      for (const r of list.resources) {
        if (!r.name.includes("/")) served.set(`${list.groupVersion}/${r.name}`, r);
      }
    }
    const mismatches: string[] = [];
    for (const d of KUBERNETES_RESOURCES) {
      const s = served.get(`${d.apiVersion}/${d.plural}`);
      const ours = JSON.stringify([d.namespaced, d.kind, [...d.verbs].sort()]);
      const theirs = s && JSON.stringify([s.namespaced, s.kind, [...s.verbs].sort()]);
      if (ours !== theirs) mismatches.push(`${d.apiVersion}/${d.plural}: ${ours} vs ${theirs}`);
    }
    assertEquals(mismatches, []);
    assertEquals(KUBERNETES_RESOURCES.length, served.size);
  } finally {
    raw.close();
  }
});

async function groupVersions(
  fetchPath: (path: string) => Promise<Response>,
): Promise<string[]> {
  const groups = await (await fetchPath("/apis")).json() as {
    groups: { preferredVersion: { groupVersion: string } }[];
  };
  return groups.groups.map((g) => `/apis/${g.preferredVersion.groupVersion}`);
}

Deno.test(`an informer on each of the ${listable.length} listable resources syncs and equals a LIST`, async () => {
  const client = clientFor(info);
  const namespace = await freshNamespace(client, "all");
  await client.resource(KUBERNETES_RESOURCES.find((r) => r.plural === "configmaps")!, namespace)
    .create({ metadata: { name: "seed" } });
  const factory = new SharedInformerFactory(client);
  const errors = new Map<string, InformerErrorEvent[]>();
  const informers = listable.map((resource) => {
    const informer = factory.informerFor(resource as ResourceDescriptor<KubeObject>);
    const reported: InformerErrorEvent[] = [];
    errors.set(resource.apiVersion + "/" + resource.plural, reported);
    informer.setWatchErrorHandler((event) => reported.push(event));
    return { resource, informer };
  });
  const controller = new AbortController();
  factory.start(controller.signal);
  try {
    await factory.waitForCacheSync(AbortSignal.timeout(SYNC_TIMEOUT_MS)).catch(() => undefined);
    const notSynced = informers.filter(({ informer }) => !informer.hasSynced()).map(
      ({ resource }) =>
        `${resource.apiVersion}/${resource.plural}: ${
          errors.get(resource.apiVersion + "/" + resource.plural)!.map((e) => String(e.error))
            .join("; ")
        }`,
    );
    assertEquals(notSynced, []);
    const differing: string[] = [];
    for (const { resource, informer } of informers) {
      const list = await client.resource(resource as ResourceDescriptor<KubeObject>).listComplete();
      const keys = (objects: readonly KubeObject[]) =>
        objects.map((o) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name}`).sort().join();
      // Leases and events of the server's own components move; compare once more on a miss.
      if (keys(list.items) !== keys(informer.indexer.list())) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const again = await client.resource(resource as ResourceDescriptor<KubeObject>)
          .listComplete();
        if (keys(again.items) !== keys(informer.indexer.list())) differing.push(resource.plural);
      }
    }
    assertEquals(differing, []);
    const nonEmpty = informers.filter(({ informer }) => informer.indexer.list().length > 0);
    assert(nonEmpty.length >= 8, `only ${nonEmpty.length} caches hold objects`);
  } finally {
    controller.abort();
    await factory.shutdown();
  }
});

Deno.test("a custom resource: CRD created, types generated from the cluster, informer synced", async () => {
  const client = clientFor(info);
  const crds = KUBERNETES_RESOURCES.find((r) => r.kind === "CustomResourceDefinition")!;
  const cli = cliProcess()!;
  const crdFile = new URL("tests/_fixtures/crds/certificate.yaml", root).pathname;
  const [crd] = parseCrdDocuments(await Deno.readTextFile(crdFile), crdFile);
  await client.resource(crds).create(crd as unknown as KubeObject).catch((err) => {
    if (err?.status !== 409) throw err;
  });
  const name = "certificates.certs.kubesnap.test";
  const established = await waitFor(async () => {
    const got = await client.resource(crds).get(name) as {
      status?: { conditions?: { type: string; status: string }[] };
    };
    return got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ===
      true;
  });
  assert(established, "CRD not established");

  const dir = await Deno.makeTempDir({ prefix: "kubesnap-all-kinds-" });
  try {
    const out = `${dir}/certificate.ts`;
    await runCrdCli(
      parseCrdCliArgs([
        "--crd",
        name,
        "--kubeconfig",
        info.kubeconfig,
        "--out",
        out,
        "--import",
        new URL("mod.ts", root).href,
      ]),
      cli,
    );
    const generated = await import(`file://${out}`) as {
      certificates: ResourceDescriptor<KubeObject & { spec?: { secretName: string } }>;
    };
    assertEquals(generated.certificates.apiVersion, "certs.kubesnap.test/v1");
    const namespace = await freshNamespace(client, "crd");
    await client.resource(generated.certificates, namespace).create(
      {
        metadata: { name: "web" },
        spec: { secretName: "web-tls", issuerRef: { name: "ca" } },
      } as KubeObject & { spec: { secretName: string } },
    );
    const factory = new SharedInformerFactory(client, { namespace });
    const informer = factory.informerFor(generated.certificates);
    const controller = new AbortController();
    factory.start(controller.signal);
    try {
      await factory.waitForCacheSync(AbortSignal.timeout(SYNC_TIMEOUT_MS));
      assertEquals(informer.indexer.getByKey(`${namespace}/web`)?.spec?.secretName, "web-tls");
    } finally {
      controller.abort();
      await factory.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

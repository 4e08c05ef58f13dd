/**
 * The article's last snippet: the same factory makes informers for other
 * resources, here ReplicaSets and Services, which work like the pods
 * informer. Started together, synced together; the caches then answer
 * questions across resources without a single request.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/more_informers.ts
 * ```
 *
 * @module
 */

import { pods, replicaSets, services, SharedInformerFactory } from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";

const server = await FakeApiServer.start();
const labels = { app: "web", "pod-template-hash": "7d4b9c8f6" };
const rs = server.create(replicaSets, {
  metadata: { namespace: "default", name: "web-7d4b9c8f6", labels },
  spec: { replicas: 2, selector: { matchLabels: labels } },
  status: { replicas: 2 },
});
const replicas: [string, string][] = [
  ["web-7d4b9c8f6-x2k4q", "10.244.0.6"],
  ["web-7d4b9c8f6-mn9zt", "10.244.1.4"],
];
for (const [name, ip] of replicas) {
  server.create(pods, {
    metadata: {
      namespace: "default",
      name,
      labels,
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: "web-7d4b9c8f6",
        uid: rs.metadata?.uid ?? "",
        controller: true,
      }],
    },
    spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  });
}
server.create(services, {
  metadata: { namespace: "default", name: "web" },
  spec: { selector: { app: "web" }, clusterIP: "10.96.0.20", ports: [{ port: 80 }] },
});
const client = server.client();

const factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 });
const podsInformer = factory.informerFor(pods);
const replicaSetInformer = factory.informerFor(replicaSets);
const servicesInformer = factory.informerFor(services);
console.log(`same informer for the same resource: ${factory.informerFor(pods) === podsInformer}`);
replicaSetInformer.addEventHandler({
  onAdd: (r) => console.log(`ADDED replicaset with name ${r.metadata?.name}`),
  onUpdate: (_old, r) =>
    console.log(`MODIFIED replicaset with name ${r.metadata?.name}, replicas ${r.spec?.replicas}`),
});
servicesInformer.addEventHandler({
  onAdd: (s) => console.log(`ADDED service with name ${s.metadata?.name}`),
});

const ac = new AbortController();
try {
  factory.start(ac.signal);
  const synced = await factory.waitForCacheSync(ac.signal);
  console.log(`synced: ${[...synced].map(([i, ok]) => `${i.resource.plural}=${ok}`).join(" ")}`);

  // Which pods does the Service select, and which ReplicaSet owns them?
  const service = servicesInformer.lister().namespace("default").get("web");
  const selected = podsInformer.lister().namespace("default").list(service.spec?.selector ?? {});
  for (const pod of selected) {
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller)?.name ?? "-";
    const ownerRS = replicaSetInformer.indexer.getByKey(`default/${owner}`);
    console.log(
      `service web -> pod ${pod.metadata?.name} (${pod.status?.podIP}) owned by replicaset ` +
        `${ownerRS?.metadata?.name} (${ownerRS?.spec?.replicas} replicas)`,
    );
  }

  // Scaling shows up in the ReplicaSet cache as well.
  rs.spec!.replicas = 3;
  server.replace(replicaSets, rs);
  while (replicaSetInformer.indexer.getByKey("default/web-7d4b9c8f6")?.spec?.replicas !== 3) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
} finally {
  ac.abort();
  await factory.shutdown();
  client.close();
  await server.close();
}

/**
 * The article's index by IP: an extra index on the pods informer, added
 * before start, then `byIndex("byIP", ip)` answers which pods have an IP.
 * Usually one pod or none; host-networked pods all share their node's IP,
 * so that IP finds all of them.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/index_by_ip.ts
 * ```
 *
 * @module
 */

import { type Pod, pods, SharedInformerFactory } from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";

const NODE_IP = "192.168.49.10";

function podAt(namespace: string, name: string, ip: string, hostNetwork = false): Pod {
  return {
    metadata: { namespace, name },
    spec: { nodeName: "node-a", hostNetwork, containers: [{ name: "app", image: "busybox" }] },
    status: { phase: "Running", hostIP: NODE_IP, podIP: ip, podIPs: [{ ip }] },
  };
}

const server = await FakeApiServer.start();
server.create(pods, podAt("default", "web-7d4b9c8f6-x2k4q", "10.244.0.6"));
server.create(pods, podAt("shop", "cart-6c9d8b7f5-p8w2m", "10.244.0.7"));
// Host-networked pods: their pod IP is the node's IP.
server.create(pods, podAt("kube-system", "kube-apiserver-node-a", NODE_IP, true));
server.create(pods, podAt("kube-system", "kube-proxy-7qqsz", NODE_IP, true));
server.create(pods, podAt("monitoring", "node-exporter-wjks6", NODE_IP, true));
const client = server.client();

const factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 });
const podsInformer = factory.informerFor(pods);

// An arbitrary unique name for the new index; its function returns the
// values a pod is indexed under: all of its IPs.
const BY_IP = "byIP";
podsInformer.addIndexers({
  [BY_IP]: (pod) => (pod.status?.podIPs ?? []).map((ip) => ip.ip),
});

const names = (found: Pod[]) => found.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
const ac = new AbortController();
try {
  factory.start(ac.signal);
  await factory.waitForCacheSync(ac.signal);

  for (const ip of ["10.244.0.7", "10.0.0.99", NODE_IP]) {
    const items = podsInformer.indexer.byIndex(BY_IP, ip);
    console.log(
      `byIndex("${BY_IP}", "${ip}") -> ${items.length} pods ${JSON.stringify(names(items))}`,
    );
  }
  console.log(`indexed IPs: ${podsInformer.indexer.listIndexFuncValues(BY_IP).sort().join(", ")}`);

  // The index follows the cluster: one more host-networked pod on the node.
  server.create(pods, podAt("monitoring", "node-exporter-p4wb5", NODE_IP, true));
  while (podsInformer.indexer.byIndex(BY_IP, NODE_IP).length < 4) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(
    `after a new host-networked pod: ${
      podsInformer.indexer.byIndex(BY_IP, NODE_IP).length
    } pods share ${NODE_IP}`,
  );
} finally {
  ac.abort();
  await factory.shutdown();
  client.close();
  await server.close();
}

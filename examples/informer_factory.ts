/**
 * The article's informer factory: one factory, a pods informer, start,
 * wait for the cache, then read pods from memory by `namespace/name`.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/informer_factory.ts
 * ```
 *
 * @module
 */

import { type Pod, pods, SharedInformerFactory } from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";

function runningPod(namespace: string, name: string, ip: string): Pod {
  return {
    metadata: { namespace, name },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  };
}

const server = await FakeApiServer.start();
server.create(pods, runningPod("default", "web-7d4b9c8f6-x2k4q", "10.244.0.6"));
server.create(pods, runningPod("shop", "cart-6c9d8b7f5-p8w2m", "10.244.1.7"));
const client = server.client();

// Resyncing the in-memory copy every 10 minutes.
const factory = new SharedInformerFactory(client, { resyncPeriodMs: 10 * 60_000 });
const podsInformer = factory.informerFor(pods);
podsInformer.addEventHandler({
  onAdd: (pod) => console.log(`ADDED pod with name ${pod.metadata?.name}`),
  onUpdate: (_old, pod) => console.log(`MODIFIED pod with name ${pod.metadata?.name}`),
});

// Runs in the background until the signal aborts.
const ac = new AbortController();
try {
  factory.start(ac.signal);
  await factory.waitForCacheSync(ac.signal);
  console.log(`synced: ${podsInformer.indexer.size} pods in memory`);

  // By default objects are keyed by namespace/name.
  const [namespace, name] = ["shop", "cart-6c9d8b7f5-p8w2m"];
  const pod = podsInformer.indexer.getByKey(namespace + "/" + name);
  console.log("The Pod IP is", pod?.status?.podIP);

  // The cache stays current: a change in the cluster reaches it by itself.
  server.replace(pods, runningPod("shop", "cart-6c9d8b7f5-p8w2m", "10.244.1.8"));
  while (podsInformer.indexer.getByKey(`${namespace}/${name}`)?.status?.podIP !== "10.244.1.8") {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(
    "The Pod IP is now",
    podsInformer.indexer.getByKey(`${namespace}/${name}`)?.status?.podIP,
  );
} finally {
  ac.abort(); // what closing stopCh does in Go
  await factory.shutdown();
  client.close();
  await server.close();
}

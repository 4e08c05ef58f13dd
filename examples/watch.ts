/**
 * The article's watch loop: every change of every pod, decoded as it
 * arrives, printed as `ADDED pod with name …`. This is what an informer
 * does for you (plus the cache, the indexes and the recovery).
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/watch.ts
 * ```
 *
 * @module
 */

import { type Pod, pods } from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";

function pod(namespace: string, name: string): Pod {
  return {
    metadata: { namespace, name },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    status: { phase: "Pending" },
  };
}

const server = await FakeApiServer.start();
const initial = [
  pod("default", "apiserver-86b697ffcb-424gl"),
  pod("default", "web-7d4b9c8f6-x2k4q"),
  pod("monitoring", "node-exporter-wjks6"),
];
for (const p of initial) server.create(pods, p);
const client = server.client();
const ac = new AbortController();

try {
  // A watch without a resourceVersion starts with an ADDED event for every
  // existing pod, then reports changes.
  let seen = 0;
  for await (const event of client.resource(pods).watch({ signal: ac.signal })) {
    if (event.type === "BOOKMARK" || event.type === "ERROR") continue;
    console.log(`${event.type} pod with name ${event.object.metadata?.name}`);
    seen++;
    if (seen === initial.length) {
      // The initial pods are in: change the cluster while we watch.
      const started = initial[1]!;
      started.status = { phase: "Running", podIP: "10.244.0.6", podIPs: [{ ip: "10.244.0.6" }] };
      server.replace(pods, started);
      server.create(pods, pod("default", "web-7d4b9c8f6-mn9zt"));
      server.delete(pods, "monitoring", "node-exporter-wjks6");
    }
    if (event.type === "DELETED") break; // leaving the loop closes the watch
  }
} finally {
  ac.abort();
  client.close();
  await server.close();
}

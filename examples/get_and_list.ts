/**
 * The article's first snippet: get one pod by name, then list the pods of
 * every namespace, with plain REST calls.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/get_and_list.ts
 * ```
 *
 * Against a real cluster, replace the fake server with
 * `const client = await KubeClient.autoDetect();`.
 *
 * @module
 */

import { type Pod, pods } from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";

function runningPod(namespace: string, name: string, ip: string): Pod {
  return {
    metadata: { namespace, name, labels: { app: name.split("-")[0]! } },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    status: { phase: "Running", podIP: ip, podIPs: [{ ip }] },
  };
}

const server = await FakeApiServer.start(); // 127.0.0.1, a free port
server.create(pods, runningPod("default", "pod-name", "10.244.0.5"));
server.create(pods, runningPod("default", "web-7d4b9c8f6-x2k4q", "10.244.0.6"));
server.create(pods, runningPod("kube-system", "coredns-5d78c9869d-4kqzp", "10.244.1.2"));
const client = server.client();

try {
  // Gets the information of a given pod in the default namespace.
  const pod = await client.resource(pods, "default").get("pod-name");
  console.log(
    `got pod ${pod.metadata?.namespace}/${pod.metadata?.name}, phase ${pod.status?.phase}`,
  );

  // Gets the information of all the currently existing pods in all the namespaces.
  const list = await client.resource(pods).list();
  console.log(
    `listed ${list.items.length} pods at resourceVersion ${list.metadata.resourceVersion}`,
  );
  for (const p of list.items) console.log(`  ${p.metadata?.namespace}/${p.metadata?.name}`);
} finally {
  client.close();
  await server.close();
}

/**
 * An operator: for every Deployment it keeps a ConfigMap `<name>-pods` that
 * sums up the Deployment's pods by phase (pods are owned by ReplicaSets,
 * which are owned by Deployments). Two replicas run under leader election
 * on a Lease: one reconciles, the other waits and takes over when the first
 * stops.
 *
 * ```sh
 * deno task example:controller                    # an embedded fake cluster, both replicas here
 * deno run --allow-net --allow-read --allow-env examples/controller.ts --kubeconfig ~/.kube/config
 * ```
 *
 * With `--kubeconfig`, run it twice (each process is one replica; `--identity NAME` names it).
 *
 * @module
 */

import {
  type ConfigMap,
  configMaps,
  Controller,
  controllerOwnerKey,
  type Deployment,
  deployments,
  KubeClient,
  parseKubeConfig,
  type Pod,
  pods,
  replicaSets,
  SharedInformerFactory,
} from "../mod.ts";
import { FakeApiServer } from "../src/testing/mod.ts";
import { FakeCluster } from "./_fake_cluster.ts";

/** One replica of the operator; resolves once `signal` aborts and it has stopped. */
async function replica(client: KubeClient, identity: string, signal: AbortSignal, fast: boolean) {
  const factory = new SharedInformerFactory(client);
  const rsInformer = factory.informerFor(replicaSets);
  const podInformer = factory.informerFor(pods);
  const cms = factory.informerFor(configMaps);
  // A pod belongs to the Deployment that owns its ReplicaSet.
  const deploymentOf = (pod: Pod) => {
    const rsKey = controllerOwnerKey(pod, replicaSets);
    const rs = rsKey === undefined ? undefined : rsInformer.indexer.getByKey(rsKey);
    return rs === undefined ? undefined : controllerOwnerKey(rs, deployments);
  };
  const controller = new Controller<Deployment>({
    factory,
    resource: deployments,
    owns: [replicaSets, configMaps],
    watches: [{
      resource: pods,
      map: (pod: Pod) => {
        const key = deploymentOf(pod);
        return key === undefined ? [] : [key];
      },
    }],
    workers: 2,
    reconcile: async (key, { signal }) => {
      const deployment = factory.informerFor(deployments).indexer.getByKey(key);
      if (deployment === undefined) return; // its ConfigMap goes with it (owner reference)
      const [namespace, name] = key.split("/") as [string, string];
      const phases = new Map<string, number>();
      for (const pod of podInformer.indexer.byIndex("namespace", namespace)) {
        if (deploymentOf(pod) !== key) continue;
        const phase = pod.status?.phase ?? "Unknown";
        phases.set(phase, (phases.get(phase) ?? 0) + 1);
      }
      const total = [...phases.values()].reduce((a, b) => a + b, 0);
      const data: Record<string, string> = { pods: String(total) };
      for (const phase of [...phases.keys()].sort()) data[phase] = String(phases.get(phase));
      const existing = cms.indexer.getByKey(`${namespace}/${name}-pods`);
      const old = existing?.data ?? {};
      const same = Object.keys(old).length === Object.keys(data).length &&
        Object.entries(data).every(([k, v]) => old[k] === v);
      if (same) return;
      const api = client.resource(configMaps, namespace);
      const owner = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name,
        uid: deployment.metadata!.uid!,
        controller: true,
      };
      const cm: ConfigMap = { metadata: { name: `${name}-pods`, ownerReferences: [owner] }, data };
      if (existing) {
        await api.replace({ ...cm, metadata: { ...existing.metadata, ...cm.metadata } }, {
          signal,
        });
      } else await api.create(cm, { signal });
      console.log(`${identity}: ${key} ${JSON.stringify(data)}`);
    },
  });
  const timings = fast ? { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 } : {};
  await controller.run(signal, {
    leaderElection: {
      lock: { client, namespace: "default", name: "pod-summary-operator" },
      identity,
      ...timings,
      onNewLeader: (leader) => console.log(`${identity}: the leader is ${leader}`),
    },
  });
  await factory.shutdown();
}

const args = Deno.args;
const kubeconfig = args.includes("--kubeconfig")
  ? args[args.indexOf("--kubeconfig") + 1]
  : undefined;
if (kubeconfig !== undefined) {
  // A real cluster: this process is one replica; run another to see the election.
  const identity = args.includes("--identity")
    ? args[args.indexOf("--identity") + 1]!
    : `replica-${crypto.randomUUID().slice(0, 8)}`;
  const client = KubeClient.fromKubeConfig(
    parseKubeConfig(await Deno.readTextFile(kubeconfig), { path: kubeconfig }),
  );
  const ac = new AbortController();
  Deno.addSignalListener("SIGINT", () => ac.abort());
  await replica(client, identity, ac.signal, false);
  client.close();
} else {
  // The embedded fake cluster, with both replicas in this process.
  const server = await FakeApiServer.start();
  const cluster = new FakeCluster(server);
  cluster.seed();
  const client = server.client();
  const summaries = () =>
    server.list(configMaps).filter((cm) => cm.metadata?.name?.endsWith("-pods")).length;
  const wait = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const a = new AbortController();
  const runningA = replica(client, "replica-a", a.signal, true);
  await wait(() => summaries() === 5);
  const b = new AbortController();
  const runningB = replica(client, "replica-b", b.signal, true);
  for (let i = 0; i < 20; i++) cluster.step(); // pods start, crash and get replaced
  await new Promise((resolve) => setTimeout(resolve, 500));
  console.log("stopping replica-a");
  a.abort();
  await runningA;
  for (let i = 0; i < 20; i++) cluster.step();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  b.abort();
  await runningB;
  console.log(`${summaries()} ConfigMaps summarise ${server.list(deployments).length} Deployments`);
  client.close();
  await server.close();
}

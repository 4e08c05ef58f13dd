/**
 * A small simulated cluster for the demo: namespaces, nodes, Deployments
 * with their ReplicaSets and pods, Services, and host-networked DaemonSet
 * pods that share their node's IP. {@linkcode FakeCluster.churn} then keeps
 * changing it the way a busy cluster changes: pods start, crash, get
 * replaced and replica sets scale.
 *
 * Everything is written straight into a {@linkcode FakeApiServer}, so every
 * change reaches watching clients as a watch event.
 *
 * @module
 */

import type { DaemonSet, Deployment, Namespace, Node, Pod, ReplicaSet } from "../mod.ts";
import { daemonSets, deployments, namespaces, nodes, pods, replicaSets, services } from "../mod.ts";
import type { FakeApiServer } from "../src/testing/mod.ts";

/** Options of {@linkcode FakeCluster}. */
export interface FakeClusterOptions {
  /** Seed of the simulation's randomness (names, choices). @default {7} */
  seed?: number | undefined;
}

/** A node of the simulated cluster. */
interface SimNode {
  name: string;
  ip: string;
  /** The first three octets of the node's pod network, such as `10.244.1`. */
  podNet: string;
  /** Host octets in use on the pod network. */
  used: Set<number>;
}

/** A Deployment and the one ReplicaSet that runs its pods. */
interface SimWorkload {
  namespace: string;
  name: string;
  image: string;
  port: number;
  deployment: Deployment;
  replicaSet: ReplicaSet;
  hash: string;
  pods: Set<string>;
}

/** A DaemonSet whose pods use the node's network. */
interface SimDaemon {
  namespace: string;
  name: string;
  image: string;
  daemonSet: DaemonSet;
  /** Pod name per node name. */
  podByNode: Map<string, string>;
}

const NAMESPACES = ["default", "kube-system", "shop", "monitoring"];

const NODES: readonly { name: string; ip: string; podNet: string }[] = [
  { name: "node-a", ip: "192.168.49.10", podNet: "10.244.0" },
  { name: "node-b", ip: "192.168.49.11", podNet: "10.244.1" },
  { name: "node-c", ip: "192.168.49.12", podNet: "10.244.2" },
];

const WORKLOADS: readonly {
  namespace: string;
  name: string;
  image: string;
  port: number;
  replicas: number;
}[] = [
  { namespace: "default", name: "web", image: "nginx:1.27", port: 80, replicas: 2 },
  { namespace: "shop", name: "frontend", image: "shop/frontend:2.4.1", port: 8080, replicas: 3 },
  { namespace: "shop", name: "cart", image: "shop/cart:1.9.0", port: 8080, replicas: 2 },
  {
    namespace: "kube-system",
    name: "coredns",
    image: "coredns/coredns:1.11.3",
    port: 53,
    replicas: 2,
  },
  {
    namespace: "monitoring",
    name: "grafana",
    image: "grafana/grafana:11.2.0",
    port: 3000,
    replicas: 1,
  },
];

const DAEMONS: readonly { namespace: string; name: string; image: string }[] = [
  { namespace: "kube-system", name: "kube-proxy", image: "registry.k8s.io/kube-proxy:v1.31.0" },
  { namespace: "monitoring", name: "node-exporter", image: "prom/node-exporter:v1.8.2" },
];

/** Characters Kubernetes uses in generated name suffixes (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

const MIN_REPLICAS = 1;
const MAX_REPLICAS = 5;

/** A tiny seeded xorshift generator: the same seed gives the same cluster and churn. */
function seededRandom(seed: number): () => number {
  let state = (seed >>> 0) || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/**
 * The simulated cluster. Build it with {@linkcode FakeCluster.seed}, then
 * run {@linkcode FakeCluster.churn} in the background.
 */
export class FakeCluster {
  readonly #server: FakeApiServer;
  readonly #random: () => number;
  readonly #nodes: SimNode[];
  readonly #workloads: SimWorkload[] = [];
  readonly #daemons: SimDaemon[] = [];
  /** Keys (`namespace/name`) of pods waiting to start. */
  readonly #pending = new Set<string>();
  /** Keys of pods that crashed and wait to be replaced. */
  readonly #failed = new Set<string>();
  #changes = 0;

  /**
   * Creates the simulation (nothing is written until {@linkcode FakeCluster.seed}).
   *
   * @param server The server to write into.
   * @param options The seed.
   */
  constructor(server: FakeApiServer, options: FakeClusterOptions = {}) {
    this.#server = server;
    this.#random = seededRandom(options.seed ?? 7);
    this.#nodes = NODES.map((n) => ({ ...n, used: new Set<number>() }));
  }

  /** Changes written by {@linkcode FakeCluster.churn} so far. */
  get changes(): number {
    return this.#changes;
  }

  /** What the seeded cluster holds, for the demo's banner. */
  get summary(): string {
    const podCount = this.#server.list(pods).length;
    return `${NAMESPACES.length} namespaces, ${this.#nodes.length} nodes, ` +
      `${this.#workloads.length} deployments, ${this.#server.list(services).length} services, ` +
      `${podCount} pods`;
  }

  /** The node IPs, each shared by the host-networked pods of that node. */
  get nodeIPs(): string[] {
    return this.#nodes.map((n) => n.ip);
  }

  /**
   * Writes the initial cluster: namespaces, nodes, workloads (most pods
   * Running, a few Pending), Services, and the host-networked DaemonSet pods
   * plus a static `kube-apiserver` pod on the first node.
   */
  seed(): void {
    for (const name of NAMESPACES) {
      const ns: Namespace = { metadata: { name }, status: { phase: "Active" } };
      this.#server.create(namespaces, ns);
    }
    for (const node of this.#nodes) {
      const object: Node = {
        metadata: { name: node.name, labels: { "kubernetes.io/hostname": node.name } },
        spec: { podCIDR: `${node.podNet}.0/24` },
        status: {
          addresses: [
            { type: "InternalIP", address: node.ip },
            { type: "Hostname", address: node.name },
          ],
          conditions: [{ type: "Ready", status: "True" }],
        },
      };
      this.#server.create(nodes, object);
    }
    this.#server.create(services, {
      metadata: { namespace: "default", name: "kubernetes", labels: { component: "apiserver" } },
      spec: { type: "ClusterIP", clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443 }] },
    });
    for (const [i, spec] of WORKLOADS.entries()) {
      const workload = this.#createWorkload(spec, i);
      for (let r = 0; r < spec.replicas; r++) {
        // A few pods start out Pending; the churn starts them.
        this.#createWorkloadPod(workload, r === 0 && i % 2 === 1 ? "Pending" : "Running");
      }
    }
    for (const spec of DAEMONS) {
      const daemon = this.#createDaemon(spec);
      for (const node of this.#nodes) this.#createDaemonPod(daemon, node);
    }
    const first = this.#nodes[0]!;
    this.#server.create(
      pods,
      hostNetworkPod("kube-system", `kube-apiserver-${first.name}`, first, {
        labels: { component: "kube-apiserver", tier: "control-plane" },
        image: "registry.k8s.io/kube-apiserver:v1.31.0",
      }),
    );
  }

  /**
   * Changes the cluster every `intervalMs` until `signal` aborts: starts
   * Pending pods, crashes Running ones, replaces crashed ones, scales
   * replica sets up and down, and restarts DaemonSet pods.
   *
   * @param signal Stops the churn.
   * @param intervalMs Time between two changes. @default {250}
   * @returns Resolves once stopped.
   */
  async churn(signal: AbortSignal, intervalMs = 250): Promise<void> {
    while (!signal.aborted) {
      this.step();
      await sleep(intervalMs, signal);
    }
  }

  /** Makes one change. */
  step(): void {
    this.#changes++;
    const roll = this.#random();
    if (this.#pending.size > 0 && roll < 0.35) return this.#startPending();
    if (this.#failed.size > 0 && roll < 0.5) return this.#replaceFailed();
    if (roll < 0.65) return this.#crashRunning();
    if (roll < 0.9) return this.#scale();
    return this.#restartDaemonPod();
  }

  #pick<T>(items: readonly T[]): T | undefined {
    return items[Math.floor(this.#random() * items.length)];
  }

  #suffix(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) {
      out += SUFFIX_ALPHABET[Math.floor(this.#random() * SUFFIX_ALPHABET.length)];
    }
    return out;
  }

  #allocateIP(node: SimNode): string {
    for (let host = 2; host < 255; host++) {
      if (!node.used.has(host)) {
        node.used.add(host);
        return `${node.podNet}.${host}`;
      }
    }
    throw new RangeError(`node ${node.name} has no free pod IP`);
  }

  #releaseIP(ip: string | undefined): void {
    if (ip === undefined) return;
    const node = this.#nodes.find((n) => ip.startsWith(`${n.podNet}.`));
    node?.used.delete(Number(ip.slice(node.podNet.length + 1)));
  }

  #createWorkload(spec: (typeof WORKLOADS)[number], index: number): SimWorkload {
    const labels = { app: spec.name };
    const template = {
      metadata: { labels },
      spec: { containers: [{ name: spec.name, image: spec.image }] },
    };
    const deployment = this.#server.create(deployments, {
      metadata: { namespace: spec.namespace, name: spec.name, labels },
      spec: { replicas: spec.replicas, selector: { matchLabels: labels }, template },
      status: { replicas: spec.replicas, readyReplicas: spec.replicas },
    });
    const hash = this.#suffix(9 + (index % 2));
    const rsLabels = { ...labels, "pod-template-hash": hash };
    const replicaSet = this.#server.create(replicaSets, {
      metadata: {
        namespace: spec.namespace,
        name: `${spec.name}-${hash}`,
        labels: rsLabels,
        ownerReferences: [{
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: spec.name,
          uid: deployment.metadata?.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        }],
      },
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: rsLabels },
        template: { ...template, metadata: { labels: rsLabels } },
      },
      status: { replicas: spec.replicas, readyReplicas: spec.replicas },
    });
    this.#server.create(services, {
      metadata: { namespace: spec.namespace, name: spec.name, labels },
      spec: {
        type: "ClusterIP",
        selector: labels,
        clusterIP: `10.96.${index + 1}.${10 + index}`,
        ports: [{ port: spec.port, targetPort: spec.port }],
      },
    });
    const workload: SimWorkload = {
      ...spec,
      deployment,
      replicaSet,
      hash,
      pods: new Set<string>(),
    };
    this.#workloads.push(workload);
    return workload;
  }

  #createWorkloadPod(workload: SimWorkload, phase: "Pending" | "Running"): void {
    const node = this.#pick(this.#nodes)!;
    const rsName = workload.replicaSet.metadata?.name ?? workload.name;
    const name = `${rsName}-${this.#suffix(5)}`;
    const pod: Pod = {
      metadata: {
        namespace: workload.namespace,
        name,
        labels: { app: workload.name, "pod-template-hash": workload.hash },
        ownerReferences: [{
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: rsName,
          uid: workload.replicaSet.metadata?.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        }],
      },
      spec: {
        nodeName: node.name,
        containers: [{
          name: workload.name,
          image: workload.image,
          ports: [{ containerPort: workload.port }],
        }],
      },
      status: { phase: "Pending", hostIP: node.ip, hostIPs: [{ ip: node.ip }] },
    };
    if (phase === "Running") setRunning(pod, this.#allocateIP(node));
    this.#server.create(pods, pod);
    workload.pods.add(name);
    if (phase === "Pending") this.#pending.add(`${workload.namespace}/${name}`);
  }

  #createDaemon(spec: (typeof DAEMONS)[number]): SimDaemon {
    const labels = { app: spec.name };
    const daemonSet = this.#server.create(daemonSets, {
      metadata: { namespace: spec.namespace, name: spec.name, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { hostNetwork: true, containers: [{ name: spec.name, image: spec.image }] },
        },
      },
    });
    const daemon: SimDaemon = { ...spec, daemonSet, podByNode: new Map() };
    this.#daemons.push(daemon);
    return daemon;
  }

  #createDaemonPod(daemon: SimDaemon, node: SimNode): void {
    const name = `${daemon.name}-${this.#suffix(5)}`;
    const pod = hostNetworkPod(daemon.namespace, name, node, {
      labels: { app: daemon.name },
      image: daemon.image,
    });
    pod.metadata!.ownerReferences = [{
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      name: daemon.name,
      uid: daemon.daemonSet.metadata?.uid ?? "",
      controller: true,
      blockOwnerDeletion: true,
    }];
    this.#server.create(pods, pod);
    daemon.podByNode.set(node.name, name);
  }

  /** A Pending pod gets its IP and starts Running. */
  #startPending(): void {
    const key = this.#pending.values().next().value!;
    this.#pending.delete(key);
    const [namespace, name] = key.split("/") as [string, string];
    const pod = this.#server.get(pods, namespace, name);
    if (pod === undefined) return;
    const node = this.#nodes.find((n) => n.name === pod.spec?.nodeName) ?? this.#nodes[0]!;
    setRunning(pod, this.#allocateIP(node));
    this.#server.replace(pods, pod);
  }

  /** A Running workload pod crashes (phase Failed); it is replaced later. */
  #crashRunning(): void {
    const workload = this.#pick(this.#workloads)!;
    const running = [...workload.pods].filter((name) => {
      const key = `${workload.namespace}/${name}`;
      return !this.#pending.has(key) && !this.#failed.has(key);
    });
    const name = this.#pick(running);
    if (name === undefined) return;
    const pod = this.#server.get(pods, workload.namespace, name);
    if (pod === undefined) return;
    pod.status = { ...pod.status, phase: "Failed", reason: "Error" };
    this.#server.replace(pods, pod);
    this.#failed.add(`${workload.namespace}/${name}`);
  }

  /** The replica set deletes a crashed pod and creates a replacement (Pending). */
  #replaceFailed(): void {
    const key = this.#failed.values().next().value!;
    this.#failed.delete(key);
    const [namespace, name] = key.split("/") as [string, string];
    const workload = this.#workloads.find((w) => w.namespace === namespace && w.pods.has(name));
    if (workload === undefined) return;
    this.#deleteWorkloadPod(workload, name);
    this.#createWorkloadPod(workload, "Pending");
  }

  #deleteWorkloadPod(workload: SimWorkload, name: string): void {
    const key = `${workload.namespace}/${name}`;
    const deleted = this.#server.delete(pods, workload.namespace, name);
    this.#releaseIP(deleted.status?.podIP);
    workload.pods.delete(name);
    this.#pending.delete(key);
    this.#failed.delete(key);
  }

  /** A Deployment is scaled up or down by one; its ReplicaSet follows. */
  #scale(): void {
    const workload = this.#pick(this.#workloads)!;
    const current = workload.replicaSet.spec?.replicas ?? workload.pods.size;
    const up = current <= MIN_REPLICAS || (current < MAX_REPLICAS && this.#random() < 0.5);
    const replicas = up ? current + 1 : current - 1;
    if (up) {
      this.#createWorkloadPod(workload, "Pending");
    } else {
      const victim = [...workload.pods].at(-1);
      if (victim !== undefined) this.#deleteWorkloadPod(workload, victim);
    }
    workload.deployment.spec!.replicas = replicas;
    workload.deployment.status = { ...workload.deployment.status, replicas };
    this.#server.replace(deployments, workload.deployment);
    workload.replicaSet.spec!.replicas = replicas;
    workload.replicaSet.status = { ...workload.replicaSet.status, replicas };
    this.#server.replace(replicaSets, workload.replicaSet);
  }

  /** A DaemonSet pod is replaced by a new one on the same node (same host IP). */
  #restartDaemonPod(): void {
    const daemon = this.#pick(this.#daemons)!;
    const node = this.#pick(this.#nodes)!;
    const old = daemon.podByNode.get(node.name);
    if (old !== undefined) this.#server.delete(pods, daemon.namespace, old);
    this.#createDaemonPod(daemon, node);
  }
}

/** Marks a pod Running with the given IP. */
function setRunning(pod: Pod, ip: string): void {
  pod.status = {
    ...pod.status,
    phase: "Running",
    podIP: ip,
    podIPs: [{ ip }],
    startTime: new Date().toISOString(),
  };
}

/** A Running pod on the node's network: its pod IP is the node IP. */
function hostNetworkPod(
  namespace: string,
  name: string,
  node: SimNode,
  options: { labels: Record<string, string>; image: string },
): Pod {
  return {
    metadata: { namespace, name, labels: options.labels },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      containers: [{ name: name.replace(/-[a-z0-9]{5}$/, ""), image: options.image }],
    },
    status: {
      phase: "Running",
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP: node.ip,
      podIPs: [{ ip: node.ip }],
      startTime: new Date().toISOString(),
    },
  };
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Typed descriptors of the built-in resources kubesnap knows out of the box.
 * Names, short names, categories and subresources mirror what a real
 * kube-apiserver publishes in discovery.
 *
 * @example Building a request path from a descriptor
 * ```ts
 * import { pods } from "./resources.ts";
 * console.log(`/api/${pods.version}/namespaces/default/${pods.plural}`);
 * // "/api/v1/namespaces/default/pods"
 * ```
 *
 * @module
 */

import { defineResource, type ResourceDescriptor } from "./resource.ts";
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  Pod,
  Secret,
  Service,
} from "./core_v1.ts";
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "./apps_v1.ts";
import type { CronJob, Job } from "./batch_v1.ts";
import type { Ingress } from "./networking_v1.ts";
import type { Lease } from "./coordination_v1.ts";

/**
 * Pods (`v1`, namespaced, short name `po`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { pods } from "./resources.ts";
 * console.log(pods.apiVersion, pods.plural); // "v1" "pods"
 * ```
 */
export const pods: ResourceDescriptor<Pod> = defineResource<Pod>({
  version: "v1",
  kind: "Pod",
  plural: "pods",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  subresources: ["status", "log", "binding", "eviction", "ephemeralcontainers"],
});

/**
 * Services (`v1`, namespaced, short name `svc`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { services } from "./resources.ts";
 * console.log(services.shortNames); // ["svc"]
 * ```
 */
export const services: ResourceDescriptor<Service> = defineResource<Service>({
  version: "v1",
  kind: "Service",
  plural: "services",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  subresources: ["status"],
});

/**
 * Endpoints (`v1`, namespaced, short name `ep`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { endpoints } from "./resources.ts";
 * console.log(endpoints.kind, endpoints.singular); // "Endpoints" "endpoints"
 * ```
 */
export const endpoints: ResourceDescriptor<Endpoints> = defineResource<Endpoints>({
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  subresources: [],
});

/**
 * Nodes (`v1`, cluster-scoped, short name `no`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { nodes } from "./resources.ts";
 * console.log(nodes.namespaced); // false
 * ```
 */
export const nodes: ResourceDescriptor<Node> = defineResource<Node>({
  version: "v1",
  kind: "Node",
  plural: "nodes",
  namespaced: false,
  shortNames: ["no"],
  subresources: ["status"],
});

/**
 * Namespaces (`v1`, cluster-scoped, short name `ns`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { namespaces } from "./resources.ts";
 * console.log(namespaces.listKind); // "NamespaceList"
 * ```
 */
export const namespaces: ResourceDescriptor<Namespace> = defineResource<Namespace>({
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
  shortNames: ["ns"],
  subresources: ["status"],
});

/**
 * ConfigMaps (`v1`, namespaced, short name `cm`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { configMaps } from "./resources.ts";
 * console.log(configMaps.plural); // "configmaps"
 * ```
 */
export const configMaps: ResourceDescriptor<ConfigMap> = defineResource<ConfigMap>({
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
  shortNames: ["cm"],
  subresources: [],
});

/**
 * Secrets (`v1`, namespaced, no short name).
 *
 * @example Reading the descriptor
 * ```ts
 * import { secrets } from "./resources.ts";
 * console.log(secrets.shortNames.length); // 0
 * ```
 */
export const secrets: ResourceDescriptor<Secret> = defineResource<Secret>({
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  namespaced: true,
  subresources: [],
});

/**
 * Events of the core group (`v1`, namespaced, short name `ev`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { events } from "./resources.ts";
 * console.log(events.group === ""); // true
 * ```
 */
export const events: ResourceDescriptor<Event> = defineResource<Event>({
  version: "v1",
  kind: "Event",
  plural: "events",
  namespaced: true,
  shortNames: ["ev"],
  subresources: [],
});

/**
 * ReplicaSets (`apps/v1`, namespaced, short name `rs`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { replicaSets } from "./resources.ts";
 * console.log(replicaSets.subresources); // ["status", "scale"]
 * ```
 */
export const replicaSets: ResourceDescriptor<ReplicaSet> = defineResource<ReplicaSet>({
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  subresources: ["status", "scale"],
});

/**
 * Deployments (`apps/v1`, namespaced, short name `deploy`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { deployments } from "./resources.ts";
 * console.log(deployments.apiVersion); // "apps/v1"
 * ```
 */
export const deployments: ResourceDescriptor<Deployment> = defineResource<Deployment>({
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  subresources: ["status", "scale"],
});

/**
 * StatefulSets (`apps/v1`, namespaced, short name `sts`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { statefulSets } from "./resources.ts";
 * console.log(statefulSets.shortNames); // ["sts"]
 * ```
 */
export const statefulSets: ResourceDescriptor<StatefulSet> = defineResource<StatefulSet>({
  group: "apps",
  version: "v1",
  kind: "StatefulSet",
  plural: "statefulsets",
  namespaced: true,
  shortNames: ["sts"],
  categories: ["all"],
  subresources: ["status", "scale"],
});

/**
 * DaemonSets (`apps/v1`, namespaced, short name `ds`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { daemonSets } from "./resources.ts";
 * console.log(daemonSets.plural); // "daemonsets"
 * ```
 */
export const daemonSets: ResourceDescriptor<DaemonSet> = defineResource<DaemonSet>({
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  namespaced: true,
  shortNames: ["ds"],
  categories: ["all"],
  subresources: ["status"],
});

/**
 * Jobs (`batch/v1`, namespaced, no short name).
 *
 * @example Reading the descriptor
 * ```ts
 * import { jobs } from "./resources.ts";
 * console.log(jobs.apiVersion); // "batch/v1"
 * ```
 */
export const jobs: ResourceDescriptor<Job> = defineResource<Job>({
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  namespaced: true,
  categories: ["all"],
  subresources: ["status"],
});

/**
 * CronJobs (`batch/v1`, namespaced, short name `cj`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { cronJobs } from "./resources.ts";
 * console.log(cronJobs.shortNames); // ["cj"]
 * ```
 */
export const cronJobs: ResourceDescriptor<CronJob> = defineResource<CronJob>({
  group: "batch",
  version: "v1",
  kind: "CronJob",
  plural: "cronjobs",
  namespaced: true,
  shortNames: ["cj"],
  categories: ["all"],
  subresources: ["status"],
});

/**
 * Ingresses (`networking.k8s.io/v1`, namespaced, short name `ing`).
 *
 * @example Reading the descriptor
 * ```ts
 * import { ingresses } from "./resources.ts";
 * console.log(ingresses.apiVersion); // "networking.k8s.io/v1"
 * ```
 */
export const ingresses: ResourceDescriptor<Ingress> = defineResource<Ingress>({
  group: "networking.k8s.io",
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  namespaced: true,
  shortNames: ["ing"],
  subresources: ["status"],
});

/**
 * Leases (`coordination.k8s.io/v1`, namespaced, no short name).
 *
 * @example Reading the descriptor
 * ```ts
 * import { leases } from "./resources.ts";
 * console.log(leases.listKind); // "LeaseList"
 * ```
 */
export const leases: ResourceDescriptor<Lease> = defineResource<Lease>({
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
  subresources: [],
});

/**
 * Every built-in descriptor, core group first, then by group.
 *
 * @example Finding a descriptor by short name
 * ```ts
 * import { BUILTIN_RESOURCES } from "./resources.ts";
 * const found = BUILTIN_RESOURCES.find((r) => r.shortNames.includes("deploy"));
 * console.log(found?.plural); // "deployments"
 * ```
 */
export const BUILTIN_RESOURCES: readonly ResourceDescriptor[] = Object.freeze([
  pods,
  services,
  endpoints,
  nodes,
  namespaces,
  configMaps,
  secrets,
  events,
  replicaSets,
  deployments,
  statefulSets,
  daemonSets,
  jobs,
  cronJobs,
  ingresses,
  leases,
]);

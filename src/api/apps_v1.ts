/**
 * Types of the `apps/v1` API group: ReplicaSet, Deployment, StatefulSet and
 * DaemonSet. Every field Kubernetes may omit is optional; field names keep
 * their wire spelling.
 *
 * @module
 */

import type { KubeObject, LabelSelector, ObjectMeta } from "./meta.ts";
import type { PodTemplateSpec } from "./core_v1.ts";

/** A condition of a workload, such as a Deployment's `Available` or `Progressing`. */
export interface WorkloadCondition {
  /** Condition type. */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: string;
  /** Last time the condition was updated (Deployments only; RFC 3339). */
  lastUpdateTime?: string;
  /** Last status change (RFC 3339). */
  lastTransitionTime?: string;
  /** One-word reason. */
  reason?: string;
  /** Human-readable detail. */
  message?: string;
}

/** The desired state of a ReplicaSet. */
export interface ReplicaSetSpec {
  /** Desired number of pods. @default {1} */
  replicas?: number;
  /** Seconds a new pod must be ready before it counts as available. */
  minReadySeconds?: number;
  /** Selects the pods the set owns; must match the template's labels. */
  selector: LabelSelector;
  /** Template of the pods to create. */
  template?: PodTemplateSpec;
}

/** The observed state of a ReplicaSet. */
export interface ReplicaSetStatus {
  /** Pods the set currently has. */
  replicas: number;
  /** Pods whose labels match the template's. */
  fullyLabeledReplicas?: number;
  /** Ready pods. */
  readyReplicas?: number;
  /** Pods ready for at least `minReadySeconds`. */
  availableReplicas?: number;
  /** Pods being terminated. */
  terminatingReplicas?: number;
  /** The `metadata.generation` last acted on. */
  observedGeneration?: number;
  /** Conditions. */
  conditions?: WorkloadCondition[];
}

/**
 * A ReplicaSet: keeps a number of identical pods running.
 *
 * @example Reading desired and ready replicas
 * ```ts
 * import type { ReplicaSet } from "./apps_v1.ts";
 * const rs: ReplicaSet = {
 *   metadata: { name: "web-5d4f", namespace: "default" },
 *   spec: { replicas: 3, selector: { matchLabels: { app: "web" } } },
 *   status: { replicas: 3, readyReplicas: 2 },
 * };
 * console.log(`${rs.status?.readyReplicas ?? 0}/${rs.spec?.replicas ?? 1}`); // "2/3"
 * ```
 */
export interface ReplicaSet extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: ReplicaSetSpec;
  /** Observed state. */
  status?: ReplicaSetStatus;
}

/** How a Deployment replaces old pods with new ones. */
export interface DeploymentStrategy {
  /** `RollingUpdate` (default) or `Recreate`. */
  type?: string;
  /** Parameters of a rolling update. */
  rollingUpdate?: {
    /** Pods (number or percentage) that may be unavailable during the update. */
    maxUnavailable?: number | string;
    /** Pods (number or percentage) that may be created above the desired count. */
    maxSurge?: number | string;
  };
}

/** The desired state of a Deployment. */
export interface DeploymentSpec {
  /** Desired number of pods. @default {1} */
  replicas?: number;
  /** Selects the pods the deployment manages; immutable. */
  selector: LabelSelector;
  /** Template of the pods to create. */
  template: PodTemplateSpec;
  /** Replacement strategy. */
  strategy?: DeploymentStrategy;
  /** Seconds a new pod must be ready before it counts as available. */
  minReadySeconds?: number;
  /** Old ReplicaSets to keep for rollback. @default {10} */
  revisionHistoryLimit?: number;
  /** Pause rollouts. */
  paused?: boolean;
  /** Seconds without progress before the rollout is reported failed. @default {600} */
  progressDeadlineSeconds?: number;
}

/** The observed state of a Deployment. */
export interface DeploymentStatus {
  /** The `metadata.generation` last acted on. */
  observedGeneration?: number;
  /** Pods targeted by the deployment. */
  replicas?: number;
  /** Pods with the newest template. */
  updatedReplicas?: number;
  /** Ready pods. */
  readyReplicas?: number;
  /** Pods ready for at least `minReadySeconds`. */
  availableReplicas?: number;
  /** Pods still needed for the deployment to be fully available. */
  unavailableReplicas?: number;
  /** Pods being terminated. */
  terminatingReplicas?: number;
  /** Conditions: `Available`, `Progressing`, `ReplicaFailure`. */
  conditions?: WorkloadCondition[];
  /** Hash collision counter used to name ReplicaSets. */
  collisionCount?: number;
}

/**
 * A Deployment: declarative rollouts of a pod template through ReplicaSets.
 *
 * @example Checking whether a rollout is complete
 * ```ts
 * import type { Deployment } from "./apps_v1.ts";
 * const deploy: Deployment = {
 *   metadata: { name: "web", namespace: "default", generation: 4 },
 *   spec: {
 *     replicas: 2,
 *     selector: { matchLabels: { app: "web" } },
 *     template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web" }] } },
 *   },
 *   status: { observedGeneration: 4, updatedReplicas: 2, availableReplicas: 2 },
 * };
 * const done = deploy.status?.observedGeneration === deploy.metadata?.generation &&
 *   deploy.status?.updatedReplicas === deploy.spec?.replicas;
 * console.log(done); // true
 * ```
 */
export interface Deployment extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: DeploymentSpec;
  /** Observed state. */
  status?: DeploymentStatus;
}

/** A PersistentVolumeClaim template of a StatefulSet; the claim spec is left untyped. */
export interface PersistentVolumeClaimTemplate {
  /** API version, normally `v1`. */
  apiVersion?: string;
  /** Kind, normally `PersistentVolumeClaim`. */
  kind?: string;
  /** Metadata; the name is the volume name pods mount. */
  metadata?: ObjectMeta;
  /** Claim spec: access modes, storage class, requested size. */
  spec?: Record<string, unknown>;
}

/** How a StatefulSet or DaemonSet updates its pods. */
export interface RollingUpdateStrategy {
  /** `RollingUpdate` (default) or `OnDelete`. */
  type?: string;
  /** Parameters of a rolling update. */
  rollingUpdate?: {
    /** StatefulSet: ordinals below this are not updated. */
    partition?: number;
    /** Pods (number or percentage) that may be unavailable during the update. */
    maxUnavailable?: number | string;
    /** DaemonSet: nodes (number or percentage) that may run an extra pod during the update. */
    maxSurge?: number | string;
  };
}

/** The desired state of a StatefulSet. */
export interface StatefulSetSpec {
  /** Desired number of pods. @default {1} */
  replicas?: number;
  /** Selects the pods the set owns. */
  selector: LabelSelector;
  /** Template of the pods to create. */
  template: PodTemplateSpec;
  /** Claims created for every pod. */
  volumeClaimTemplates?: PersistentVolumeClaimTemplate[];
  /** Headless service that gives the pods their DNS names. */
  serviceName?: string;
  /** `OrderedReady` (default) or `Parallel`. */
  podManagementPolicy?: string;
  /** Update strategy. */
  updateStrategy?: RollingUpdateStrategy;
  /** Old revisions to keep. @default {10} */
  revisionHistoryLimit?: number;
  /** Seconds a new pod must be ready before it counts as available. */
  minReadySeconds?: number;
  /** What happens to claims when the set is deleted or scaled down (`Retain` or `Delete`). */
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  /** First ordinal of the pods. */
  ordinals?: { start?: number };
}

/** The observed state of a StatefulSet. */
export interface StatefulSetStatus {
  /** The `metadata.generation` last acted on. */
  observedGeneration?: number;
  /** Pods created. */
  replicas: number;
  /** Ready pods. */
  readyReplicas?: number;
  /** Pods at `currentRevision`. */
  currentReplicas?: number;
  /** Pods at `updateRevision`. */
  updatedReplicas?: number;
  /** Pods ready for at least `minReadySeconds`. */
  availableReplicas?: number;
  /** Revision of the current pods. */
  currentRevision?: string;
  /** Revision being rolled out. */
  updateRevision?: string;
  /** Hash collision counter. */
  collisionCount?: number;
  /** Conditions. */
  conditions?: WorkloadCondition[];
}

/**
 * A StatefulSet: pods with stable names and storage.
 *
 * @example Naming the pods of a StatefulSet
 * ```ts
 * import type { StatefulSet } from "./apps_v1.ts";
 * const sts: StatefulSet = {
 *   metadata: { name: "db", namespace: "default" },
 *   spec: {
 *     replicas: 2,
 *     serviceName: "db",
 *     selector: { matchLabels: { app: "db" } },
 *     template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db" }] } },
 *   },
 * };
 * const names = Array.from({ length: sts.spec?.replicas ?? 1 }, (_, i) => `db-${i}`);
 * console.log(names); // ["db-0", "db-1"]
 * ```
 */
export interface StatefulSet extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: StatefulSetSpec;
  /** Observed state. */
  status?: StatefulSetStatus;
}

/** The desired state of a DaemonSet. */
export interface DaemonSetSpec {
  /** Selects the pods the set owns. */
  selector: LabelSelector;
  /** Template of the pod to run on every eligible node. */
  template: PodTemplateSpec;
  /** Update strategy. */
  updateStrategy?: RollingUpdateStrategy;
  /** Seconds a new pod must be ready before it counts as available. */
  minReadySeconds?: number;
  /** Old revisions to keep. @default {10} */
  revisionHistoryLimit?: number;
}

/** The observed state of a DaemonSet. */
export interface DaemonSetStatus {
  /** Nodes running at least one daemon pod that should. */
  currentNumberScheduled: number;
  /** Nodes running a daemon pod that should not. */
  numberMisscheduled: number;
  /** Nodes that should run the daemon pod. */
  desiredNumberScheduled: number;
  /** Nodes whose daemon pod is ready. */
  numberReady: number;
  /** The `metadata.generation` last acted on. */
  observedGeneration?: number;
  /** Nodes running the updated daemon pod. */
  updatedNumberScheduled?: number;
  /** Nodes whose daemon pod is available. */
  numberAvailable?: number;
  /** Nodes whose daemon pod is not available. */
  numberUnavailable?: number;
  /** Hash collision counter. */
  collisionCount?: number;
  /** Conditions. */
  conditions?: WorkloadCondition[];
}

/**
 * A DaemonSet: one pod on every eligible node.
 *
 * @example Checking coverage
 * ```ts
 * import type { DaemonSet } from "./apps_v1.ts";
 * const ds: DaemonSet = {
 *   metadata: { name: "agent", namespace: "kube-system" },
 *   spec: {
 *     selector: { matchLabels: { app: "agent" } },
 *     template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "a" }] } },
 *   },
 *   status: {
 *     currentNumberScheduled: 3,
 *     numberMisscheduled: 0,
 *     desiredNumberScheduled: 3,
 *     numberReady: 3,
 *   },
 * };
 * console.log(ds.status?.numberReady === ds.status?.desiredNumberScheduled); // true
 * ```
 */
export interface DaemonSet extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: DaemonSetSpec;
  /** Observed state. */
  status?: DaemonSetStatus;
}

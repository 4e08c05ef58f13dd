/**
 * Types of the core `v1` API group that informers commonly cache. Every field
 * Kubernetes may omit is optional; field names keep their wire spelling.
 *
 * @module
 */

import type { KubeObject, ObjectMeta } from "./meta.ts";

/** A quantity such as `100m`, `1Gi` or `2`. */
export type Quantity = string | number;

/** Resource requests and limits of a container. */
export interface ResourceRequirements {
  /** Maximum amounts, such as `{ cpu: "500m", memory: "256Mi" }`. */
  limits?: Record<string, Quantity>;
  /** Minimum amounts the scheduler reserves. */
  requests?: Record<string, Quantity>;
}

/** A port a container exposes. */
export interface ContainerPort {
  /** Optional IANA_SVC_NAME-style name. */
  name?: string;
  /** Port number inside the container. */
  containerPort: number;
  /** Port on the host, for host-port pods. */
  hostPort?: number;
  /** Host IP the host port binds to. */
  hostIP?: string;
  /** `TCP`, `UDP` or `SCTP`. */
  protocol?: string;
}

/** Reference to one key of a ConfigMap or Secret. */
export interface KeySelector {
  /** Name of the ConfigMap or Secret. */
  name?: string;
  /** The key. */
  key: string;
  /** Whether the reference may be missing. */
  optional?: boolean;
}

/** Where an environment variable's value comes from. */
export interface EnvVarSource {
  /** A field of the pod, such as `status.podIP`. */
  fieldRef?: { apiVersion?: string; fieldPath: string };
  /** A resource of a container, such as `limits.cpu`. */
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: Quantity };
  /** A ConfigMap key. */
  configMapKeyRef?: KeySelector;
  /** A Secret key. */
  secretKeyRef?: KeySelector;
}

/** An environment variable of a container. */
export interface EnvVar {
  /** Variable name. */
  name: string;
  /** Literal value. */
  value?: string;
  /** Value taken from elsewhere. */
  valueFrom?: EnvVarSource;
}

/** Bulk environment from a ConfigMap or Secret. */
export interface EnvFromSource {
  /** Prefix for every key. */
  prefix?: string;
  /** The ConfigMap. */
  configMapRef?: { name?: string; optional?: boolean };
  /** The Secret. */
  secretRef?: { name?: string; optional?: boolean };
}

/** Where a volume is mounted in a container. */
export interface VolumeMount {
  /** Name of the pod volume. */
  name: string;
  /** Path in the container. */
  mountPath: string;
  /** Mount read-only. */
  readOnly?: boolean;
  /** Sub-path within the volume. */
  subPath?: string;
  /** `None`, `HostToContainer` or `Bidirectional`. */
  mountPropagation?: string;
}

/** One HTTP header of an HTTP probe. */
export interface HTTPHeader {
  /** Header name. */
  name: string;
  /** Header value. */
  value: string;
}

/** A liveness, readiness or startup probe. */
export interface Probe {
  /** Run a command. */
  exec?: { command?: string[] };
  /** Send an HTTP GET. */
  httpGet?: {
    path?: string;
    port: number | string;
    host?: string;
    scheme?: string;
    httpHeaders?: HTTPHeader[];
  };
  /** Open a TCP connection. */
  tcpSocket?: { port: number | string; host?: string };
  /** Call a gRPC health service. */
  grpc?: { port: number; service?: string };
  /** Seconds before the first probe. */
  initialDelaySeconds?: number;
  /** Seconds before a probe times out. */
  timeoutSeconds?: number;
  /** Seconds between probes. */
  periodSeconds?: number;
  /** Successes needed after a failure. */
  successThreshold?: number;
  /** Failures tolerated. */
  failureThreshold?: number;
  /** Grace period override for probe failures. */
  terminationGracePeriodSeconds?: number;
}

/** Security options of a container. */
export interface SecurityContext {
  /** Run privileged. */
  privileged?: boolean;
  /** UID to run as. */
  runAsUser?: number;
  /** GID to run as. */
  runAsGroup?: number;
  /** Refuse to run as root. */
  runAsNonRoot?: boolean;
  /** Mount the root filesystem read-only. */
  readOnlyRootFilesystem?: boolean;
  /** Allow gaining more privileges than the parent. */
  allowPrivilegeEscalation?: boolean;
  /** Capabilities to add and drop. */
  capabilities?: { add?: string[]; drop?: string[] };
  /** Seccomp profile. */
  seccompProfile?: { type: string; localhostProfile?: string };
}

/** A container of a pod. */
export interface Container {
  /** Container name, unique within the pod. */
  name: string;
  /** Image reference. */
  image?: string;
  /** Entrypoint override. */
  command?: string[];
  /** Arguments. */
  args?: string[];
  /** Working directory. */
  workingDir?: string;
  /** Exposed ports. */
  ports?: ContainerPort[];
  /** Environment variables. */
  env?: EnvVar[];
  /** Bulk environment. */
  envFrom?: EnvFromSource[];
  /** Requests and limits. */
  resources?: ResourceRequirements;
  /** Volume mounts. */
  volumeMounts?: VolumeMount[];
  /** Liveness probe. */
  livenessProbe?: Probe;
  /** Readiness probe. */
  readinessProbe?: Probe;
  /** Startup probe. */
  startupProbe?: Probe;
  /** `Always`, `IfNotPresent` or `Never`. */
  imagePullPolicy?: string;
  /** Security options. */
  securityContext?: SecurityContext;
  /** Path of the termination message file. */
  terminationMessagePath?: string;
  /** `File` or `FallbackToLogsOnError`. */
  terminationMessagePolicy?: string;
  /** For init containers: `Always` makes a sidecar. */
  restartPolicy?: string;
  /** Keep stdin open. */
  stdin?: boolean;
  /** Allocate a TTY. */
  tty?: boolean;
}

/** A volume of a pod. Only the common sources are typed; others pass through. */
export interface Volume {
  /** Volume name. */
  name: string;
  /** Scratch space. */
  emptyDir?: { medium?: string; sizeLimit?: Quantity };
  /** A ConfigMap's keys as files. */
  configMap?: {
    name?: string;
    items?: { key: string; path: string }[];
    defaultMode?: number;
    optional?: boolean;
  };
  /** A Secret's keys as files. */
  secret?: {
    secretName?: string;
    items?: { key: string; path: string }[];
    defaultMode?: number;
    optional?: boolean;
  };
  /** A claim. */
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  /** A host path. */
  hostPath?: { path: string; type?: string };
  /** Several sources in one directory (service-account tokens use this). */
  projected?: { sources?: Record<string, unknown>[]; defaultMode?: number };
  /** Other volume sources, untyped. */
  [source: string]: unknown;
}

/** A toleration of a node taint. */
export interface Toleration {
  /** Taint key; empty matches all keys with `Exists`. */
  key?: string;
  /** `Exists` or `Equal`. */
  operator?: string;
  /** Taint value. */
  value?: string;
  /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`. */
  effect?: string;
  /** For `NoExecute`: how long the pod stays bound. */
  tolerationSeconds?: number;
}

/** The desired state of a pod. */
export interface PodSpec {
  /** Application containers. */
  containers: Container[];
  /** Containers run to completion before the app containers. */
  initContainers?: Container[];
  /** Volumes. */
  volumes?: Volume[];
  /** Node the pod is bound to; empty while unscheduled. */
  nodeName?: string;
  /** Node labels the pod requires. */
  nodeSelector?: Record<string, string>;
  /** Service account the pod runs as. */
  serviceAccountName?: string;
  /** `Always`, `OnFailure` or `Never`. */
  restartPolicy?: string;
  /** Seconds to wait for graceful termination. */
  terminationGracePeriodSeconds?: number;
  /** `ClusterFirst`, `Default`, ... */
  dnsPolicy?: string;
  /** Use the node's network namespace (shares the node IP). */
  hostNetwork?: boolean;
  /** Use the node's PID namespace. */
  hostPID?: boolean;
  /** Scheduler to use. */
  schedulerName?: string;
  /** Tolerations. */
  tolerations?: Toleration[];
  /** Scheduling constraints; untyped. */
  affinity?: Record<string, unknown>;
  /** Priority class name. */
  priorityClassName?: string;
  /** Resolved priority. */
  priority?: number;
  /** Pod hostname. */
  hostname?: string;
  /** Pod subdomain. */
  subdomain?: string;
  /** Image pull secrets. */
  imagePullSecrets?: { name?: string }[];
  /** Pod-level security options; untyped. */
  securityContext?: Record<string, unknown>;
  /** Mount the service-account token. */
  automountServiceAccountToken?: boolean;
  /** Runtime preemption policy. */
  preemptionPolicy?: string;
  /** Whether env holds service links. */
  enableServiceLinks?: boolean;
}

/** A condition of a pod, such as `Ready`. */
export interface PodCondition {
  /** `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`, ... */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: string;
  /** Last probe time (RFC 3339). */
  lastProbeTime?: string | null;
  /** Last transition time (RFC 3339). */
  lastTransitionTime?: string | null;
  /** One-word reason. */
  reason?: string;
  /** Human-readable detail. */
  message?: string;
}

/** A pod IP (`status.podIPs` entries). */
export interface PodIP {
  /** The address. */
  ip: string;
}

/** The state of a container: at most one member is set. */
export interface ContainerState {
  /** Waiting to start. */
  waiting?: { reason?: string; message?: string };
  /** Running since `startedAt`. */
  running?: { startedAt?: string };
  /** Finished. */
  terminated?: {
    exitCode: number;
    signal?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    containerID?: string;
  };
}

/** The observed status of one container. */
export interface ContainerStatus {
  /** Container name. */
  name: string;
  /** Current state. */
  state?: ContainerState;
  /** Previous termination. */
  lastState?: ContainerState;
  /** Passed its readiness probe. */
  ready: boolean;
  /** Restarts so far. */
  restartCount: number;
  /** Image running. */
  image: string;
  /** Image digest. */
  imageID: string;
  /** Runtime id, such as `containerd://…`. */
  containerID?: string;
  /** Started and passed its startup probe. */
  started?: boolean;
}

/** The observed state of a pod. */
export interface PodStatus {
  /** `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`. */
  phase?: string;
  /** Conditions. */
  conditions?: PodCondition[];
  /** Human-readable detail. */
  message?: string;
  /** One-word reason, such as `Evicted`. */
  reason?: string;
  /** IP of the node the pod runs on. */
  hostIP?: string;
  /** All IPs of the node. */
  hostIPs?: { ip: string }[];
  /** Primary pod IP. */
  podIP?: string;
  /** All pod IPs (dual stack). */
  podIPs?: PodIP[];
  /** When the kubelet acknowledged the pod (RFC 3339). */
  startTime?: string;
  /** Init container statuses. */
  initContainerStatuses?: ContainerStatus[];
  /** Application container statuses. */
  containerStatuses?: ContainerStatus[];
  /** `Guaranteed`, `Burstable` or `BestEffort`. */
  qosClass?: string;
  /** Node a preempting pod was nominated for. */
  nominatedNodeName?: string;
}

/**
 * A Pod.
 *
 * @example Reading a pod's IPs
 * ```ts
 * import type { Pod } from "./core_v1.ts";
 * const pod: Pod = { metadata: { name: "web-0" }, status: { podIPs: [{ ip: "10.0.0.5" }] } };
 * console.log((pod.status?.podIPs ?? []).map((p) => p.ip));
 * ```
 */
export interface Pod extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: PodSpec;
  /** Observed state. */
  status?: PodStatus;
}

/** A reference to another object, such as an event's `involvedObject`. */
export interface ObjectReference {
  /** Kind of the referent, such as `Pod`. */
  kind?: string;
  /** Namespace of the referent. */
  namespace?: string;
  /** Name of the referent. */
  name?: string;
  /** UID of the referent. */
  uid?: string;
  /** API version of the referent. */
  apiVersion?: string;
  /** Resource version of the referent the reference was taken at. */
  resourceVersion?: string;
  /** Path of a field within the referent, such as `spec.containers{app}`. */
  fieldPath?: string;
}

/** A reference to an object in the same namespace, by name only. */
export interface LocalObjectReference {
  /** Name of the referent. */
  name?: string;
}

/** A standard condition (`meta/v1` `Condition`), used by newer kinds' `status.conditions`. */
export interface Condition {
  /** Condition type in CamelCase, such as `Available`. */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: string;
  /** The `metadata.generation` the condition was set for. */
  observedGeneration?: number;
  /** When the status last changed (RFC 3339). */
  lastTransitionTime?: string;
  /** One-word CamelCase reason. */
  reason?: string;
  /** Human-readable detail. */
  message?: string;
}

/** The pod template of a workload: metadata plus a pod spec. */
export interface PodTemplateSpec {
  /** Metadata given to every pod created from the template (labels must match the selector). */
  metadata?: ObjectMeta;
  /** Spec of every pod created from the template. */
  spec?: PodSpec;
}

/** One port of a Service. */
export interface ServicePort {
  /** Port name; required when the service has several ports. */
  name?: string;
  /** `TCP`, `UDP` or `SCTP`. */
  protocol?: string;
  /** Application protocol hint, such as `http`. */
  appProtocol?: string;
  /** Port the service exposes. */
  port: number;
  /** Port number or named port on the pods; defaults to `port`. */
  targetPort?: number | string;
  /** Port on every node for `NodePort` and `LoadBalancer` services. */
  nodePort?: number;
}

/** One ingress point of a load balancer. */
export interface LoadBalancerIngress {
  /** IP address of the load balancer. */
  ip?: string;
  /** DNS name of the load balancer. */
  hostname?: string;
  /** `VIP` or `Proxy`: how traffic to `ip` is delivered. */
  ipMode?: string;
  /** Status of each service port on this ingress point. */
  ports?: { port: number; protocol: string; error?: string }[];
}

/** Status of a load balancer. */
export interface LoadBalancerStatus {
  /** Ingress points of the load balancer. */
  ingress?: LoadBalancerIngress[];
}

/** The desired state of a Service. */
export interface ServiceSpec {
  /** `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`. */
  type?: string;
  /** Labels of the pods the service routes to; absent for selector-less services. */
  selector?: Record<string, string>;
  /** Exposed ports. */
  ports?: ServicePort[];
  /** Virtual IP of the service; `None` for headless services. */
  clusterIP?: string;
  /** All virtual IPs (dual stack); the first equals `clusterIP`. */
  clusterIPs?: string[];
  /** IPs outside the cluster that also route to the service. */
  externalIPs?: string[];
  /** DNS name an `ExternalName` service aliases. */
  externalName?: string;
  /** `None` or `ClientIP`. */
  sessionAffinity?: string;
  /** `Cluster` or `Local`, for external traffic. */
  externalTrafficPolicy?: string;
  /** `Cluster` or `Local`, for in-cluster traffic. */
  internalTrafficPolicy?: string;
  /** `IPv4` and/or `IPv6`. */
  ipFamilies?: string[];
  /** `SingleStack`, `PreferDualStack` or `RequireDualStack`. */
  ipFamilyPolicy?: string;
  /** Publish addresses of pods that are not ready. */
  publishNotReadyAddresses?: boolean;
  /** Requested load balancer IP (deprecated). */
  loadBalancerIP?: string;
  /** Client CIDRs allowed through a cloud load balancer. */
  loadBalancerSourceRanges?: string[];
  /** Load balancer implementation class. */
  loadBalancerClass?: string;
  /** Node port for health checks when `externalTrafficPolicy` is `Local`. */
  healthCheckNodePort?: number;
  /** Whether node ports are allocated for a `LoadBalancer` service. */
  allocateLoadBalancerNodePorts?: boolean;
}

/** The observed state of a Service. */
export interface ServiceStatus {
  /** Load balancer status, for `LoadBalancer` services. */
  loadBalancer?: LoadBalancerStatus;
  /** Conditions. */
  conditions?: Condition[];
}

/**
 * A Service: a stable virtual IP and DNS name in front of a set of pods.
 *
 * @example Reading a service's ports
 * ```ts
 * import type { Service } from "./core_v1.ts";
 * const svc: Service = {
 *   metadata: { name: "web", namespace: "default" },
 *   spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
 * };
 * console.log((svc.spec?.ports ?? []).map((p) => p.port)); // [80]
 * ```
 */
export interface Service extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: ServiceSpec;
  /** Observed state. */
  status?: ServiceStatus;
}

/** One address of an Endpoints subset. */
export interface EndpointAddress {
  /** The IP. */
  ip: string;
  /** Hostname of the endpoint. */
  hostname?: string;
  /** Node hosting the endpoint. */
  nodeName?: string;
  /** The object (usually a pod) behind the address. */
  targetRef?: ObjectReference;
}

/** One port of an Endpoints subset. */
export interface EndpointPort {
  /** Port name, matching the service port name. */
  name?: string;
  /** Port number. */
  port: number;
  /** `TCP`, `UDP` or `SCTP`. */
  protocol?: string;
  /** Application protocol hint. */
  appProtocol?: string;
}

/** A set of addresses that share the same ports. */
export interface EndpointSubset {
  /** Ready addresses. */
  addresses?: EndpointAddress[];
  /** Addresses that are not ready yet. */
  notReadyAddresses?: EndpointAddress[];
  /** Ports of every address in the subset. */
  ports?: EndpointPort[];
}

/**
 * Endpoints: the addresses behind a Service, kept by the endpoints controller.
 *
 * @example Listing ready addresses
 * ```ts
 * import type { Endpoints } from "./core_v1.ts";
 * const ep: Endpoints = {
 *   metadata: { name: "web", namespace: "default" },
 *   subsets: [{ addresses: [{ ip: "10.0.0.5" }], ports: [{ port: 8080 }] }],
 * };
 * console.log((ep.subsets ?? []).flatMap((s) => s.addresses ?? []).map((a) => a.ip));
 * ```
 */
export interface Endpoints extends KubeObject {
  /** Object metadata; the name equals the service's. */
  metadata?: ObjectMeta;
  /** Address sets; absent when no pod backs the service. */
  subsets?: EndpointSubset[];
}

/** A taint of a node. */
export interface Taint {
  /** Taint key. */
  key: string;
  /** Taint value. */
  value?: string;
  /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`. */
  effect: string;
  /** When a `NoExecute` taint was added (RFC 3339). */
  timeAdded?: string;
}

/** The desired state of a node. */
export interface NodeSpec {
  /** Pod IP range of the node. */
  podCIDR?: string;
  /** Pod IP ranges (dual stack). */
  podCIDRs?: string[];
  /** Cloud provider id, such as `aws:///us-east-1a/i-0123`. */
  providerID?: string;
  /** Cordoned: no new pods are scheduled. */
  unschedulable?: boolean;
  /** Taints. */
  taints?: Taint[];
}

/** A condition of a node, such as `Ready`. */
export interface NodeCondition {
  /** `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`, `NetworkUnavailable`, ... */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: string;
  /** Last heartbeat (RFC 3339). */
  lastHeartbeatTime?: string;
  /** Last status change (RFC 3339). */
  lastTransitionTime?: string;
  /** One-word reason. */
  reason?: string;
  /** Human-readable detail. */
  message?: string;
}

/** An address of a node. */
export interface NodeAddress {
  /** `InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS` or `ExternalDNS`. */
  type: string;
  /** The address. */
  address: string;
}

/** Versions and ids reported by a node. */
export interface NodeSystemInfo {
  /** Machine id. */
  machineID?: string;
  /** System UUID. */
  systemUUID?: string;
  /** Boot id. */
  bootID?: string;
  /** Kernel version. */
  kernelVersion?: string;
  /** OS image, such as `Ubuntu 24.04 LTS`. */
  osImage?: string;
  /** Container runtime version, such as `containerd://1.7.0`. */
  containerRuntimeVersion?: string;
  /** Kubelet version. */
  kubeletVersion?: string;
  /** Kube-proxy version (deprecated). */
  kubeProxyVersion?: string;
  /** `linux` or `windows`. */
  operatingSystem?: string;
  /** CPU architecture, such as `amd64`. */
  architecture?: string;
}

/** An image present on a node. */
export interface ContainerImage {
  /** Names and digests of the image. */
  names?: string[];
  /** Size in bytes. */
  sizeBytes?: number;
}

/** The observed state of a node. */
export interface NodeStatus {
  /** Total resources of the node. */
  capacity?: Record<string, Quantity>;
  /** Resources available to pods. */
  allocatable?: Record<string, Quantity>;
  /** Deprecated node phase. */
  phase?: string;
  /** Conditions. */
  conditions?: NodeCondition[];
  /** Addresses. */
  addresses?: NodeAddress[];
  /** Kubelet endpoint. */
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  /** Versions and ids. */
  nodeInfo?: NodeSystemInfo;
  /** Images on the node. */
  images?: ContainerImage[];
  /** Volumes in use by the node. */
  volumesInUse?: string[];
  /** Volumes attached to the node. */
  volumesAttached?: { name: string; devicePath: string }[];
}

/**
 * A Node: a machine that runs pods. Cluster-scoped.
 *
 * @example Checking readiness
 * ```ts
 * import type { Node } from "./core_v1.ts";
 * const node: Node = {
 *   metadata: { name: "node-1" },
 *   status: { conditions: [{ type: "Ready", status: "True" }] },
 * };
 * const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
 * console.log(ready); // true
 * ```
 */
export interface Node extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: NodeSpec;
  /** Observed state. */
  status?: NodeStatus;
}

/** A condition of a namespace, such as `NamespaceDeletionContentFailure`. */
export interface NamespaceCondition {
  /** Condition type. */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: string;
  /** Last status change (RFC 3339). */
  lastTransitionTime?: string;
  /** One-word reason. */
  reason?: string;
  /** Human-readable detail. */
  message?: string;
}

/**
 * A Namespace. Cluster-scoped.
 *
 * @example Checking whether a namespace is being deleted
 * ```ts
 * import type { Namespace } from "./core_v1.ts";
 * const ns: Namespace = { metadata: { name: "team-a" }, status: { phase: "Active" } };
 * console.log(ns.status?.phase === "Terminating"); // false
 * ```
 */
export interface Namespace extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Desired state. */
  spec?: {
    /** Finalizers that must be removed before the namespace is deleted, such as `kubernetes`. */
    finalizers?: string[];
  };
  /** Observed state. */
  status?: {
    /** `Active` or `Terminating`. */
    phase?: string;
    /** Conditions. */
    conditions?: NamespaceCondition[];
  };
}

/**
 * A ConfigMap: non-secret configuration data.
 *
 * @example Reading a key
 * ```ts
 * import type { ConfigMap } from "./core_v1.ts";
 * const cm: ConfigMap = { metadata: { name: "app", namespace: "default" }, data: { mode: "fast" } };
 * console.log(cm.data?.["mode"]); // "fast"
 * ```
 */
export interface ConfigMap extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** UTF-8 string data. */
  data?: Record<string, string>;
  /** Binary data, base64-encoded on the wire. */
  binaryData?: Record<string, string>;
  /** When true, data cannot be changed. */
  immutable?: boolean;
}

/**
 * A Secret. `data` values are base64-encoded on the wire.
 *
 * @example Decoding a key
 * ```ts
 * import type { Secret } from "./core_v1.ts";
 * const secret: Secret = {
 *   metadata: { name: "db", namespace: "default" },
 *   type: "Opaque",
 *   data: { user: "YWRtaW4=" },
 * };
 * console.log(atob(secret.data?.["user"] ?? "")); // "admin"
 * ```
 */
export interface Secret extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** Secret type, such as `Opaque` or `kubernetes.io/tls`. */
  type?: string;
  /** Base64-encoded data. */
  data?: Record<string, string>;
  /** Write-only plain-text data merged into `data` by the server; never returned. */
  stringData?: Record<string, string>;
  /** When true, data cannot be changed. */
  immutable?: boolean;
}

/** The component that reported an event (legacy fields). */
export interface EventSource {
  /** Reporting component, such as `kubelet`. */
  component?: string;
  /** Node name of the reporter. */
  host?: string;
}

/**
 * An Event (`core/v1`): a report of something that happened to an object.
 *
 * @example Describing an event
 * ```ts
 * import type { Event } from "./core_v1.ts";
 * const ev: Event = {
 *   metadata: { name: "web-0.17a", namespace: "default" },
 *   involvedObject: { kind: "Pod", name: "web-0", namespace: "default" },
 *   reason: "Pulled",
 *   message: "Container image pulled",
 *   type: "Normal",
 * };
 * console.log(`${ev.involvedObject.kind}/${ev.involvedObject.name}: ${ev.reason}`);
 * ```
 */
export interface Event extends KubeObject {
  /** Object metadata. */
  metadata?: ObjectMeta;
  /** The object the event is about. */
  involvedObject: ObjectReference;
  /** Short machine-readable reason, such as `FailedScheduling`. */
  reason?: string;
  /** Human-readable description. */
  message?: string;
  /** Reporting component (legacy). */
  source?: EventSource;
  /** First time the event was seen (RFC 3339). */
  firstTimestamp?: string | null;
  /** Most recent time the event was seen (RFC 3339). */
  lastTimestamp?: string | null;
  /** How many times the event was seen. */
  count?: number;
  /** `Normal` or `Warning`. */
  type?: string;
  /** When the event was first observed, with microseconds (RFC 3339). */
  eventTime?: string | null;
  /** Data about an ongoing series of the event. */
  series?: { count?: number; lastObservedTime?: string };
  /** What action was taken or failed, such as `Binding`. */
  action?: string;
  /** A secondary object involved. */
  related?: ObjectReference;
  /** Controller that emitted the event, such as `kubernetes.io/kubelet`. */
  reportingComponent?: string;
  /** Instance of the controller, such as a node name. */
  reportingInstance?: string;
}

/**
 * Deterministic, realistic Pod objects for benchmarks: two containers with
 * env, ports, resources, probes and volume mounts; conditions; pod IPs;
 * container statuses; labels, annotations, an owner reference and (by
 * default) two managedFields entries (controller and kubelet), as a real API
 * server returns them. About 8.5 KB of JSON each with managedFields, about
 * 6 KB without.
 *
 * The same `(index, options)` always gives the same pod, so payloads and
 * results can be compared between runs and machines.
 *
 * @module
 */

import { seededRandom } from "../src/_internal/seeded_random.ts";
import type { ManagedFieldsEntry, ObjectMeta } from "../src/api/meta.ts";
import type { Container, ContainerStatus, Pod } from "../src/api/core_v1.ts";

/** Options of {@linkcode generatePod}. */
export interface GeneratePodOptions {
  /**
   * Include `metadata.managedFields` as the API server writes them.
   *
   * @default {true}
   */
  managedFields?: boolean;
  /**
   * Namespace of the pod.
   *
   * @default {"default"}
   */
  namespace?: string;
  /**
   * Seed of the pseudo-random choices; the pod depends only on the seed and the index.
   *
   * @default {1}
   */
  seed?: number;
}

const APPS = ["web", "api", "worker", "cache", "gateway", "billing", "search", "auth"] as const;
const TEAMS = ["payments", "platform", "growth", "data", "identity"] as const;
const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] as const;
const BASE_TIME_MS = Date.UTC(2024, 4, 14, 9, 30, 0);

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function hex(random: () => number, length: number): string {
  let s = "";
  while (s.length < length) s += Math.floor(random() * 0x100000000).toString(16).padStart(8, "0");
  return s.slice(0, length);
}

function uid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${
    h.slice(20)
  }`;
}

function time(offsetSeconds: number): string {
  return new Date(BASE_TIME_MS + offsetSeconds * 1000).toISOString().replace(".000Z", "Z");
}

function appContainer(random: () => number, app: string, port: number, image: string): Container {
  return {
    name: "app",
    image,
    command: [`/usr/local/bin/${app}`],
    args: ["--config=/etc/app/config.yaml", `--port=${port}`, "--log-format=json", "--v=2"],
    ports: [
      { name: "http", containerPort: port, protocol: "TCP" },
      { name: "metrics", containerPort: port + 1000, protocol: "TCP" },
    ],
    env: [
      { name: "APP_NAME", value: app },
      { name: "LOG_LEVEL", value: pick(random, ["info", "debug", "warn"]) },
      {
        name: "POD_NAME",
        valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
      },
      {
        name: "DATABASE_PASSWORD",
        valueFrom: { secretKeyRef: { name: `${app}-db`, key: "password" } },
      },
      {
        name: "FEATURE_FLAGS",
        valueFrom: { configMapKeyRef: { name: `${app}-flags`, key: "flags" } },
      },
      {
        name: "GOMAXPROCS",
        valueFrom: { resourceFieldRef: { containerName: "app", resource: "limits.cpu" } },
      },
      {
        name: "POD_IP",
        valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.podIP" } },
      },
      { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector.observability:4317" },
      { name: "OTEL_SERVICE_NAME", value: app },
    ],
    resources: {
      limits: {
        cpu: `${1 + Math.floor(random() * 4)}`,
        memory: `${256 << Math.floor(random() * 3)}Mi`,
      },
      requests: { cpu: `${100 + Math.floor(random() * 9) * 50}m`, memory: "128Mi" },
    },
    volumeMounts: [
      { name: "config", mountPath: "/etc/app", readOnly: true },
      { name: "data", mountPath: "/var/lib/app" },
      {
        name: "kube-api-access",
        mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
        readOnly: true,
      },
    ],
    livenessProbe: {
      httpGet: { path: "/healthz", port, scheme: "HTTP" },
      initialDelaySeconds: 10,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: "/readyz", port, scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: "IfNotPresent",
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    },
  };
}

function sidecarContainer(random: () => number, image: string): Container {
  return {
    name: "sidecar",
    image,
    args: ["proxy", "--concurrency=2"],
    ports: [{ name: "admin", containerPort: 15000, protocol: "TCP" }],
    env: [
      {
        name: "POD_NAME",
        valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } },
      },
      { name: "PROXY_MODE", value: pick(random, ["sidecar", "ingress"]) },
    ],
    resources: { limits: { memory: "128Mi" }, requests: { cpu: "50m", memory: "64Mi" } },
    volumeMounts: [{ name: "config", mountPath: "/etc/proxy", readOnly: true }],
    livenessProbe: { tcpSocket: { port: 15000 }, periodSeconds: 10, failureThreshold: 3 },
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: "IfNotPresent",
  };
}

function containerStatus(
  random: () => number,
  name: string,
  image: string,
  started: number,
): ContainerStatus {
  return {
    name,
    state: { running: { startedAt: time(started) } },
    lastState: {},
    ready: true,
    restartCount: Math.floor(random() * 3),
    image,
    imageID: `${image.split(":")[0]}@sha256:${hex(random, 64)}`,
    containerID: `containerd://${hex(random, 64)}`,
    started: true,
  };
}

const SET = {};
const ITEM = { ".": {} };

/** The controller's field set of the app container. */
function appContainerFieldsV1(): Record<string, unknown> {
  const env: Record<string, unknown> = { ...ITEM };
  for (const name of ["APP_NAME", "LOG_LEVEL", "POD_NAME", "DATABASE_PASSWORD", "FEATURE_FLAGS"]) {
    env[`k:{"name":"${name}"}`] = { ...ITEM, "f:name": SET, "f:value": SET };
  }
  const ports: Record<string, unknown> = { ...ITEM };
  for (const port of [8080, 9080]) {
    ports[`k:{"containerPort":${port},"protocol":"TCP"}`] = {
      ...ITEM,
      "f:containerPort": SET,
      "f:name": SET,
      "f:protocol": SET,
    };
  }
  const mounts: Record<string, unknown> = { ...ITEM };
  for (const path of ["/etc/app", "/var/lib/app"]) {
    mounts[`k:{"mountPath":"${path}"}`] = { ...ITEM, "f:mountPath": SET, "f:name": SET };
  }
  return {
    ...ITEM,
    "f:args": SET,
    "f:command": SET,
    "f:env": env,
    "f:image": SET,
    "f:imagePullPolicy": SET,
    "f:livenessProbe": {
      ".": {},
      "f:failureThreshold": SET,
      "f:httpGet": { ".": {}, "f:path": SET, "f:port": SET, "f:scheme": SET },
      "f:periodSeconds": SET,
      "f:successThreshold": SET,
      "f:timeoutSeconds": SET,
    },
    "f:name": SET,
    "f:ports": ports,
    "f:resources": { ".": {}, "f:limits": SET, "f:requests": SET },
    "f:terminationMessagePath": SET,
    "f:terminationMessagePolicy": SET,
    "f:volumeMounts": mounts,
  };
}

function managedFields(created: number, started: number): ManagedFieldsEntry[] {
  const condition = {
    ".": {},
    "f:lastProbeTime": SET,
    "f:lastTransitionTime": SET,
    "f:status": SET,
    "f:type": SET,
  };
  return [
    {
      manager: "kube-controller-manager",
      operation: "Update",
      apiVersion: "v1",
      time: time(created),
      fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": {
          "f:annotations": { ".": {}, "f:kubectl.kubernetes.io/restartedAt": SET },
          "f:generateName": SET,
          "f:labels": {
            ".": {},
            "f:app": SET,
            "f:app.kubernetes.io/name": SET,
            "f:pod-template-hash": SET,
          },
          "f:ownerReferences": { ".": {}, 'k:{"uid":"0"}': SET },
        },
        "f:spec": {
          "f:affinity": { ".": {}, "f:podAntiAffinity": SET },
          "f:containers": {
            'k:{"name":"app"}': appContainerFieldsV1(),
            'k:{"name":"sidecar"}': {
              ...ITEM,
              "f:args": SET,
              "f:image": SET,
              "f:name": SET,
              "f:resources": SET,
            },
          },
          "f:dnsPolicy": SET,
          "f:enableServiceLinks": SET,
          "f:restartPolicy": SET,
          "f:schedulerName": SET,
          "f:securityContext": SET,
          "f:serviceAccount": SET,
          "f:serviceAccountName": SET,
          "f:terminationGracePeriodSeconds": SET,
          "f:volumes": {
            ".": {},
            'k:{"name":"config"}': { ".": {}, "f:configMap": SET, "f:name": SET },
            'k:{"name":"data"}': { ".": {}, "f:emptyDir": SET, "f:name": SET },
          },
        },
      },
    },
    {
      manager: "kubelet",
      operation: "Update",
      apiVersion: "v1",
      time: time(started),
      fieldsType: "FieldsV1",
      subresource: "status",
      fieldsV1: {
        "f:status": {
          "f:conditions": {
            'k:{"type":"ContainersReady"}': condition,
            'k:{"type":"Ready"}': condition,
          },
          "f:containerStatuses": SET,
          "f:hostIP": SET,
          "f:hostIPs": SET,
          "f:phase": SET,
          "f:podIP": SET,
          "f:podIPs": { ".": {}, 'k:{"ip":"10.0.0.1"}': { ".": {}, "f:ip": SET } },
          "f:startTime": SET,
        },
      },
    },
  ];
}

/**
 * Builds the `index`-th pod of a deterministic population.
 *
 * @param index Which pod (any non-negative integer); names and IPs derive from it.
 * @param options Namespace, managedFields and seed.
 * @returns A fresh Pod object.
 *
 * @example Building a watch payload
 * ```ts
 * import { generatePod } from "./_pod_generator.ts";
 * const line = JSON.stringify({ type: "ADDED", object: generatePod(0) });
 * console.log(line.length > 4000);
 * ```
 */
export function generatePod(index: number, options: GeneratePodOptions = {}): Pod {
  const namespace = options.namespace ?? "default";
  const seed = options.seed ?? 1;
  const random = seededRandom(
    Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35),
  );
  const app = pick(random, APPS);
  const team = pick(random, TEAMS);
  const zone = pick(random, ZONES);
  const hash = hex(random, 10);
  const suffix = hex(random, 5);
  const name = `${app}-${hash}-${suffix}`;
  const node = `node-${zone.slice(-2)}-${(index % 97).toString().padStart(3, "0")}`;
  const created = index * 7;
  const started = created + 3 + Math.floor(random() * 20);
  const version = `1.${Math.floor(random() * 20)}.${Math.floor(random() * 10)}`;
  const appImage = `registry.example.com/${team}/${app}:v${version}`;
  const sidecarImage = "registry.example.com/platform/envoy-proxy:v1.30.2";
  const podIP = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  const hostIP = `192.168.${(index % 97) >> 4}.${10 + (index % 97)}`;
  const metadata: ObjectMeta = {
    name,
    generateName: `${app}-${hash}-`,
    namespace,
    uid: uid(random),
    resourceVersion: String(1000 + index),
    creationTimestamp: time(created),
    labels: {
      app,
      "app.kubernetes.io/name": app,
      "app.kubernetes.io/part-of": team,
      "app.kubernetes.io/version": version,
      "pod-template-hash": hash,
      tier: pick(random, ["frontend", "backend"]),
    },
    annotations: {
      "kubectl.kubernetes.io/restartedAt": time(created - 3600),
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "9080",
      "example.com/owner-team": team,
      "example.com/on-call": `${team}-oncall@example.com`,
    },
    ownerReferences: [
      {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: `${app}-${hash}`,
        uid: uid(random),
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
  const pod: Pod = {
    kind: "Pod",
    apiVersion: "v1",
    metadata,
    spec: {
      volumes: [
        { name: "config", configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: "data", emptyDir: { sizeLimit: "1Gi" } },
        {
          name: "kube-api-access",
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              {
                configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        appContainer(random, app, 8080, appImage),
        sidecarContainer(random, sidecarImage),
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: app,
      nodeName: node,
      schedulerName: "default-scheduler",
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { app, "pod-template-hash": hash } },
              topologyKey: "topology.kubernetes.io/zone",
            },
          }],
        },
      },
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      phase: "Running",
      conditions: [
        {
          type: "Initialized",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: time(created + 1),
        },
        {
          type: "Ready",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: time(started + 8),
        },
        {
          type: "ContainersReady",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: time(started + 8),
        },
        {
          type: "PodScheduled",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: time(created),
        },
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }, { ip: `fd00:10::${index.toString(16)}` }],
      startTime: time(created + 1),
      containerStatuses: [
        containerStatus(random, "app", appImage, started),
        containerStatus(random, "sidecar", sidecarImage, started),
      ],
      qosClass: "Burstable",
    },
  };
  if (options.managedFields ?? true) metadata.managedFields = managedFields(created, started);
  return pod;
}

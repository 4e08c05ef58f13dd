/**
 * Server-side Table printers for the kinds kubectl users look at most: the
 * columns and cells of kube-apiserver's `pkg/printers/internalversion/printers.go`
 * (k8s.io/kubernetes v1.37.2) for pods, deployments, services, nodes,
 * namespaces, configmaps, secrets and serviceaccounts. A real server fills
 * every cell, the `-o wide` ones (priority 1) included, and kubectl hides
 * priority-1 columns unless asked for `-o wide`.
 *
 * Defaults a real server would have stored (`spec.replicas` 1, service
 * `type` ClusterIP, port `protocol` TCP) are assumed when a field is absent,
 * since the fake does not default objects.
 *
 * @module
 */

/** A Table column definition, as `meta.k8s.io/v1` serializes it. */
export interface TableColumn {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

/** The columns and row builder of one kind. */
export interface TablePrinter {
  readonly columns: readonly TableColumn[];
  /** The cells of one object; `now` is the server clock, for the Age column. */
  cells(object: Obj, now: number): unknown[];
  /** Row conditions (pods that completed). */
  conditions?(object: Obj): unknown[] | undefined;
}

// deno-lint-ignore no-explicit-any -- objects are arbitrary stored JSON, read defensively
type Obj = any;

const NAME_DOC = "Name of the object, unique within its namespace.";
const AGE_DOC = "Time since the object was created.";

function column(name: string, description: string, priority = 0, format = ""): TableColumn {
  return { name, type: "string", format, description, priority };
}

const NAME = column("Name", NAME_DOC, 0, "name");
const AGE = column("Age", AGE_DOC);

/** apimachinery's `duration.HumanDuration`. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${hours / 24 | 0}d` : `${hours / 24 | 0}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${hours / 24 | 0}d`;
  if (hours < 24 * 365 * 8) {
    const dy = (hours / 24 | 0) % 365;
    const y = hours / 24 / 365 | 0;
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${hours / 24 / 365 | 0}y`;
}

function age(object: Obj, now: number): string {
  const ts = object?.metadata?.creationTimestamp;
  const at = typeof ts === "string" ? Date.parse(ts) : NaN;
  return Number.isNaN(at) ? "<unknown>" : humanDuration(now - at);
}

function list(value: unknown): Obj[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function int(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function sortedKeys(value: unknown): string[] {
  return value !== null && typeof value === "object" ? Object.keys(value).sort() : [];
}

/** `labels.Set.String()`: `k=v` pairs sorted by key, comma-separated. */
function formatLabels(map: unknown): string {
  const text = sortedKeys(map).map((k) => `${k}=${(map as Record<string, unknown>)[k]}`).join(",");
  return text === "" ? "<none>" : text;
}

/** `metav1.LabelSelectorAsSelector(s).String()`. */
function formatSelector(selector: Obj): string {
  if (selector === null || typeof selector !== "object") return "";
  const reqs: [string, string][] = [];
  for (const k of sortedKeys(selector.matchLabels)) {
    reqs.push([k, `${k}=${selector.matchLabels[k]}`]);
  }
  for (const e of list(selector.matchExpressions)) {
    const key = str(e?.key);
    const values = list(e?.values).map(String).sort().join(",");
    switch (e?.operator) {
      case "In":
        reqs.push([key, `${key} in (${values})`]);
        break;
      case "NotIn":
        reqs.push([key, `${key} notin (${values})`]);
        break;
      case "Exists":
        reqs.push([key, key]);
        break;
      case "DoesNotExist":
        reqs.push([key, `!${key}`]);
        break;
      default:
        return "<invalid>";
    }
  }
  return reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((r) => r[1]).join(",");
}

interface PodSummary {
  ready: number;
  total: number;
  reason: string;
  restarts: number;
  /** When the last restarted container finished (epoch ms), 0 if unknown. */
  lastRestart: number;
}

/** printPod's Ready, Status and Restarts logic. */
function podSummary(pod: Obj): PodSummary {
  const spec = pod?.spec ?? {};
  const status = pod?.status ?? {};
  const conditions = list(status.conditions);
  const initSpecs = new Map<string, Obj>(list(spec.initContainers).map((c) => [str(c?.name), c]));
  const restartable = (name: string) => initSpecs.get(name)?.restartPolicy === "Always";
  let total = list(spec.containers).length;
  for (const c of initSpecs.values()) if (c?.restartPolicy === "Always") total++;
  let ready = 0;
  let restarts = 0;
  let restartableRestarts = 0;
  let lastRestart = 0;
  let lastRestartableRestart = 0;
  const finishedAt = (cs: Obj) => {
    const t = cs?.lastState?.terminated?.finishedAt;
    return typeof t === "string" ? Date.parse(t) || 0 : 0;
  };
  let reason = str(status.reason) || str(status.phase);
  for (const c of conditions) {
    if (c?.type === "PodScheduled" && c?.reason === "SchedulingGated") reason = "SchedulingGated";
  }
  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += int(cs?.restartCount);
    lastRestart = Math.max(lastRestart, finishedAt(cs));
    if (restartable(str(cs?.name))) {
      restartableRestarts += int(cs?.restartCount);
      lastRestartableRestart = Math.max(lastRestartableRestart, finishedAt(cs));
    }
    const terminated = cs?.state?.terminated;
    const waiting = cs?.state?.waiting;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (restartable(str(cs?.name)) && cs?.started === true) {
      if (cs?.ready === true) ready++;
      continue;
    }
    if (terminated) {
      reason = str(terminated.reason) !== ""
        ? `Init:${terminated.reason}`
        : int(terminated.signal) !== 0
        ? `Init:Signal:${terminated.signal}`
        : `Init:ExitCode:${int(terminated.exitCode)}`;
    } else if (waiting && str(waiting.reason) !== "" && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.size}`;
    }
    initializing = true;
    break;
  }
  const initialized = conditions.find((c) => c?.type === "Initialized");
  if (!initializing || initialized?.status === "True") {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    let hasRunning = false;
    let errorReason = "";
    const statuses = list(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs?.restartCount);
      lastRestart = Math.max(lastRestart, finishedAt(cs));
      const waiting = cs?.state?.waiting;
      const terminated = cs?.state?.terminated;
      if (waiting && str(waiting.reason) !== "") reason = waiting.reason;
      else if (terminated) {
        reason = str(terminated.reason) !== ""
          ? terminated.reason
          : int(terminated.signal) !== 0
          ? `Signal:${terminated.signal}`
          : `ExitCode:${int(terminated.exitCode)}`;
        if (int(terminated.exitCode) !== 0) errorReason = reason;
      } else if (cs?.ready === true && cs?.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed") {
      const podReady = conditions.some((c) => c?.type === "Ready" && c?.status === "True");
      if (hasRunning && podReady) reason = "Running";
      else if (errorReason !== "") reason = errorReason;
      else if (hasRunning) reason = "NotReady";
    }
  }
  const deleting = pod?.metadata?.deletionTimestamp !== undefined &&
    pod?.metadata?.deletionTimestamp !== null;
  if (deleting && status.reason === "NodeLost") reason = "Unknown";
  else if (deleting && status.phase !== "Succeeded" && status.phase !== "Failed") {
    reason = "Terminating";
  }
  return { ready, total, reason, restarts, lastRestart };
}

const POD: TablePrinter = {
  columns: [
    NAME,
    column("Ready", "Containers ready out of containers in the pod."),
    column("Status", "Phase of the pod, or the reason a container is not running."),
    column(
      "Restarts",
      "Container restarts in all, and how long ago the last one was.",
    ),
    AGE,
    column(
      "IP",
      "IP address of the pod, once it has one.",
      1,
    ),
    column(
      "Node",
      "Node the pod is bound to, if any.",
      1,
    ),
    column(
      "Nominated Node",
      "Node the scheduler nominated after preempting pods there.",
      1,
    ),
    column(
      "Readiness Gates",
      "Readiness gates met out of readiness gates.",
      1,
    ),
  ],
  cells(pod, now) {
    const r = podSummary(pod);
    const restarts = r.restarts !== 0 && r.lastRestart > 0
      ? `${r.restarts} (${humanDuration(now - r.lastRestart)} ago)`
      : String(r.restarts);
    const status = pod?.status ?? {};
    const gates = list(pod?.spec?.readinessGates);
    let readinessGates = "<none>";
    if (gates.length > 0) {
      const conditions = list(status.conditions);
      const trueCount = gates.filter((g) =>
        conditions.find((c) => c?.type === g?.conditionType)?.status === "True"
      ).length;
      readinessGates = `${trueCount}/${gates.length}`;
    }
    return [
      str(pod?.metadata?.name),
      `${r.ready}/${r.total}`,
      r.reason,
      restarts,
      age(pod, now),
      // A real server fills podIPs from podIP (v1 → internal conversion).
      str(list(status.podIPs)[0]?.ip) || str(status.podIP) || "<none>",
      str(pod?.spec?.nodeName) || "<none>",
      str(status.nominatedNodeName) || "<none>",
      readinessGates,
    ];
  },
  conditions(pod) {
    const phase = pod?.status?.phase;
    if (phase !== "Succeeded" && phase !== "Failed") return undefined;
    return [{
      type: "Completed",
      status: "True",
      reason: phase,
      message: phase === "Succeeded" ? "The pod has completed successfully." : "The pod failed.",
    }];
  },
};

const DEPLOYMENT: TablePrinter = {
  columns: [
    NAME,
    column("Ready", "Ready replicas out of desired replicas."),
    column(
      "Up-to-date",
      "Replicas running the current pod template.",
    ),
    column(
      "Available",
      "Replicas available for at least minReadySeconds.",
    ),
    AGE,
    column("Containers", "Container names of the pod template.", 1),
    column("Images", "Container images of the pod template.", 1),
    column(
      "Selector",
      "Label selector of the pods it manages.",
      1,
    ),
  ],
  cells(d, now) {
    const status = d?.status ?? {};
    const desired = typeof d?.spec?.replicas === "number" ? d.spec.replicas : 1;
    const containers = list(d?.spec?.template?.spec?.containers);
    return [
      str(d?.metadata?.name),
      `${int(status.readyReplicas)}/${desired}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      age(d, now),
      containers.map((c) => str(c?.name)).join(","),
      containers.map((c) => str(c?.image)).join(","),
      formatSelector(d?.spec?.selector),
    ];
  },
};

function loadBalancerIps(svc: Obj): string {
  const ips = new Set<string>();
  for (const i of list(svc?.status?.loadBalancer?.ingress)) {
    if (str(i?.ip) !== "") ips.add(i.ip);
    else if (str(i?.hostname) !== "") ips.add(i.hostname);
  }
  return [...ips].sort().join(",");
}

function serviceExternalIp(svc: Obj): string {
  const spec = svc?.spec ?? {};
  const external = list(spec.externalIPs).map(String);
  switch (spec.type ?? "ClusterIP") {
    case "ClusterIP":
    case "NodePort":
      return external.length > 0 ? external.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = loadBalancerIps(svc);
      if (external.length > 0) return [...(lb === "" ? [] : lb.split(",")), ...external].join(",");
      return lb !== "" ? lb : "<pending>";
    }
    case "ExternalName":
      return str(spec.externalName);
    default:
      return "<unknown>";
  }
}

const SERVICE: TablePrinter = {
  columns: [
    NAME,
    column(
      "Type",
      "Type of the service: ClusterIP, NodePort, LoadBalancer or ExternalName.",
    ),
    column(
      "Cluster-IP",
      "Virtual IP address of the service, or None for a headless one.",
    ),
    column(
      "External-IP",
      "External addresses of the service.",
    ),
    column(
      "Port(s)",
      "Ports of the service, with node ports and protocols.",
    ),
    AGE,
    column(
      "Selector",
      "Label selector of the pods behind the service.",
      1,
    ),
  ],
  cells(svc, now) {
    const spec = svc?.spec ?? {};
    const ports = list(spec.ports).map((p) => {
      const protocol = str(p?.protocol) || "TCP";
      return int(p?.nodePort) > 0
        ? `${int(p?.port)}:${p.nodePort}/${protocol}`
        : `${int(p?.port)}/${protocol}`;
    }).join(",");
    return [
      str(svc?.metadata?.name),
      str(spec.type) || "ClusterIP",
      str(list(spec.clusterIPs)[0]) || str(spec.clusterIP) || "<none>",
      serviceExternalIp(svc),
      ports || "<none>",
      age(svc, now),
      formatLabels(spec.selector),
    ];
  },
};

function nodeAddress(node: Obj, type: string): string {
  return str(list(node?.status?.addresses).find((a) => a?.type === type)?.address) || "<none>";
}

const NODE: TablePrinter = {
  columns: [
    NAME,
    column("Status", "Ready or not, and whether scheduling is disabled."),
    column("Roles", "Roles from the node's role labels."),
    AGE,
    column("Version", "Kubelet version of the node."),
    column(
      "Internal-IP",
      "Internal address of the node.",
      1,
    ),
    column(
      "External-IP",
      "External address of the node.",
      1,
    ),
    column(
      "OS-Image",
      "Operating system image of the node.",
      1,
    ),
    column(
      "Kernel-Version",
      "Kernel version of the node.",
      1,
    ),
    column(
      "Container-Runtime",
      "Container runtime and its version.",
      1,
    ),
  ],
  cells(node, now) {
    const ready = list(node?.status?.conditions).findLast((c) => c?.type === "Ready");
    const status = ready === undefined
      ? ["Unknown"]
      : [ready.status === "True" ? "Ready" : "NotReady"];
    if (node?.spec?.unschedulable === true) status.push("SchedulingDisabled");
    const roles = new Set<string>();
    const labels = node?.metadata?.labels ?? {};
    for (const k of sortedKeys(labels)) {
      if (k.startsWith("node-role.kubernetes.io/")) {
        const role = k.slice("node-role.kubernetes.io/".length);
        if (role !== "") roles.add(role);
      } else if (k === "kubernetes.io/role" && str(labels[k]) !== "") roles.add(labels[k]);
    }
    const info = node?.status?.nodeInfo ?? {};
    let kernel = str(info.kernelVersion) || "<unknown>";
    if (str(info.architecture) !== "") kernel += ` (${info.architecture})`;
    return [
      str(node?.metadata?.name),
      status.join(","),
      [...roles].sort().join(",") || "<none>",
      age(node, now),
      str(info.kubeletVersion),
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      str(info.osImage) || "<unknown>",
      kernel,
      str(info.containerRuntimeVersion) || "<unknown>",
    ];
  },
};

const NAMESPACE: TablePrinter = {
  columns: [NAME, column("Status", "Phase of the namespace."), AGE],
  cells: (ns, now) => [str(ns?.metadata?.name), str(ns?.status?.phase), age(ns, now)],
};

const CONFIG_MAP: TablePrinter = {
  columns: [
    NAME,
    column(
      "Data",
      "Number of keys in data and binaryData.",
    ),
    AGE,
  ],
  cells: (cm, now) => [
    str(cm?.metadata?.name),
    sortedKeys(cm?.data).length + sortedKeys(cm?.binaryData).length,
    age(cm, now),
  ],
};

const SECRET: TablePrinter = {
  columns: [
    NAME,
    column(
      "Type",
      "Type of the secret.",
    ),
    column(
      "Data",
      "Number of keys in data.",
    ),
    AGE,
  ],
  cells: (s, now) => [
    str(s?.metadata?.name),
    str(s?.type) || "Opaque",
    sortedKeys(s?.data).length,
    age(s, now),
  ],
};

const SERVICE_ACCOUNT: TablePrinter = {
  columns: [NAME, AGE],
  cells: (sa, now) => [str(sa?.metadata?.name), age(sa, now)],
};

/** `apiVersion/kind` → printer; kinds not listed get the default Name / Created At table. */
export const TABLE_PRINTERS: ReadonlyMap<string, TablePrinter> = new Map([
  ["v1/Pod", POD],
  ["apps/v1/Deployment", DEPLOYMENT],
  ["v1/Service", SERVICE],
  ["v1/Node", NODE],
  ["v1/Namespace", NAMESPACE],
  ["v1/ConfigMap", CONFIG_MAP],
  ["v1/Secret", SECRET],
  ["v1/ServiceAccount", SERVICE_ACCOUNT],
]);

import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  BUILTIN_RESOURCES,
  configMaps,
  cronJobs,
  daemonSets,
  deployments,
  endpoints,
  events,
  ingresses,
  jobs,
  KUBERNETES_RESOURCES,
  leases,
  namespaces,
  nodes,
  pods,
  replicaSets,
  secrets,
  services,
  statefulSets,
} from "../../src/api/resources.ts";
import type { ResourceDescriptor } from "../../src/api/resource.ts";

type Row = [
  ResourceDescriptor,
  apiVersion: string,
  listKind: string,
  plural: string,
  singular: string,
  namespaced: boolean,
  shortNames: string[],
  categories: string[],
  subresources: string[],
];

// Facts of a real kube-apiserver 1.37's discovery.
const EXPECTED: Row[] = [
  [pods, "v1", "PodList", "pods", "pod", true, ["po"], ["all"], [
    "attach",
    "binding",
    "ephemeralcontainers",
    "eviction",
    "exec",
    "log",
    "portforward",
    "proxy",
    "resize",
    "status",
  ]],
  [services, "v1", "ServiceList", "services", "service", true, ["svc"], ["all"], [
    "proxy",
    "status",
  ]],
  [endpoints, "v1", "EndpointsList", "endpoints", "endpoints", true, ["ep"], [], []],
  [nodes, "v1", "NodeList", "nodes", "node", false, ["no"], [], ["proxy", "status"]],
  [namespaces, "v1", "NamespaceList", "namespaces", "namespace", false, ["ns"], [], [
    "finalize",
    "status",
  ]],
  [configMaps, "v1", "ConfigMapList", "configmaps", "configmap", true, ["cm"], [], []],
  [secrets, "v1", "SecretList", "secrets", "secret", true, [], [], []],
  [events, "v1", "EventList", "events", "event", true, ["ev"], [], []],
  [replicaSets, "apps/v1", "ReplicaSetList", "replicasets", "replicaset", true, ["rs"], ["all"], [
    "scale",
    "status",
  ]],
  [deployments, "apps/v1", "DeploymentList", "deployments", "deployment", true, ["deploy"], [
    "all",
  ], ["scale", "status"]],
  [statefulSets, "apps/v1", "StatefulSetList", "statefulsets", "statefulset", true, ["sts"], [
    "all",
  ], ["scale", "status"]],
  [daemonSets, "apps/v1", "DaemonSetList", "daemonsets", "daemonset", true, ["ds"], ["all"], [
    "status",
  ]],
  [jobs, "batch/v1", "JobList", "jobs", "job", true, [], ["all"], ["status"]],
  [cronJobs, "batch/v1", "CronJobList", "cronjobs", "cronjob", true, ["cj"], ["all"], ["status"]],
  [ingresses, "networking.k8s.io/v1", "IngressList", "ingresses", "ingress", true, ["ing"], [], [
    "status",
  ]],
  [leases, "coordination.k8s.io/v1", "LeaseList", "leases", "lease", true, [], [], []],
];

Deno.test("built-in descriptors carry the apiVersion, listKind and names real servers publish", () => {
  for (
    const [d, apiVersion, listKind, plural, singular, namespaced, shorts, cats, subs] of EXPECTED
  ) {
    const label = d.kind;
    assertEquals(d.apiVersion, apiVersion, label);
    assertEquals(d.listKind, listKind, label);
    assertEquals(d.plural, plural, label);
    assertEquals(d.singular, singular, label);
    assertEquals(d.namespaced, namespaced, label);
    assertEquals([...d.shortNames], shorts, label);
    assertEquals([...d.categories], cats, label);
    assertEquals([...d.subresources], subs, label);
    const expectedGroup = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    assertEquals(d.group, expectedGroup, label);
    assertEquals(d.version, "v1", label);
  }
});

Deno.test("BUILTIN_RESOURCES keeps the long-standing descriptors exactly once", () => {
  assertEquals(BUILTIN_RESOURCES.length, EXPECTED.length);
  assertEquals(new Set(BUILTIN_RESOURCES), new Set(EXPECTED.map((row) => row[0])));
});

Deno.test("KUBERNETES_RESOURCES holds the 71 resources of a real server, the built-ins included", () => {
  assertEquals(KUBERNETES_RESOURCES.length, 71);
  for (const d of BUILTIN_RESOURCES) assert(KUBERNETES_RESOURCES.includes(d), d.kind);
  const tokenReviews = KUBERNETES_RESOURCES.find((r) => r.plural === "tokenreviews");
  assertEquals([tokenReviews?.apiVersion, tokenReviews?.verbs], ["authentication.k8s.io/v1", [
    "create",
  ]]);
  const hpa = KUBERNETES_RESOURCES.find((r) => r.plural === "horizontalpodautoscalers");
  assertEquals([hpa?.apiVersion, hpa?.shortNames], ["autoscaling/v2", ["hpa"]]);
  const crds = KUBERNETES_RESOURCES.find((r) => r.kind === "CustomResourceDefinition");
  assertEquals([crds?.namespaced, crds?.shortNames, crds?.categories], [false, ["crd", "crds"], [
    "api-extensions",
  ]]);
});

Deno.test("KUBERNETES_RESOURCES has unique group+plural, kinds and short names", () => {
  const ids = KUBERNETES_RESOURCES.map((r) => `${r.group}/${r.plural}`);
  assertEquals(new Set(ids).size, ids.length);
  const kinds = KUBERNETES_RESOURCES.map((r) => `${r.group}/${r.kind}`);
  assertEquals(new Set(kinds).size, kinds.length);
  // A short name names one plural (`ev` is both groups' `events`, as on a real server).
  const pluralOf = new Map<string, string>();
  for (const r of KUBERNETES_RESOURCES) {
    for (const short of r.shortNames) {
      assertEquals(pluralOf.get(short) ?? r.plural, r.plural, short);
      pluralOf.set(short, r.plural);
    }
  }
  assertEquals(pluralOf.get("ev"), "events");
});

Deno.test("built-in descriptors and BUILTIN_RESOURCES are frozen", () => {
  assert(Object.isFrozen(BUILTIN_RESOURCES));
  assert(Object.isFrozen(KUBERNETES_RESOURCES));
  for (const d of KUBERNETES_RESOURCES) {
    assert(Object.isFrozen(d), d.kind);
    assert(Object.isFrozen(d.shortNames), d.kind);
    assert(Object.isFrozen(d.subresources), d.kind);
    assert(Object.isFrozen(d.verbs), d.kind);
  }
});

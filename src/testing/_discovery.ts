/**
 * Legacy discovery documents (`/api`, `/apis`, `/apis/{group}`, group-version
 * resource lists) and `/version`, enough for kubectl and client-go's
 * discovery fallback (aggregated discovery is not offered: responses are
 * plain `application/json`).
 *
 * @module
 */

import type { ResourceDescriptor } from "../api/resource.ts";
import {
  clusterRoleBindings,
  clusterRoles,
  podDisruptionBudgets,
  priorityClasses,
  resourceQuotas,
  roleBindings,
  roles,
  serviceAccounts,
} from "../api/resources.ts";
import type { ResourceTable } from "./_object_store.ts";

/**
 * The kinds the fake served beyond `BUILTIN_RESOURCES` before every resource was generated
 * (for kubectl's `create` generators), kept as a list for the protobuf schema, which covers
 * these and the built-ins. The fake now serves all of `KUBERNETES_RESOURCES`.
 */
export const FAKE_ONLY_RESOURCES: readonly ResourceDescriptor[] = Object.freeze([
  serviceAccounts,
  resourceQuotas,
  roles,
  roleBindings,
  clusterRoles,
  clusterRoleBindings,
  priorityClasses,
  podDisruptionBudgets,
]);

/** How a subresource appears in discovery: its own kind when it has one, and its verbs. */
export interface SubresourceInfo {
  /** Group of the subresource's kind, when it differs from the parent's. */
  readonly group?: string;
  /** Version of the subresource's kind, when it differs from the parent's. */
  readonly version?: string;
  /** Kind of the subresource; the parent's when absent. */
  readonly kind?: string;
  /** Verbs the subresource serves. */
  readonly verbs: readonly string[];
}

/**
 * Subresources by name, as a real kube-apiserver lists them: `scale` speaks `autoscaling/v1`
 * `Scale` (client-go's scale client resolves the kind from this entry), `finalize` only updates.
 */
const SUBRESOURCES: Readonly<Record<string, SubresourceInfo>> = {
  status: { verbs: ["get", "patch", "update"] },
  scale: { group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] },
  finalize: { verbs: ["update"] },
  log: { verbs: ["get"] },
  binding: { kind: "Binding", verbs: ["create"] },
  eviction: { group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] },
  ephemeralcontainers: { verbs: ["get", "patch", "update"] },
};

const DEFAULT_SUBRESOURCE: SubresourceInfo = { verbs: ["get", "patch", "update"] };

/**
 * Subresources the fake serves beyond a descriptor's own, by `group/plural`: the namespace
 * controller's `finalize`, which the typed descriptors leave out.
 */
const EXTRA_SUBRESOURCES: Readonly<Record<string, readonly string[]>> = {
  "/namespaces": ["finalize"],
};

/**
 * The subresources served for a resource: those of the descriptor the fake has handlers for
 * (streaming ones such as `exec`, `attach`, `portforward` and `proxy` are left out, so they
 * answer 404), plus the fake's extras.
 */
export function servedSubresources(descriptor: ResourceDescriptor): readonly string[] {
  const extra = EXTRA_SUBRESOURCES[`${descriptor.group}/${descriptor.plural}`] ?? [];
  const handled = descriptor.subresources.filter((s) => HANDLED_SUBRESOURCES.has(s));
  return [...new Set([...handled, ...extra])];
}

/**
 * Subresources every resource that lists them gets from the fake: the generic ones plus the
 * ones with their own routes. Custom resources' `status` and `scale` are among them.
 */
const HANDLED_SUBRESOURCES: ReadonlySet<string> = new Set([
  "status",
  "scale",
  "finalize",
  "log",
  "binding",
  "eviction",
  "ephemeralcontainers",
]);

/** Discovery facts of a subresource (kind and verbs). */
export function subresourceInfo(name: string): SubresourceInfo {
  return SUBRESOURCES[name] ?? DEFAULT_SUBRESOURCE;
}

/** The `/version` document. */
export const VERSION_INFO: Readonly<Record<string, string>> = Object.freeze({
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.23.4",
  compiler: "gc",
  platform: "linux/amd64",
});

/** `GET /api`. */
export function apiVersions(serverAddress: string): unknown {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

interface GroupInfo {
  name: string;
  versions: string[];
}

function groups(tables: Iterable<ResourceTable>): GroupInfo[] {
  const byName = new Map<string, GroupInfo>();
  for (const table of tables) {
    const { group, version } = table.descriptor;
    if (group === "") continue;
    let info = byName.get(group);
    if (info === undefined) {
      info = { name: group, versions: [] };
      byName.set(group, info);
    }
    if (!info.versions.includes(version)) info.versions.push(version);
  }
  return [...byName.values()];
}

function groupJson(info: GroupInfo): Record<string, unknown> {
  const versions = info.versions.map((v) => ({ groupVersion: `${info.name}/${v}`, version: v }));
  return { name: info.name, versions, preferredVersion: versions[0] };
}

/** `GET /apis`. */
export function apiGroupList(tables: Iterable<ResourceTable>): unknown {
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups(tables).map(groupJson) };
}

/** `GET /apis/{group}`, or undefined for an unknown group. */
export function apiGroup(tables: Iterable<ResourceTable>, group: string): unknown {
  const info = groups(tables).find((g) => g.name === group);
  if (info === undefined) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupJson(info) };
}

/** `GET /api/v1` or `GET /apis/{group}/{version}`, or undefined for an unknown group version. */
export function apiResourceList(
  tables: Iterable<ResourceTable>,
  group: string,
  version: string,
): unknown {
  const resources: Record<string, unknown>[] = [];
  for (const table of tables) {
    const d = table.descriptor;
    if (d.group !== group || d.version !== version) continue;
    const entry: Record<string, unknown> = {
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: [...d.verbs],
    };
    if (d.shortNames.length > 0) entry.shortNames = [...d.shortNames];
    if (d.categories.length > 0) entry.categories = [...d.categories];
    resources.push(entry);
    for (const sub of servedSubresources(d)) {
      const info = subresourceInfo(sub);
      const subEntry: Record<string, unknown> = {
        name: `${d.plural}/${sub}`,
        singularName: "",
        namespaced: d.namespaced,
      };
      if (info.group !== undefined) subEntry.group = info.group;
      if (info.version !== undefined) subEntry.version = info.version;
      subEntry.kind = info.kind ?? d.kind;
      subEntry.verbs = [...info.verbs];
      resources.push(subEntry);
    }
  }
  if (resources.length === 0) return undefined;
  const groupVersion = group === "" ? version : `${group}/${version}`;
  const list: Record<string, unknown> = { kind: "APIResourceList" };
  if (group !== "") list.apiVersion = "v1";
  list.groupVersion = groupVersion;
  list.resources = resources;
  return list;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0").toUpperCase();
}

function groupVersionPath(group: string, version: string): string {
  return group === "" ? `api/${version}` : `apis/${group}/${version}`;
}

/**
 * `GET /openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`: a
 * minimal OpenAPI v3 document with one PATCH operation per kind, tagged with
 * its group/version/kind and declaring the `fieldValidation` query
 * parameter. That is what kubectl reads to decide that the server validates
 * fields itself (so `kubectl create -f` needs no schemas). Undefined for an
 * unknown group version.
 */
export function openApiV3GroupVersion(
  tables: Iterable<ResourceTable>,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const paths: Record<string, unknown> = {};
  for (const table of tables) {
    const d = table.descriptor;
    if (d.group !== group || d.version !== version) continue;
    const base = `/${groupVersionPath(group, version)}`;
    const path = d.namespaced
      ? `${base}/namespaces/{namespace}/${d.plural}/{name}`
      : `${base}/${d.plural}/{name}`;
    paths[path] = {
      patch: {
        operationId: `patch${d.kind}`,
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: d.group, version: d.version, kind: d.kind },
        parameters: [
          { name: "fieldManager", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "fieldValidation", in: "query", schema: { type: "string", uniqueItems: true } },
          { name: "dryRun", in: "query", schema: { type: "string", uniqueItems: true } },
        ],
        responses: { "200": { description: "OK" } },
      },
    };
  }
  if (Object.keys(paths).length === 0) return undefined;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: VERSION_INFO.gitVersion },
    paths,
    components: {},
  };
}

/** `GET /openapi/v3`: where each group version's document is, with a content hash. */
export function openApiV3Root(tables: Iterable<ResourceTable>): Record<string, unknown> {
  const list = [...tables];
  const seen = new Set<string>();
  const paths: Record<string, unknown> = {};
  for (const table of list) {
    const { group, version } = table.descriptor;
    const key = groupVersionPath(group, version);
    if (seen.has(key)) continue;
    seen.add(key);
    const doc = openApiV3GroupVersion(list, group, version);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${fnv1a(JSON.stringify(doc))}` };
  }
  return { paths };
}

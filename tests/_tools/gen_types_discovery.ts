/**
 * Captures the discovery facts of a real kube-apiserver that its OpenAPI spec does not hold
 * (preferred versions, singular names, short names, categories, verbs) into
 * `tests/_tools/gen_types_discovery.json`, which `gen_types.ts` reads. Run it once per
 * Kubernetes release against the control plane of `tests/real_apiserver/`:
 *
 * ```sh
 * deno run -A tests/_tools/gen_types_discovery.ts            # starts and stops a control plane
 * KUBESNAP_CONTROL_PLANE=/tmp/.../control-plane.json deno run -A tests/_tools/gen_types_discovery.ts
 * ```
 *
 * @module
 */

import { rawFetch } from "../real_apiserver/_cluster.ts";
import { type ControlPlaneInfo, startControlPlane } from "../real_apiserver/control_plane.ts";

/** One resource of the preferred version of a group, as the fixture stores it. */
export interface DiscoveredResource {
  resource: string;
  kind: string;
  scope: "Namespaced" | "Cluster";
  singular: string;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: { name: string; kind: string; verbs: string[] }[];
}

/** One API group: its versions, preferred first, and the resources of the preferred one. */
export interface DiscoveredGroup {
  group: string;
  versions: string[];
  resources: DiscoveredResource[];
}

/** The fixture: the server's version and its groups in discovery order (core first). */
export interface DiscoveryFixture {
  kubernetesVersion: string;
  groups: DiscoveredGroup[];
}

const ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const FIXTURE = new URL("./gen_types_discovery.json", import.meta.url);

interface AggregatedList {
  items: {
    metadata: { name?: string };
    versions: {
      version: string;
      resources: {
        resource: string;
        responseKind?: { group: string; version: string; kind: string };
        scope: "Namespaced" | "Cluster";
        singularResource: string;
        shortNames?: string[];
        categories?: string[];
        verbs: string[];
        subresources?: {
          subresource: string;
          responseKind?: { group: string; version: string; kind: string };
          verbs: string[];
        }[];
      }[];
    }[];
  }[];
}

async function capture(info: ControlPlaneInfo): Promise<DiscoveryFixture> {
  const raw = rawFetch(info);
  try {
    const groups: DiscoveredGroup[] = [];
    for (const path of ["/api", "/apis"]) {
      const response = await raw.fetch(path, { headers: { accept: ACCEPT } });
      if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
      const list = await response.json() as AggregatedList;
      for (const item of list.items) {
        const preferred = item.versions[0]!;
        groups.push({
          group: item.metadata.name ?? "",
          versions: item.versions.map((v) => v.version),
          resources: preferred.resources.map((r) => ({
            resource: r.resource,
            kind: r.responseKind?.kind ?? "",
            scope: r.scope,
            singular: r.singularResource,
            shortNames: r.shortNames ?? [],
            categories: r.categories ?? [],
            verbs: r.verbs,
            subresources: (r.subresources ?? []).map((s) => ({
              name: s.subresource,
              kind: s.responseKind === undefined ? "" : [
                s.responseKind.group,
                s.responseKind.version,
                s.responseKind.kind,
              ].join("/"),
              verbs: s.verbs,
            })),
          })),
        });
      }
    }
    const version = await (await raw.fetch("/version")).json() as { gitVersion: string };
    return { kubernetesVersion: version.gitVersion, groups };
  } finally {
    raw.close();
  }
}

if (import.meta.main) {
  const infoFile = Deno.env.get("KUBESNAP_CONTROL_PLANE");
  let fixture: DiscoveryFixture;
  if (infoFile !== undefined) {
    fixture = await capture(JSON.parse(await Deno.readTextFile(infoFile)));
  } else {
    const env = await Deno.readTextFile(new URL("../real_apiserver/versions.env", import.meta.url));
    const pinned = (key: string) => env.match(new RegExp(`^${key}=(\\S+)`, "m"))?.[1];
    const binDir = `${Deno.env.get("HOME")}/.cache/kubesnap/control-plane/kubernetes-${
      pinned("KUBERNETES_VERSION")
    }_etcd-${pinned("ETCD_VERSION")}`;
    await using plane = await startControlPlane({ binDir });
    fixture = await capture(plane.info);
  }
  await Deno.writeTextFile(FIXTURE, JSON.stringify(fixture, null, 2) + "\n");
  const count = fixture.groups.reduce((n, g) => n + g.resources.length, 0);
  console.log(`${fixture.kubernetesVersion}: ${fixture.groups.length} groups, ${count} resources`);
}

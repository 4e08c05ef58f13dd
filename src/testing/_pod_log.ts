/**
 * `GET pods/NAME/log` as a kube-apiserver without kubelets answers it
 * (`LogLocation` in `pkg/registry/core/pod/strategy.go`): the container is
 * checked first, an unscheduled pod has no log yet (204), and a scheduled
 * one needs its node, which the fake never has a kubelet for (404 naming the
 * node; an empty log when a Node object exists).
 *
 * @module
 */

import type { ObjectStore, ResourceTable, StoredObject } from "./_object_store.ts";
import { badRequest, notFound, StatusError } from "./_status.ts";

interface PodContainers {
  spec?: {
    nodeName?: string;
    containers?: { name?: string }[];
    initContainers?: { name?: string }[];
  };
}

/** The response to a pod log request. */
export function podLog(
  store: ObjectStore,
  table: ResourceTable,
  stored: StoredObject,
  container: string | null,
): Response {
  const name = stored.name;
  const pod = JSON.parse(stored.json) as PodContainers;
  const names = (pod.spec?.containers ?? []).map((c) => c.name ?? "");
  const all = [...names, ...(pod.spec?.initContainers ?? []).map((c) => c.name ?? "")];
  if (container !== null && container !== "") {
    if (!all.includes(container)) {
      throw new StatusError(badRequest(`container ${container} is not valid for pod ${name}`));
    }
  } else if (names.length > 1) {
    throw new StatusError(
      badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`,
      ),
    );
  }
  const nodeName = pod.spec?.nodeName ?? "";
  if (nodeName === "") return new Response(null, { status: 204 });
  const nodes = [...store.tables()].find((t) => t.id === "/nodes");
  if (nodes?.items.get(nodeName) === undefined) {
    // The real message names the node as a pod: the lookup error reuses the pod resource.
    throw new StatusError(notFound(table.descriptor, nodeName));
  }
  return new Response("", { headers: { "Content-Type": "text/plain" } });
}

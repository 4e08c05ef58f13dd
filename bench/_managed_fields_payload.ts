/**
 * Pods whose `metadata.managedFields` look like a real API server's: one
 * `Update` entry of kube-controller-manager that owns the metadata it set and
 * the whole spec, and one `Update` entry of the kubelet on the `status`
 * subresource that owns the whole status, each with a `fieldsV1` tree of
 * `f:`/`k:` keys mirroring the object. managedFields are then about 46% of a
 * pod's JSON, as measured on a kube-apiserver 1.37 (45%, 41.3 of 90.7 MB for
 * 10,000 pods).
 *
 * @module
 */

import type { Pod } from "../src/api/core_v1.ts";
import type { ManagedFieldsEntry } from "../src/api/meta.ts";
import { fieldSet } from "../src/testing/_field_set.ts";
import type { Json } from "../src/testing/_json.ts";
import { generatePod } from "./_pod_generator.ts";

/** The `index`-th pod of `generatePod`, with managedFields built from its own fields. */
export function podWithManagedFields(index: number): Pod {
  const pod = generatePod(index, { managedFields: false });
  const meta = pod.metadata!;
  const controlled = {
    metadata: {
      generateName: meta.generateName,
      labels: meta.labels,
      annotations: meta.annotations,
      ownerReferences: meta.ownerReferences,
    },
    spec: pod.spec,
  };
  const entries: ManagedFieldsEntry[] = [
    {
      manager: "kube-controller-manager",
      operation: "Update",
      apiVersion: "v1",
      time: meta.creationTimestamp!,
      fieldsType: "FieldsV1",
      fieldsV1: fieldSet(JSON.parse(JSON.stringify(controlled)) as Json),
    },
    {
      manager: "kubelet",
      operation: "Update",
      apiVersion: "v1",
      time: pod.status?.startTime ?? meta.creationTimestamp!,
      fieldsType: "FieldsV1",
      subresource: "status",
      fieldsV1: fieldSet(JSON.parse(JSON.stringify({ status: pod.status })) as Json),
    },
  ];
  meta.managedFields = entries;
  return pod;
}

/** The JSON of a `PodList` page as a kube-apiserver writes it (items without kind/apiVersion). */
export function podListText(pods: readonly Pod[], resourceVersion: string, token = ""): string {
  const items = pods.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  const metadata: Record<string, string> = { resourceVersion };
  if (token !== "") metadata.continue = token;
  return JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata, items });
}

/**
 * The `scale` subresource of deployments, replicasets and statefulsets: an
 * `autoscaling/v1` `Scale` view of the parent's `spec.replicas`,
 * `status.replicas` and label selector, whose writes change the parent's
 * `spec.replicas` (`scaleFromDeployment` and `scaleUpdatedObjectInfo` in
 * kube-apiserver's `pkg/registry/apps/deployment/storage/storage.go`).
 *
 * @module
 */

import type { ObjectMeta } from "../api/meta.ts";
import type { ResourceTable, StoredObject } from "./_object_store.ts";
import type { Json } from "./_json.ts";
import { applyPatch, type PatchType } from "./_patch.ts";
import type { Registry } from "./_registry.ts";
import type { WriteRequest } from "./_write_context.ts";
import {
  badRequest,
  conflict,
  invalid,
  invalidField,
  StatusError,
  unsupportedMediaType,
} from "./_status.ts";

const SCALE_API_VERSION = "autoscaling/v1";

/** A label selector as workloads carry it. */
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/** The parts of a scalable workload the Scale view reads. */
interface Scalable {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; selector?: LabelSelector };
  status?: { replicas?: number };
}

/**
 * A label selector in the text form of `labels.Selector.String()`: requirements sorted by key,
 * set values sorted, joined by commas (`app=web,tier in (a,b),!legacy`).
 */
export function labelSelectorString(selector: LabelSelector | undefined): string {
  if (selector === undefined) return "";
  const requirements: [string, string][] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push([key, `${key}=${value}`]);
  }
  for (const { key = "", operator = "", values = [] } of selector.matchExpressions ?? []) {
    const set = `(${[...values].sort().join(",")})`;
    const text = {
      In: `${key} in ${set}`,
      NotIn: `${key} notin ${set}`,
      Exists: key,
      DoesNotExist: `!${key}`,
    }[operator];
    if (text !== undefined) requirements.push([key, text]);
  }
  requirements.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return requirements.map(([, text]) => text).join(",");
}

/** The Scale of a stored workload. */
function scaleOf(stored: StoredObject): Record<string, unknown> {
  const parent = JSON.parse(stored.json) as Scalable;
  const meta = parent.metadata ?? {};
  const metadata: ObjectMeta = { name: stored.name, namespace: stored.namespace };
  if (meta.uid !== undefined) metadata.uid = meta.uid;
  if (meta.resourceVersion !== undefined) metadata.resourceVersion = meta.resourceVersion;
  if (meta.creationTimestamp !== undefined) metadata.creationTimestamp = meta.creationTimestamp;
  // The fake applies no defaulting; a real server stores an unset spec.replicas as 1.
  const replicas = parent.spec?.replicas ?? 1;
  const status: Record<string, unknown> = { replicas: parent.status?.replicas ?? 0 };
  const selector = labelSelectorString(parent.spec?.selector);
  if (selector !== "") status.selector = selector;
  return {
    kind: "Scale",
    apiVersion: SCALE_API_VERSION,
    metadata,
    // ScaleSpec.replicas is omitempty: zero replicas is an empty spec.
    spec: replicas === 0 ? {} : { replicas },
    status,
  };
}

/** `GET …/{name}/scale`. */
export function getScale(
  registry: Registry,
  table: ResourceTable,
  namespace: string,
  name: string,
): Record<string, unknown> {
  return scaleOf(registry.get(table, namespace, name));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The replicas a Scale body asks for, after the decoding and validation checks. */
function requestedReplicas(body: Record<string, unknown>, name: string): number {
  const spec = body.spec;
  if (spec !== undefined && spec !== null && !isPlainObject(spec)) {
    throw new StatusError(
      badRequest('Scale in version "v1" cannot be handled as a Scale: spec must be an object'),
    );
  }
  const replicas = isPlainObject(spec) ? spec.replicas ?? 0 : 0;
  if (typeof replicas !== "number" || !Number.isInteger(replicas)) {
    // encoding/json's UnmarshalTypeError names the JSON type (and a number's text).
    const type = typeof replicas === "number"
      ? `number ${replicas}`
      : typeof replicas === "boolean"
      ? "bool"
      : Array.isArray(replicas)
      ? "array"
      : typeof replicas === "object"
      ? "object"
      : "string";
    throw new StatusError(
      badRequest(
        `Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${type} into Go struct field ScaleSpec.spec.replicas of type int32`,
      ),
    );
  }
  if (replicas < 0) {
    throw new StatusError(
      invalid("autoscaling", "Scale", name, [
        invalidField("spec.replicas", replicas, "must be greater than or equal to 0"),
      ]),
    );
  }
  return replicas;
}

/**
 * `PUT …/{name}/scale`: writes `spec.replicas` of the parent and answers with its new Scale.
 * A non-empty `metadata.resourceVersion` must be the parent's (409 otherwise).
 */
export function updateScale(
  registry: Registry,
  table: ResourceTable,
  body: unknown,
  ctx: WriteRequest & { pathNamespace: string; pathName: string },
): Record<string, unknown> {
  const name = ctx.pathName;
  if (!isPlainObject(body)) {
    throw new StatusError(
      badRequest("the object provided is unrecognized (must be of type Scale)"),
    );
  }
  const apiVersion = typeof body.apiVersion === "string" ? body.apiVersion : SCALE_API_VERSION;
  const kind = typeof body.kind === "string" ? body.kind : "Scale";
  if (apiVersion !== SCALE_API_VERSION || kind !== "Scale") {
    // The decoder's words for a kind its scheme does not know.
    const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
    throw new StatusError(
      badRequest(
        `${kind} in version "${version}" cannot be handled as a Scale: no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/runtime/scheme.go:111"`,
      ),
    );
  }
  const meta = isPlainObject(body.metadata) ? body.metadata : {};
  const bodyName = typeof meta.name === "string" ? meta.name : "";
  if (bodyName === "") {
    throw new StatusError(
      badRequest(
        `the name of the object (${name} based on URL) was undeterminable: name must be provided`,
      ),
    );
  }
  if (bodyName !== name) {
    throw new StatusError(
      badRequest(
        `the name of the object (${bodyName}) does not match the name on the URL (${name})`,
      ),
    );
  }
  const replicas = requestedReplicas(body, name);
  const existing = registry.get(table, ctx.pathNamespace, name);
  const requested = typeof meta.resourceVersion === "string" ? meta.resourceVersion : "";
  if (requested !== "" && requested !== existing.system.resourceVersion) {
    throw new StatusError(conflict(table.descriptor, name));
  }
  const parent = JSON.parse(existing.json) as Scalable & Record<string, unknown>;
  parent.spec = { ...parent.spec, replicas };
  const stored = registry.update(table, parent, {
    ...ctx,
    managedConfig: { spec: { replicas } },
  });
  return scaleOf(stored);
}

/**
 * `PATCH …/{name}/scale`: the patch applies to the current Scale, whose result is written as
 * by {@linkcode updateScale}. Server-side apply to a scale is not served (415).
 */
export function patchScale(
  registry: Registry,
  table: ResourceTable,
  type: PatchType,
  patch: unknown,
  ctx: WriteRequest & { pathNamespace: string; pathName: string },
): Record<string, unknown> {
  if (type === "apply") {
    throw new StatusError(
      unsupportedMediaType("application/apply-patch+yaml", [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
      ]),
    );
  }
  const current = getScale(registry, table, ctx.pathNamespace, ctx.pathName);
  const result = applyPatch(current as Json, type, patch);
  return updateScale(registry, table, result, ctx);
}

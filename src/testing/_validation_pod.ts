/**
 * The Pod rule of kube-apiserver that tests trip over: an update may change only a few fields
 * of a pod's spec (`ValidatePodUpdate` in `pkg/apis/core/validation`);
 * `spec.nodeName` in particular is set through the `binding` subresource, never by update.
 *
 * @module
 */

import { type FieldError, forbiddenField } from "./_status.ts";

/** The message of a forbidden pod spec update, up to the struct diff a real server appends. */
export const POD_UPDATE_FORBIDDEN =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

type Spec = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The spec without the fields an update may change. */
function frozenPart(spec: Spec): Spec {
  const { activeDeadlineSeconds: _a, tolerations: _t, terminationGracePeriodSeconds: _g, ...rest } =
    spec;
  const withoutImages = (list: unknown) =>
    Array.isArray(list)
      ? list.map((c) => {
        if (!isObject(c)) return c;
        const { image: _image, ...others } = c;
        return others;
      })
      : list;
  return {
    ...rest,
    containers: withoutImages(rest.containers),
    initContainers: withoutImages(rest.initContainers),
  };
}

/** Field errors of a pod spec update (not of the status subresource). */
export function validatePodSpecUpdate(oldSpec: unknown, newSpec: unknown): FieldError[] {
  const countOf = (spec: unknown, field: string) =>
    isObject(spec) && Array.isArray(spec[field]) ? (spec[field] as unknown[]).length : 0;
  for (const field of ["containers", "initContainers"]) {
    if (countOf(oldSpec, field) !== countOf(newSpec, field)) {
      return [forbiddenField(`spec.${field}`, `pod updates may not add or remove containers`)];
    }
  }
  const before = frozenPart(isObject(oldSpec) ? oldSpec : {});
  const after = frozenPart(isObject(newSpec) ? newSpec : {});
  if (canonicalJson(before) === canonicalJson(after)) return [];
  return [forbiddenField("spec", POD_UPDATE_FORBIDDEN)];
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : 1)) : v,
  );
}

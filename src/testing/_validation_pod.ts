/**
 * The Pod rule of kube-apiserver that tests trip over: an update may change only a few fields
 * of a pod's spec (`ValidatePodUpdate` in `pkg/apis/core/validation`);
 * `spec.nodeName` in particular is set through the `binding` subresource, never by update.
 *
 * @module
 */

import { jsonEqual, type JsonObject } from "./_json.ts";
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
  // Iterative comparison: a spec may nest as deep as the server accepts.
  if (jsonEqual(withoutUndefined(before), withoutUndefined(after))) return [];
  return [forbiddenField("spec", POD_UPDATE_FORBIDDEN)];
}

/** The top-level fields that are set (`frozenPart` leaves absent lists as undefined). */
function withoutUndefined(spec: Spec): JsonObject {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as JsonObject;
}

/**
 * Builds Kubernetes REST paths for a resource descriptor.
 *
 * @module
 */

import type { ResourceDescriptor } from "../api/resource.ts";

/** Which object or collection a path addresses. */
export interface ResourcePathOptions {
  /** Namespace; ignored for cluster-scoped resources; omitted means all namespaces. */
  namespace?: string | undefined;
  /** Object name; omitted addresses the collection. */
  name?: string | undefined;
  /** Subresource such as `status`; requires `name`. */
  subresource?: string | undefined;
}

/**
 * The path of a collection, object or subresource: `/api/v1/...` for the core
 * group, `/apis/{group}/{version}/...` otherwise, with
 * `/namespaces/{namespace}` for namespaced resources when a namespace is given.
 * Segments are percent-encoded.
 *
 * @param resource The resource descriptor.
 * @param options Namespace, name and subresource.
 * @returns The path, starting with `/`.
 * @throws {TypeError} When a subresource is given without a name, or a segment is empty or `.`/`..`.
 *
 * @example Paths of pods and deployments
 * ```ts
 * import { defineResource, resourcePath } from "@kubesnap/kubesnap";
 * const pods = defineResource({ version: "v1", kind: "Pod", plural: "pods", namespaced: true });
 * console.log(resourcePath(pods, { namespace: "default", name: "web-0", subresource: "status" }));
 * // "/api/v1/namespaces/default/pods/web-0/status"
 * ```
 */
export function resourcePath(
  resource: ResourceDescriptor,
  options?: ResourcePathOptions,
): string {
  options ??= {};
  const base = resource.group === ""
    ? `/api/${resource.version}`
    : `/apis/${resource.group}/${resource.version}`;
  let path = base;
  if (resource.namespaced && options.namespace !== undefined && options.namespace !== "") {
    path += `/namespaces/${segment(options.namespace, "namespace")}`;
  }
  path += `/${resource.plural}`;
  if (options.name !== undefined) path += `/${segment(options.name, "name")}`;
  if (options.subresource !== undefined) {
    if (options.name === undefined) {
      throw new TypeError(`subresource "${options.subresource}" needs an object name`);
    }
    path += `/${segment(options.subresource, "subresource")}`;
  }
  return path;
}

function segment(value: string, what: string): string {
  if (value === "" || value === "." || value === "..") {
    throw new TypeError(`invalid ${what} ${JSON.stringify(value)} in a request path`);
  }
  return encodeURIComponent(value);
}

/**
 * Request paths, parsed as kube-apiserver's request-info parser does, and
 * the classification of a request (verb, resource, namespace, name) for the
 * request log and fault matching.
 *
 * @module
 */

import { servedSubresources } from "./_discovery.ts";
import type { RequestInfo, RequestVerb } from "./_faults.ts";
import { queryBool } from "./_list_options.ts";
import type { ResourceTable } from "./_object_store.ts";

/** A parsed request path. */
export type Route =
  | { readonly type: "root" }
  | { readonly type: "version" }
  | { readonly type: "health" }
  | { readonly type: "api" }
  | { readonly type: "apis" }
  | { readonly type: "apiGroup"; readonly group: string }
  | { readonly type: "resourceList"; readonly group: string; readonly version: string }
  | { readonly type: "openApiV3Root" }
  | { readonly type: "openApiV3"; readonly group: string; readonly version: string }
  | {
    readonly type: "resource";
    readonly table: ResourceTable;
    readonly namespace: string | undefined;
    readonly name: string | undefined;
    readonly subresource: string | undefined;
    readonly watchPath: boolean;
  }
  | { readonly type: "unknownResource" }
  | { readonly type: "notFound" }
  | { readonly type: "malformedPath" };

/** Finds the table serving `group/version/plural`. */
export type TableLookup = (
  group: string,
  version: string,
  plural: string,
) => ResourceTable | undefined;

/** Parses a URL path. */
export function parseRoute(
  pathname: string,
  lookup: TableLookup,
  knownGroupVersion: (group: string, version: string) => boolean,
): Route {
  let parts: string[];
  try {
    parts = pathname.split("/").filter((p) => p !== "").map((p) => decodeURIComponent(p));
  } catch {
    // A bad percent-escape (`%ZZ`): Go's HTTP server refuses such a request line with 400.
    return { type: "malformedPath" };
  }
  const [first, second, third] = parts;
  if (first === undefined) return { type: "root" };
  if (parts.length === 1 && first === "version") return { type: "version" };
  if (parts.length === 1 && (first === "healthz" || first === "livez" || first === "readyz")) {
    return { type: "health" };
  }
  if (first === "openapi" && second === "v3") {
    if (parts.length === 2) return { type: "openApiV3Root" };
    if (parts.length === 4 && third === "api") {
      return { type: "openApiV3", group: "", version: parts[3]! };
    }
    if (parts.length === 5 && third === "apis") {
      return { type: "openApiV3", group: parts[3]!, version: parts[4]! };
    }
    return { type: "notFound" };
  }
  if (first === "api") {
    if (second === undefined) return { type: "api" };
    return groupVersionRoute("", second, parts.slice(2), lookup, knownGroupVersion);
  }
  if (first === "apis") {
    if (second === undefined) return { type: "apis" };
    if (third === undefined) return { type: "apiGroup", group: second };
    return groupVersionRoute(second, third, parts.slice(3), lookup, knownGroupVersion);
  }
  return { type: "notFound" };
}

function groupVersionRoute(
  group: string,
  version: string,
  rest: string[],
  lookup: TableLookup,
  knownGroupVersion: (group: string, version: string) => boolean,
): Route {
  if (!knownGroupVersion(group, version)) return { type: "notFound" };
  if (rest.length === 0) return { type: "resourceList", group, version };
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && rest[2] !== "status" && rest[2] !== "finalize") rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return { type: "unknownResource" };
  const [plural, name, subresource] = rest as [string, string | undefined, string | undefined];
  const table = lookup(group, version, plural);
  if (table === undefined) return { type: "unknownResource" };
  const d = table.descriptor;
  if (plural === "namespaces" && group === "") {
    namespace = undefined;
  } else if (namespace !== undefined && !d.namespaced) {
    return { type: "unknownResource" };
  }
  if (subresource !== undefined && !servedSubresources(d).includes(subresource)) {
    return { type: "unknownResource" };
  }
  if (watchPath && subresource !== undefined) return { type: "unknownResource" };
  return { type: "resource", table, namespace, name, subresource, watchPath };
}

/** Classifies a request for the request log and fault matching. */
export function requestInfo(route: Route, method: string, url: URL): RequestInfo {
  let verb: RequestVerb | undefined;
  let resource: string | undefined;
  let group: string | undefined;
  let namespace: string | undefined;
  let name: string | undefined;
  let subresource: string | undefined;
  switch (route.type) {
    case "resource": {
      resource = route.table.descriptor.plural;
      group = route.table.descriptor.group;
      namespace = route.namespace;
      name = route.name;
      subresource = route.subresource;
      verb = resourceVerb(route, method, url.searchParams);
      break;
    }
    case "api":
    case "apis":
    case "apiGroup":
    case "resourceList":
    case "version":
    case "openApiV3Root":
    case "openApiV3":
      verb = "discovery";
      break;
    default:
      verb = undefined;
  }
  return {
    method,
    path: url.pathname,
    query: url.search.startsWith("?") ? url.search.slice(1) : url.search,
    verb,
    resource,
    group,
    namespace,
    name,
    subresource,
  };
}

/** The verb of a resource request, if its method has one. */
export function resourceVerb(
  route: Extract<Route, { type: "resource" }>,
  method: string,
  params: URLSearchParams,
): RequestVerb | undefined {
  const watch = route.watchPath || (queryBool(params, "watch") ?? false);
  if (route.watchPath && method !== "GET") return undefined;
  switch (method) {
    case "GET":
      if (watch) return "watch";
      return route.name === undefined ? "list" : "get";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return route.name === undefined ? "deletecollection" : "delete";
    default:
      return undefined;
  }
}

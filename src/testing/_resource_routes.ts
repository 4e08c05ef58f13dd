/**
 * Requests routed to a resource, as a table: each verb (and each verb of
 * the `scale` subresource) names what its path must hold and its handler.
 * A path that lacks what the verb needs, or a verb the subresource does not
 * serve, is 405.
 *
 * @module
 */

import { subresourceInfo } from "./_discovery.ts";
import type { RequestVerb } from "./_faults.ts";
import { httpWrite } from "./_http_write.ts";
import { parseListOptions } from "./_list_options.ts";
import { PATCH_CONTENT_TYPES, type PatchType } from "./_patch.ts";
import type { Registry } from "./_registry.ts";
import {
  type BodyLimits,
  mediaType,
  parseJson,
  readBody,
  readDeleteOptions,
  readObjectBody,
} from "./_request_body.ts";
import { resourceVerb, type Route } from "./_request_path.ts";
import { JSON_HEADERS, jsonResponse, listResponse, objectResponse } from "./_responses.ts";
import { returnsDeletedObject } from "./_resource_rules.ts";
import { getScale, patchScale, updateScale } from "./_scale.ts";
import { methodNotAllowed, StatusError, success, unsupportedPatchType } from "./_status.ts";
import { negotiateView, parseIncludeObject } from "./_views.ts";

/** A request routed to a resource, with what its handler reads. */
export interface ResourceCall {
  /** The registry. */
  readonly registry: Registry;
  /** The parsed path. */
  readonly route: Extract<Route, { type: "resource" }>;
  /** The request. */
  readonly request: Request;
  /** Its query. */
  readonly params: URLSearchParams;
  /** Body limits. */
  readonly limits: BodyLimits;
}

/** What a verb's path must hold: an object name (or none), and a namespace where one is needed. */
type PathShape = "any" | "collection" | "object" | "namespaced";

/** A verb's entry in a route table. */
interface ResourceRoute {
  /** What the path must hold (405 otherwise). */
  readonly path: PathShape;
  /** Handles the request. */
  readonly handle: (call: ResourceCall) => Promise<Response> | Response;
}

/** Verbs of a resource, by the verb of the request. */
const RESOURCE_ROUTES: Readonly<Partial<Record<RequestVerb, ResourceRoute>>> = {
  list: { path: "any", handle: list },
  watch: { path: "any", handle: watch },
  get: { path: "any", handle: get },
  create: { path: "collection", handle: create },
  update: { path: "object", handle: update },
  patch: { path: "object", handle: patch },
  delete: { path: "namespaced", handle: remove },
  deletecollection: { path: "namespaced", handle: removeCollection },
};

/** Verbs of the `scale` subresource (`autoscaling/v1` Scale objects). */
const SCALE_ROUTES: Readonly<Partial<Record<RequestVerb, ResourceRoute>>> = {
  get: { path: "object", handle: scaleGet },
  update: { path: "object", handle: scaleUpdate },
  patch: { path: "object", handle: scalePatch },
};

/** Route tables of subresources with their own handlers (others use the resource's). */
const SUBRESOURCE_ROUTES: Readonly<
  Record<string, Readonly<Partial<Record<RequestVerb, ResourceRoute>>>>
> = {
  scale: SCALE_ROUTES,
};

/** Handles a request routed to a resource. */
export async function handleResource(
  registry: Registry,
  route: Extract<Route, { type: "resource" }>,
  request: Request,
  url: URL,
  limits: BodyLimits,
): Promise<Response> {
  const params = url.searchParams;
  const verb = resourceVerb(route, request.method, params);
  const subresource = route.subresource;
  if (
    subresource !== undefined &&
    (verb === undefined || !subresourceInfo(subresource).verbs.includes(verb))
  ) {
    return await refuse(request);
  }
  const table = (subresource !== undefined ? SUBRESOURCE_ROUTES[subresource] : undefined) ??
    RESOURCE_ROUTES;
  const entry = verb === undefined ? undefined : table[verb];
  if (entry === undefined || !pathFits(entry.path, route)) return await refuse(request);
  return await entry.handle({ registry, route, request, params, limits });
}

/** Whether a path holds what a verb needs. */
function pathFits(shape: PathShape, route: Extract<Route, { type: "resource" }>): boolean {
  const d = route.table.descriptor;
  const needsNamespace = d.namespaced && !(d.plural === "namespaces" && d.group === "");
  const hasNamespace = !needsNamespace || route.namespace !== undefined;
  switch (shape) {
    case "any":
      return true;
    case "collection":
      return route.name === undefined && hasNamespace;
    case "object":
      return route.name !== undefined && hasNamespace;
    case "namespaced":
      return hasNamespace;
  }
}

/** 405, after dropping the body. */
async function refuse(request: Request): Promise<never> {
  await request.body?.cancel().catch(() => {});
  throw new StatusError(methodNotAllowed());
}

/** The namespace a write names in its path, when the resource needs one. */
function pathNamespace(call: ResourceCall): string | undefined {
  const d = call.route.table.descriptor;
  const needsNamespace = d.namespaced && !(d.plural === "namespaces" && d.group === "");
  return needsNamespace ? call.route.namespace : undefined;
}

function accept(call: ResourceCall): string | null {
  return call.request.headers.get("accept");
}

/** The patch type of the request's content type (415 otherwise). */
async function patchTypeOf(request: Request): Promise<PatchType> {
  const type = PATCH_CONTENT_TYPES[mediaType(request)];
  if (type !== undefined) return type;
  await request.body?.cancel().catch(() => {});
  throw new StatusError(unsupportedPatchType());
}

function list(call: ResourceCall): Response {
  const { registry, route, params } = call;
  const view = negotiateView(accept(call), true);
  const options = parseListOptions(params, {
    watch: false,
    resource: route.table.descriptor,
    streamingLists: registry.streamingLists,
  });
  const page = registry.list(route.table, route.namespace, options);
  return listResponse(route.table, page, page.items, view, params);
}

function watch(call: ResourceCall): Response {
  const { registry, route, params } = call;
  const view = negotiateView(accept(call), false);
  const options = parseListOptions(params, {
    watch: true,
    resource: route.table.descriptor,
    streamingLists: registry.streamingLists,
  });
  const watcher = registry.watch({
    table: route.table,
    namespace: route.namespace,
    name: route.name,
    options,
    view: view === "table" ? "table" : view === "metadata" ? "metadata" : "object",
    includeObject: view === "table" ? parseIncludeObject(params.get("includeObject")) : "Metadata",
    signal: call.request.signal,
  });
  return new Response(watcher.body, { status: 200, headers: JSON_HEADERS });
}

function get(call: ResourceCall): Response {
  const { registry, route, params } = call;
  const d = route.table.descriptor;
  if (route.subresource === "log" && d.group === "" && d.plural === "pods") {
    return registry.podLog(
      route.table,
      route.namespace ?? "",
      route.name!,
      params.get("container"),
    );
  }
  const view = negotiateView(accept(call), false);
  const stored = registry.get(route.table, route.namespace ?? "", route.name!);
  return objectResponse(stored, view, params);
}

async function create(call: ResourceCall): Promise<Response> {
  const { registry, route, request, params } = call;
  const view = negotiateView(accept(call), false);
  const body = await readObjectBody(request, call.limits, route.table.descriptor.kind);
  const stored = registry.create(
    route.table,
    body,
    httpWrite(request, params, { pathNamespace: pathNamespace(call) }),
  );
  return objectResponse(stored, view, params, 201);
}

async function update(call: ResourceCall): Promise<Response> {
  const { registry, route, request, params } = call;
  const view = negotiateView(accept(call), false);
  const body = await readObjectBody(request, call.limits, route.table.descriptor.kind);
  const stored = registry.update(
    route.table,
    body,
    httpWrite(request, params, {
      pathNamespace: pathNamespace(call),
      pathName: route.name,
      subresource: route.subresource,
    }),
  );
  return objectResponse(stored, view, params);
}

async function patch(call: ResourceCall): Promise<Response> {
  const { registry, route, request, params } = call;
  const type = await patchTypeOf(request);
  const view = negotiateView(accept(call), false);
  const text = await readBody(request, call.limits.maxBodyBytes);
  const body = parseJson(text, "patch");
  const fieldManager = params.get("fieldManager") ?? undefined;
  const result = registry.patch(
    route.table,
    route.namespace ?? "",
    route.name!,
    type,
    body,
    httpWrite(request, params, {
      subresource: route.subresource,
      fieldManager: type === "apply" ? fieldManager : undefined,
    }),
  );
  return objectResponse(result.stored, view, params, result.created ? 201 : 200);
}

async function remove(call: ResourceCall): Promise<Response> {
  const { registry, route, request, params } = call;
  const table = route.table;
  const deleteOptions = await readDeleteOptions(request, call.limits);
  const write = httpWrite(request, params);
  const result = registry.delete(table, route.namespace ?? "", route.name!, {
    ...write,
    dryRun: write.dryRun || deleteOptions.dryRun,
    preconditions: deleteOptions.preconditions,
  });
  if (!result.deleted || returnsDeletedObject(table)) {
    return objectResponse(result.stored, negotiateView(accept(call), false), params);
  }
  const d = table.descriptor;
  return jsonResponse(JSON.stringify(success(d, result.stored.name, result.stored.system.uid)));
}

async function removeCollection(call: ResourceCall): Promise<Response> {
  const { registry, route, request, params } = call;
  const deleteOptions = await readDeleteOptions(request, call.limits);
  const options = parseListOptions(params, {
    watch: false,
    resource: route.table.descriptor,
    streamingLists: registry.streamingLists,
  });
  const write = httpWrite(request, params);
  const deleted = registry.deleteCollection(route.table, route.namespace, options, {
    ...write,
    dryRun: write.dryRun || deleteOptions.dryRun,
  });
  const page = {
    rv: registry.store.resourceVersion,
    continueToken: undefined,
    remainingItemCount: undefined,
  };
  return listResponse(route.table, page, deleted, "object", params);
}

/** The write of a scale request (its path names the object and its namespace). */
function scaleWrite(call: ResourceCall) {
  const { route, request, params } = call;
  return {
    ...httpWrite(request, params),
    pathNamespace: route.namespace!,
    pathName: route.name!,
    subresource: "scale",
  };
}

function scaleGet(call: ResourceCall): Response {
  const { registry, route } = call;
  return jsonResponse(
    JSON.stringify(getScale(registry, route.table, route.namespace!, route.name!)),
  );
}

async function scaleUpdate(call: ResourceCall): Promise<Response> {
  const write = scaleWrite(call);
  const body = await readObjectBody(call.request, call.limits, "Scale");
  return jsonResponse(JSON.stringify(updateScale(call.registry, call.route.table, body, write)));
}

async function scalePatch(call: ResourceCall): Promise<Response> {
  const type = await patchTypeOf(call.request);
  const write = scaleWrite(call);
  const body = parseJson(await readBody(call.request, call.limits.maxBodyBytes), "patch");
  return jsonResponse(
    JSON.stringify(patchScale(call.registry, call.route.table, type, body, write)),
  );
}

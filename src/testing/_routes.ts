/**
 * Request paths and the HTTP side of resource requests: path parsing (as
 * kube-apiserver's request-info parser), verbs, body reading with a size
 * limit, content types, and response building.
 *
 * @module
 */

import type { KubeObject } from "../api/meta.ts";
import { servedSubresources, subresourceInfo } from "./_discovery.ts";
import type { RequestInfo, RequestVerb } from "./_faults.ts";
import { parseListOptions, queryBool } from "./_list_options.ts";
import type { ResourceTable, StoredObject } from "./_object_store.ts";
import { decodeProtobufObject, ProtobufDecodeError } from "./_protobuf_decoder.ts";
import type { ListPage, PatchType, Registry, WriteContext } from "./_registry.ts";
import { getScale, patchScale, updateScale } from "./_scale.ts";
import {
  badRequest,
  entityTooLarge,
  invalid,
  methodNotAllowed,
  notSupportedField,
  resourceNotFound,
  StatusError,
  success,
  unsupportedMediaType,
  unsupportedPatchType,
} from "./_status.ts";
import {
  metadataJson,
  negotiateView,
  objectViewJson,
  parseIncludeObject,
  tableColumnsJson,
  tableJson,
  tableRowJson,
  type ViewKind,
} from "./_views.ts";

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
  | { readonly type: "notFound" };

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
    return { type: "notFound" };
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

function resourceVerb(
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

const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-cache, private" };

/** A JSON response. */
export function jsonResponse(
  body: string,
  status = 200,
  headers?: Record<string, string>,
): Response {
  return new Response(body, { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** The response of a StatusError. */
export function statusResponse(err: StatusError): Response {
  const headers: Record<string, string> = { ...err.headers };
  const retry = err.status.details?.retryAfterSeconds;
  if (retry !== undefined && retry > 0) headers["Retry-After"] = String(retry);
  return jsonResponse(JSON.stringify(err.status), err.status.code ?? 500, headers);
}

/** Settings of resource request handling. */
export interface ResourceHandlerOptions {
  /** Largest accepted request body. */
  maxBodyBytes: number;
}

const encoder = new TextEncoder();
/**
 * Characters in the first chunk of a list body: small, so that the first
 * bytes leave early. A list that fits in it is sent as one string.
 */
const LIST_FIRST_CHUNK_CHARS = 64 * 1024;
/** Characters in the next chunks of a list body. */
const LIST_CHUNK_CHARS = 256 * 1024;

/**
 * Builds a JSON list body from items encoded on demand: one string when it
 * fits in one chunk, else a stream that joins and encodes the next chunk
 * as the reader pulls it (so the first bytes leave as soon as the first
 * chunk is ready, and a slow reader holds the work back).
 */
function listBody(
  head: string,
  count: number,
  item: (index: number) => string,
  tail: string,
): BodyInit {
  let index = 0;
  let done = false;
  const next = (text: string, limit: number): string => {
    while (index < count && text.length < limit) {
      text += index === 0 ? item(0) : "," + item(index);
      index++;
    }
    if (index >= count) {
      text += tail;
      done = true;
    }
    return text;
  };
  const first = next(head, LIST_FIRST_CHUNK_CHARS);
  if (done) return first;
  let pending: string | undefined = first;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const text = pending ?? next("", LIST_CHUNK_CHARS);
      pending = undefined;
      controller.enqueue(encoder.encode(text));
      if (done) controller.close();
    },
  });
}

function listMetaJson(page: Pick<ListPage, "rv" | "continueToken" | "remainingItemCount">): string {
  const meta: Record<string, unknown> = { resourceVersion: String(page.rv) };
  if (page.continueToken !== undefined) meta.continue = page.continueToken;
  if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
  return JSON.stringify(meta);
}

function listResponse(
  table: ResourceTable,
  page: Pick<ListPage, "rv" | "continueToken" | "remainingItemCount">,
  items: readonly StoredObject[],
  view: ViewKind,
  params: URLSearchParams,
): Response {
  const meta = listMetaJson(page);
  const d = table.descriptor;
  switch (view) {
    case "table": {
      const include = parseIncludeObject(params.get("includeObject"));
      const columns = tableColumnsJson(d.apiVersion, d.kind);
      return jsonResponse(
        tableJson(meta, items.map((s) => tableRowJson(s, include)), true, columns),
      );
    }
    case "metadataList":
      return new Response(
        listBody(
          `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":${meta},"items":[`,
          items.length,
          (i) => metadataJson(items[i]!),
          "]}",
        ),
        { headers: JSON_HEADERS },
      );
    default:
      return new Response(
        listBody(
          `{"kind":${JSON.stringify(d.listKind)},"apiVersion":${
            JSON.stringify(d.apiVersion)
          },"metadata":${meta},"items":[`,
          items.length,
          (i) => items[i]!.itemJson,
          "]}",
        ),
        { headers: JSON_HEADERS },
      );
  }
}

function objectResponse(
  stored: StoredObject,
  view: ViewKind,
  params: URLSearchParams,
  status = 200,
): Response {
  const include = view === "table" ? parseIncludeObject(params.get("includeObject")) : "Metadata";
  return jsonResponse(objectViewJson(stored, view, include), status);
}

async function readBody(request: Request, limit: number): Promise<string> {
  const bytes = await readBodyBytes(request, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new StatusError(badRequest("the request body is not valid UTF-8"));
  }
}

async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const length = request.headers.get("content-length");
  if (length !== null && Number(length) > limit) {
    await request.body?.cancel().catch(() => {});
    throw new StatusError(entityTooLarge(limit));
  }
  if (request.body === null) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw new StatusError(entityTooLarge(limit));
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function parseJson(text: string, what: string, prefix = ""): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof SyntaxError ? "invalid JSON" : "unreadable body";
    throw new StatusError(
      badRequest(`${prefix}couldn't get version/kind; json parse error: ${detail} in the ${what}`),
    );
  }
}

function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const OBJECT_MEDIA_TYPES = ["application/json", PROTOBUF];

async function readObjectBody(
  request: Request,
  options: ResourceHandlerOptions,
  kind: string,
): Promise<unknown> {
  const type = mediaType(request);
  if (type === PROTOBUF) {
    // kubectl's typed clients (`kubectl create namespace`, `create deployment`, …) send protobuf.
    const bytes = await readBodyBytes(request, options.maxBodyBytes);
    try {
      return decodeProtobufObject(bytes);
    } catch (err) {
      if (!(err instanceof ProtobufDecodeError)) throw err;
      throw new StatusError(
        badRequest(`the protobuf request body cannot be decoded: ${err.message}`),
      );
    }
  }
  if (type !== "" && type !== "application/json" && type !== "*/*") {
    await request.body?.cancel().catch(() => {});
    throw new StatusError(unsupportedMediaType(type, OBJECT_MEDIA_TYPES));
  }
  const text = await readBody(request, options.maxBodyBytes);
  if (text.trim() === "") throw new StatusError(badRequest("the request body is empty"));
  return parseJson(
    text,
    "request body",
    `the object provided is unrecognized (must be of type ${kind}): `,
  );
}

const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
};

function dryRunOf(params: URLSearchParams): boolean {
  const values = params.getAll("dryRun");
  for (const value of values) {
    if (value !== "All") {
      throw new StatusError(
        invalid("meta.k8s.io", "Options", "", [notSupportedField("dryRun", value, ["All"])]),
      );
    }
  }
  return values.length > 0;
}

/** Handles a request routed to a resource. */
export async function handleResource(
  registry: Registry,
  route: Extract<Route, { type: "resource" }>,
  request: Request,
  url: URL,
  options: ResourceHandlerOptions,
): Promise<Response> {
  const { table, namespace, name, subresource } = route;
  const d = table.descriptor;
  const params = url.searchParams;
  const verb = resourceVerb(route, request.method, params);
  const accept = request.headers.get("accept");
  const needsNamespace = d.namespaced && !(d.plural === "namespaces" && d.group === "");
  if (
    subresource !== undefined &&
    (verb === undefined || !subresourceInfo(subresource).verbs.includes(verb))
  ) {
    await request.body?.cancel().catch(() => {});
    throw new StatusError(methodNotAllowed());
  }
  if (subresource === "scale") {
    return await handleScale(registry, route, request, params, options);
  }
  switch (verb) {
    case "list": {
      const view = negotiateView(accept, true);
      const listOptions = parseListOptions(params, {
        watch: false,
        resource: d,
        streamingLists: registry.streamingLists,
      });
      const page = registry.list(table, namespace, listOptions);
      return listResponse(table, page, page.items, view, params);
    }
    case "watch": {
      const view = negotiateView(accept, false);
      const listOptions = parseListOptions(params, {
        watch: true,
        resource: d,
        streamingLists: registry.streamingLists,
      });
      const watcher = registry.watch({
        table,
        namespace,
        name,
        options: listOptions,
        view: view === "table" ? "table" : view === "metadata" ? "metadata" : "object",
        includeObject: view === "table"
          ? parseIncludeObject(params.get("includeObject"))
          : "Metadata",
        signal: request.signal,
      });
      return new Response(watcher.body, { status: 200, headers: JSON_HEADERS });
    }
    case "get": {
      if (subresource === "log" && d.group === "" && d.plural === "pods") {
        return registry.podLog(table, namespace ?? "", name!, params.get("container"));
      }
      const view = negotiateView(accept, false);
      const stored = registry.get(table, namespace ?? "", name!);
      return objectResponse(stored, view, params);
    }
    case "create": {
      if (name !== undefined || (needsNamespace && namespace === undefined)) {
        await request.body?.cancel().catch(() => {});
        throw new StatusError(methodNotAllowed());
      }
      const view = negotiateView(accept, false);
      const body = await readObjectBody(request, options, table.descriptor.kind);
      const stored = registry.create(table, body, {
        pathNamespace: needsNamespace ? namespace : undefined,
        http: true,
        dryRun: dryRunOf(params),
        manager: updateManager(request, params),
      });
      return objectResponse(stored, view, params, 201);
    }
    case "update": {
      if (name === undefined || (needsNamespace && namespace === undefined)) {
        await request.body?.cancel().catch(() => {});
        throw new StatusError(methodNotAllowed());
      }
      const view = negotiateView(accept, false);
      const body = await readObjectBody(request, options, table.descriptor.kind);
      const ctx: WriteContext & { requireVersion: boolean } = {
        pathNamespace: needsNamespace ? namespace : undefined,
        pathName: name,
        subresource,
        http: true,
        dryRun: dryRunOf(params),
        requireVersion: registry.requiresVersionOnUpdate(table),
        manager: updateManager(request, params),
      };
      const stored = registry.update(table, body, ctx);
      return objectResponse(stored, view, params);
    }
    case "patch": {
      if (name === undefined || (needsNamespace && namespace === undefined)) {
        await request.body?.cancel().catch(() => {});
        throw new StatusError(methodNotAllowed());
      }
      const type = PATCH_TYPES[mediaType(request)];
      if (type === undefined) {
        await request.body?.cancel().catch(() => {});
        throw new StatusError(unsupportedPatchType());
      }
      const view = negotiateView(accept, false);
      const text = await readBody(request, options.maxBodyBytes);
      const patch = parseJson(text, "patch");
      const fieldManager = params.get("fieldManager") ?? undefined;
      const result = registry.patch(table, namespace ?? "", name, type, patch, {
        subresource,
        http: true,
        dryRun: dryRunOf(params),
        fieldManager: type === "apply" ? fieldManager : undefined,
        manager: updateManager(request, params),
      });
      return objectResponse(result.stored, view, params, result.created ? 201 : 200);
    }
    case "delete": {
      if (needsNamespace && namespace === undefined) throw new StatusError(methodNotAllowed());
      const deleteOptions = await readDeleteOptions(request, options);
      const result = registry.delete(table, namespace ?? "", name!, {
        http: true,
        dryRun: dryRunOf(params) || deleteOptions.dryRun,
        preconditions: deleteOptions.preconditions,
      });
      if (!result.deleted || registry.returnsDeletedObject(table)) {
        return objectResponse(result.stored, negotiateView(accept, false), params);
      }
      return jsonResponse(
        JSON.stringify(success(d, result.stored.name, result.stored.system.uid)),
      );
    }
    case "deletecollection": {
      if (needsNamespace && namespace === undefined) throw new StatusError(methodNotAllowed());
      const deleteOptions = await readDeleteOptions(request, options);
      const listOptions = parseListOptions(params, {
        watch: false,
        resource: d,
        streamingLists: registry.streamingLists,
      });
      const deleted = registry.deleteCollection(table, namespace, listOptions, {
        http: true,
        dryRun: dryRunOf(params) || deleteOptions.dryRun,
      });
      return listResponse(
        table,
        {
          rv: registry.store.resourceVersion,
          continueToken: undefined,
          remainingItemCount: undefined,
        },
        deleted,
        "object",
        params,
      );
    }
    default:
      await request.body?.cancel().catch(() => {});
      throw new StatusError(methodNotAllowed());
  }
}

/** `GET`, `PUT` and `PATCH` of the `scale` subresource: `autoscaling/v1` Scale objects. */
async function handleScale(
  registry: Registry,
  route: Extract<Route, { type: "resource" }>,
  request: Request,
  params: URLSearchParams,
  options: ResourceHandlerOptions,
): Promise<Response> {
  const { table, namespace, name } = route;
  if (name === undefined || namespace === undefined) {
    await request.body?.cancel().catch(() => {});
    throw new StatusError(methodNotAllowed());
  }
  const ctx: WriteContext & { pathNamespace: string; pathName: string } = {
    pathNamespace: namespace,
    pathName: name,
    subresource: "scale",
    http: true,
    manager: updateManager(request, params),
  };
  switch (request.method) {
    case "GET":
      return jsonResponse(JSON.stringify(getScale(registry, table, namespace, name)));
    case "PUT": {
      ctx.dryRun = dryRunOf(params);
      const body = await readObjectBody(request, options, "Scale");
      return jsonResponse(JSON.stringify(updateScale(registry, table, body, ctx)));
    }
    case "PATCH": {
      const type = PATCH_TYPES[mediaType(request)];
      if (type === undefined) {
        await request.body?.cancel().catch(() => {});
        throw new StatusError(unsupportedPatchType());
      }
      ctx.dryRun = dryRunOf(params);
      const patch = parseJson(await readBody(request, options.maxBodyBytes), "patch");
      return jsonResponse(JSON.stringify(patchScale(registry, table, type, patch, ctx)));
    }
    default:
      await request.body?.cancel().catch(() => {});
      throw new StatusError(methodNotAllowed());
  }
}

/**
 * Who an Update entry in managedFields names: `fieldManager`, else the User-Agent up to its
 * first `/` (kube-apiserver's `prefixFromUserAgent`).
 */
function updateManager(request: Request, params: URLSearchParams): string | undefined {
  const given = params.get("fieldManager");
  if (given !== null && given !== "") return given;
  const agent = request.headers.get("user-agent") ?? "";
  const prefix = agent.split("/")[0]!.slice(0, 128);
  return prefix === "" ? undefined : prefix;
}

interface DeleteOptions {
  dryRun: boolean;
  preconditions: { uid?: string; resourceVersion?: string } | undefined;
}

async function readDeleteOptions(
  request: Request,
  options: ResourceHandlerOptions,
): Promise<DeleteOptions> {
  const text = await readBody(request, options.maxBodyBytes);
  if (text.trim() === "") return { dryRun: false, preconditions: undefined };
  const body = parseJson(text, "delete options");
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new StatusError(badRequest("the delete options must be a JSON object"));
  }
  const value = body as {
    dryRun?: unknown;
    preconditions?: { uid?: unknown; resourceVersion?: unknown } | null;
  };
  const dryRun = Array.isArray(value.dryRun) && value.dryRun.includes("All");
  const pre = value.preconditions;
  let preconditions: DeleteOptions["preconditions"];
  if (pre !== undefined && pre !== null) {
    preconditions = {};
    if (typeof pre.uid === "string") preconditions.uid = pre.uid;
    if (typeof pre.resourceVersion === "string") {
      preconditions.resourceVersion = pre.resourceVersion;
    }
  }
  return { dryRun, preconditions };
}

/**
 * A direct-API object copy: a fresh parse of the stored JSON. (Copying a
 * cached parse would be about twice as fast, but would keep a parsed copy of
 * every object read; `structuredClone` of one is slower than the parse.)
 */
export function copyOf<T extends KubeObject>(stored: StoredObject): T {
  return JSON.parse(stored.json) as T;
}

/** A Status 404 for paths under a known API prefix that name no resource. */
export function unknownResource(): StatusError {
  return new StatusError(resourceNotFound());
}

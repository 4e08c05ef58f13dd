/**
 * Every kind of request path the server answers, as a table from the parsed
 * path's type to its handler: resources, discovery and OpenAPI documents
 * (read-only: other methods are 404 as on a real server), health checks, and
 * the two kinds of 404.
 *
 * @module
 */

import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiV3GroupVersion,
  openApiV3Root,
  VERSION_INFO,
} from "./_discovery.ts";
import type { ResourceTable } from "./_object_store.ts";
import type { Registry } from "./_registry.ts";
import type { BodyLimits } from "./_request_body.ts";
import type { Route } from "./_request_path.ts";
import { handleResource } from "./_resource_routes.ts";
import { jsonResponse } from "./_responses.ts";
import { badRequest, resourceNotFound, StatusError } from "./_status.ts";

/** What a handler is given besides its parsed path. */
export interface RouteContext {
  /** The registry. */
  readonly registry: Registry;
  /** The request. */
  readonly request: Request;
  /** Its URL. */
  readonly url: URL;
  /** Body limits. */
  readonly limits: BodyLimits;
}

type RouteOf<K extends Route["type"]> = Extract<Route, { type: K }>;

/** A handler of one kind of path. */
type RouteHandler<K extends Route["type"]> = (
  route: RouteOf<K>,
  ctx: RouteContext,
) => Promise<Response> | Response;

/** A discovery document of the served resources (undefined: 404). */
type DocumentOf<K extends Route["type"]> = (
  route: RouteOf<K>,
  tables: ResourceTable[],
  url: URL,
) => unknown;

const TEXT_HEADERS = { "Content-Type": "text/plain; charset=utf-8" };

const ROOT_PATHS = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"];

function pageNotFound(): Response {
  return new Response("404 page not found\n", { status: 404, headers: TEXT_HEADERS });
}

/** Serves a discovery document to GET and HEAD. */
function discovery<K extends Route["type"]>(document: DocumentOf<K>): RouteHandler<K> {
  return (route, { registry, request, url }) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      throw new StatusError(resourceNotFound());
    }
    const body = document(route, [...registry.store.tables()], url);
    return body === undefined ? pageNotFound() : jsonResponse(JSON.stringify(body));
  };
}

/** The handler of each kind of path. */
const SERVER_ROUTES: { readonly [K in Route["type"]]: RouteHandler<K> } = {
  resource: (route, { registry, request, url, limits }) =>
    handleResource(registry, route, request, url, limits),
  unknownResource: () => {
    throw new StatusError(resourceNotFound());
  },
  notFound: pageNotFound,
  malformedPath: () => {
    throw new StatusError(badRequest("the request path is not a valid URL path (bad %-escape)"));
  },
  health: () => new Response("ok", { headers: TEXT_HEADERS }),
  root: discovery(() => ({ paths: ROOT_PATHS })),
  version: discovery(() => VERSION_INFO),
  api: discovery((_route, _tables, url) => apiVersions(url.host)),
  apis: discovery((_route, tables) => apiGroupList(tables)),
  apiGroup: discovery((route, tables) => apiGroup(tables, route.group)),
  resourceList: discovery((route, tables) => apiResourceList(tables, route.group, route.version)),
  openApiV3Root: discovery((_route, tables) => openApiV3Root(tables)),
  openApiV3: discovery((route, tables) =>
    openApiV3GroupVersion(tables, route.group, route.version)
  ),
};

/** Answers a request by the handler of its path's kind. */
export function routeRequest(route: Route, ctx: RouteContext): Promise<Response> | Response {
  const handler = SERVER_ROUTES[route.type] as RouteHandler<Route["type"]>;
  return handler(route, ctx);
}

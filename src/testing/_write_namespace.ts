/**
 * The namespace a write goes to: the request path's (which a body's must
 * match), else the body's, else `default`; none for cluster-scoped resources.
 *
 * @module
 */

import type { ResourceTable } from "./_object_store.ts";
import { badRequest, StatusError } from "./_status.ts";
import type { WriteContext } from "./_write_context.ts";

/** The namespace of a written object (`""` for cluster-scoped resources). */
export function objectNamespace(table: ResourceTable, bodyNs: string, ctx: WriteContext): string {
  if (!table.descriptor.namespaced) return "";
  if (ctx.pathNamespace === undefined) return bodyNs === "" ? "default" : bodyNs;
  if (bodyNs !== "" && bodyNs !== ctx.pathNamespace) {
    throw new StatusError(
      badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      ),
    );
  }
  return ctx.pathNamespace;
}

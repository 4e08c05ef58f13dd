/**
 * The first checks of a write's body: that it is an object of the
 * resource's kind and apiVersion, with an object for metadata (the decoder's
 * errors, 400 BadRequest), and, for requests over the API, the rest of
 * decoding (nulls dropped, field types checked).
 *
 * @module
 */

import type { KubeObject } from "../api/meta.ts";
import { isJsonObject, stripNulls } from "./_json.ts";
import type { ResourceTable } from "./_object_store.ts";
import { badRequest, StatusError } from "./_status.ts";
import { checkDecodable } from "./_validation_decode.ts";
import type { Admission } from "./_write_context.ts";

/** A write's body once it is known to be an object of the resource's kind. */
export type ObjectInput = KubeObject & Record<string, unknown>;

/** Checks that a body is an object of the resource's kind and apiVersion (400 otherwise). */
export function checkKind(table: ResourceTable, body: unknown): ObjectInput {
  const d = table.descriptor;
  if (!isJsonObject(body)) {
    throw new StatusError(
      badRequest(`the object provided is unrecognized (must be of type ${d.kind})`),
    );
  }
  if (body.apiVersion !== undefined && body.apiVersion !== d.apiVersion) {
    throw new StatusError(
      badRequest(
        `the API version in the data (${
          String(body.apiVersion)
        }) does not match the expected API version (${d.apiVersion})`,
      ),
    );
  }
  if (body.kind !== undefined && body.kind !== d.kind) {
    throw new StatusError(
      badRequest(
        `${
          String(body.kind)
        } in version "${d.version}" cannot be handled as a ${d.kind}: converting (${d.version}.${
          String(body.kind)
        }) to (${d.group === "" ? "core" : d.group.split(".")[0]}.${d.kind}): unknown conversion`,
      ),
    );
  }
  if (body.metadata !== undefined && !isJsonObject(body.metadata)) {
    throw new StatusError(
      badRequest(
        `${d.kind} in version "${d.version}" cannot be handled as a ${d.kind}: metadata must be an object`,
      ),
    );
  }
  return body as ObjectInput;
}

/** A write's body as the registry reads it: kind-checked, and decoded when admission says so. */
export function decodeInput(
  table: ResourceTable,
  body: unknown,
  admission: Admission,
): ObjectInput {
  if (!admission.decode) return checkKind(table, body);
  const input = checkKind(table, stripNulls(body));
  checkDecodable(table.descriptor, table.builtin, input);
  return input;
}

/**
 * Responses of the fake apiserver: JSON objects, Status errors, and list
 * bodies streamed in chunks as the reader pulls them.
 *
 * @module
 */

import type { ListPage } from "./_list_page.ts";
import type { ResourceTable, StoredObject } from "./_object_store.ts";
import type { StatusError } from "./_status.ts";
import {
  metadataJson,
  objectViewJson,
  parseIncludeObject,
  tableColumnsJson,
  tableJson,
  tableRowJson,
  type ViewKind,
} from "./_views.ts";

/** Headers of every JSON response. */
export const JSON_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "application/json",
  "Cache-Control": "no-cache, private",
};

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

/** A list response in the negotiated view. */
export function listResponse(
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

/** An object response in the negotiated view. */
export function objectResponse(
  stored: StoredObject,
  view: ViewKind,
  params: URLSearchParams,
  status = 200,
): Response {
  const include = view === "table" ? parseIncludeObject(params.get("includeObject")) : "Metadata";
  return jsonResponse(objectViewJson(stored, view, include), status);
}

/**
 * Reading request bodies: a size limit (413), UTF-8, JSON or protobuf
 * objects by content type (415 otherwise), patches, and delete options.
 *
 * @module
 */

import { decodeProtobufObject, ProtobufDecodeError } from "./_protobuf_decoder.ts";
import { badRequest, entityTooLarge, StatusError, unsupportedMediaType } from "./_status.ts";
import type { DeletePreconditions } from "./_write_delete.ts";

/** Settings of request body reading. */
export interface BodyLimits {
  /** Largest accepted request body. */
  maxBodyBytes: number;
}

/** The body as text (400 unless UTF-8, 413 when too large). */
export async function readBody(request: Request, limit: number): Promise<string> {
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

/** Parses JSON (400 naming what was parsed). */
export function parseJson(text: string, what: string, prefix = ""): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof SyntaxError ? "invalid JSON" : "unreadable body";
    throw new StatusError(
      badRequest(`${prefix}couldn't get version/kind; json parse error: ${detail} in the ${what}`),
    );
  }
}

/** The request's media type, lowercase, without parameters. */
export function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const OBJECT_MEDIA_TYPES = ["application/json", PROTOBUF];

/** An object body: JSON or protobuf by content type. */
export async function readObjectBody(
  request: Request,
  options: BodyLimits,
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

/** What a delete's body asks. */
export interface DeleteOptions {
  dryRun: boolean;
  preconditions: DeletePreconditions | undefined;
}

/** The delete options of a DELETE body (none when empty). */
export async function readDeleteOptions(
  request: Request,
  options: BodyLimits,
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

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

/**
 * The deepest nesting of arrays and objects a request body may have: the
 * limit of Go's JSON scanner, which kube-apiserver's decoding inherits.
 * Deeper bodies are refused before anything walks them recursively.
 */
export const MAX_JSON_DEPTH = 10_000;

/**
 * Parses JSON (400 naming what was parsed). Nesting deeper than
 * {@linkcode MAX_JSON_DEPTH} is a 400 with kube-apiserver's messages: `invalid
 * JSON patch` for a patch, else the decoder's `invalid character '[' exceeded
 * max depth` followed by the start of the body.
 */
export function parseJson(text: string, what: string, prefix = ""): unknown {
  const fail = (detail: string) =>
    new StatusError(badRequest(`${prefix}couldn't get version/kind; json parse error: ${detail}`));
  const tooDeep = jsonTextDepthExceeds(text, MAX_JSON_DEPTH);
  if (tooDeep !== -1) {
    if (what === "patch") throw new StatusError(badRequest("invalid JSON patch"));
    const start = text.length > 30 ? `${text.slice(0, 30)} ...` : text;
    throw fail(`invalid character '${text[tooDeep]}' exceeded max depth (${start})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw fail(`${err instanceof SyntaxError ? "invalid JSON" : "unreadable body"} in the ${what}`);
  }
}

/**
 * Where JSON text first nests arrays and objects more than `max` deep (the
 * index of that bracket), or -1; one scan, brackets inside strings do not
 * count, no recursion, so any input is safe.
 */
export function jsonTextDepthExceeds(text: string, max: number): number {
  // Nesting deeper than `max` needs more than `max` opening brackets.
  if (text.length <= max) return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/** Whether a decoded value nests arrays and objects more than `max` deep (iterative). */
export function valueDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [current, depth] = item;
    if (typeof current !== "object" || current === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
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
    let decoded: unknown;
    try {
      decoded = decodeProtobufObject(bytes);
    } catch (err) {
      if (!(err instanceof ProtobufDecodeError)) throw err;
      throw new StatusError(
        badRequest(`the protobuf request body cannot be decoded: ${err.message}`),
      );
    }
    if (valueDepthExceeds(decoded, MAX_JSON_DEPTH)) {
      throw new StatusError(
        badRequest("the protobuf request body cannot be decoded: exceeded max depth"),
      );
    }
    return decoded;
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

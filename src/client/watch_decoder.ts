/**
 * Decodes the body of a Kubernetes watch response (newline-delimited JSON
 * `WatchEvent`s) into {@linkcode WatchEvent} values, incrementally and in
 * linear time, without assuming anything about chunk boundaries.
 *
 * Three forms share one decoder:
 * - {@linkcode WatchDecoder}: push bytes, get the events they complete;
 * - {@linkcode WatchDecoderStream}: a `TransformStream` for `pipeThrough`;
 * - {@linkcode decodeWatchStream}: an async generator over a response body,
 *   with cancellation by `AbortSignal` or by leaving the loop.
 *
 * Rules: lines are split on the newline byte; blank lines (only whitespace,
 * `\r` included) are skipped; UTF-8 is decoded in streaming mode, so a
 * character split across chunks is fine; each line must be a JSON object with
 * a `type` of `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR` and an
 * object in `object`. `ERROR` events carry the Status both as `object` and as
 * an {@linkcode ApiError} (an `ExpiredError` for 410). Anything else is a
 * {@linkcode WatchDecodeError}, after which the decoder refuses further input:
 * a stream that carried garbage is not trusted. Error messages give the line
 * number and length, never the line's content.
 *
 * @module
 */

import { ApiError, WatchDecodeError, type WatchDecodeErrorKind } from "../api/errors.ts";
import type { Status } from "../api/meta.ts";
import type { BookmarkObject, WatchEvent } from "../api/watch_event.ts";

/** Options of {@linkcode WatchDecoder}, {@linkcode WatchDecoderStream} and {@linkcode decodeWatchStream}. */
export interface WatchDecoderOptions {
  /**
   * Maximum bytes in one line (without its newline) before
   * `WatchDecodeError("line-too-long")`. Checked as bytes arrive, so an
   * endless line fails as soon as it passes the limit. A positive integer,
   * or `Infinity` for no limit.
   *
   * @default {16 * 1024 * 1024}
   */
  maxLineBytes?: number;
  /**
   * Rewrites the text of each event line just before it is parsed, such as
   * `(line) => cutManagedFields(line, "watch-event")`. It must return JSON
   * text of the same event (or the line unchanged) and must not throw.
   */
  rewriteLine?: ((line: string) => string) | undefined;
}

/** Default of {@linkcode WatchDecoderOptions.maxLineBytes}: 16 MiB. */
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const NEWLINE = 10;
const REPLACEMENT_CHARACTER = "\uFFFD";
const BYTE_ORDER_MARK = "\uFEFF";
const EMPTY = new Uint8Array(0);
/** First capacity of the buffer of an unfinished line. */
const MIN_PENDING_CAPACITY = 1024;
/** A buffer grown past this for one long line is let go once the line is done. */
const KEEP_PENDING_CAPACITY = 1024 * 1024;

/**
 * The decoder shared by the three public forms. `pushInto`/`endInto` append
 * the events they finish to `out` even when they throw, so the stream forms
 * can deliver every event that precedes a bad line.
 *
 * Memory: the bytes of the unfinished line are copied into one growable
 * buffer (never more than `maxLineBytes`), not kept as one string or array
 * per chunk, so a line fed one byte at a time costs what the line costs.
 *
 * UTF-8: complete lines are decoded in one call per chunk (the lines a chunk
 * finishes, which end at a newline, so no character is split) with a
 * non-fatal `TextDecoder` (several times faster than a fatal one on ASCII
 * payloads); the decoded text is checked for U+FFFD, which a non-fatal
 * decoder emits for every invalid sequence. Only when U+FFFD appears (an
 * error, or a genuine U+FFFD in the data) are the bytes validated again with
 * a fatal decoder, line by line, which finds the first invalid line exactly.
 */
class DecoderCore<T> {
  readonly #maxLineBytes: number;
  readonly #rewriteLine: ((line: string) => string) | undefined;
  readonly #decoder: TextDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
  /** Bytes of the current, unfinished line: the first `#pendingLength` bytes. */
  #pending: Uint8Array = EMPTY;
  #pendingLength = 0;
  /** Size of the line `#firstTooLongLine` found (so far, when `#tooLongUnfinished`). */
  #tooLongBytes = 0;
  /** Whether the line `#firstTooLongLine` found had no newline yet. */
  #tooLongUnfinished = false;
  /** No text decoded yet: a byte order mark at the start of the stream is dropped. */
  #atStart = true;
  #bytesRead = 0;
  #linesRead = 0;
  #ended = false;
  #error: WatchDecodeError | undefined;

  constructor(options: WatchDecoderOptions) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!(max >= 1 && (Number.isInteger(max) || max === Infinity))) {
      throw new RangeError(`maxLineBytes must be a positive integer or Infinity, got ${max}`);
    }
    this.#maxLineBytes = max;
    this.#rewriteLine = options.rewriteLine;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  get linesRead(): number {
    return this.#linesRead;
  }

  pushInto(chunk: Uint8Array, out: WatchEvent<T>[]): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended) throw new TypeError("WatchDecoder: push() called after end()");
    const n = chunk.length;
    if (n === 0) return;
    this.#bytesRead += n;

    // Index (within this chunk; 0 = the line continued from earlier chunks)
    // of the first line that is too long, found before any byte is kept.
    const tooLong = this.#pendingLength + n <= this.#maxLineBytes
      ? -1
      : this.#firstTooLongLine(chunk);
    const first = chunk.indexOf(NEWLINE);
    if (first === -1 || tooLong === 0) {
      if (tooLong !== -1) this.#failTooLong();
      this.#append(chunk);
      return;
    }

    let index = 0;
    let start = 0;
    if (this.#pendingLength !== 0) {
      // The line continued from earlier chunks ends in this one.
      this.#append(chunk.subarray(0, first));
      const bytes = this.#pending.subarray(0, this.#pendingLength);
      const text = this.#decode(bytes);
      if (text.indexOf(REPLACEMENT_CHARACTER) !== -1 && !isValidUtf8(bytes)) {
        this.#failUtf8("is not valid UTF-8");
      }
      this.#pendingLength = 0;
      if (this.#pending.length > KEEP_PENDING_CAPACITY) this.#pending = EMPTY;
      this.#line(text, out);
      index = 1;
      start = first + 1;
    }

    // The lines this chunk holds whole, decoded in one call.
    const last = chunk.lastIndexOf(NEWLINE);
    if (start <= last) {
      const text = this.#decode(chunk.subarray(start, last));
      let stopAt = tooLong;
      let invalid = false;
      if (text.indexOf(REPLACEMENT_CHARACTER) !== -1) {
        const bad = firstInvalidUtf8Line(chunk.subarray(start, last + 1));
        if (bad !== -1 && (stopAt === -1 || index + bad <= stopAt)) {
          stopAt = index + bad;
          invalid = true;
        }
      }
      let from = 0;
      for (;; index++) {
        if (index === stopAt) {
          if (invalid) this.#failUtf8("is not valid UTF-8");
          this.#failTooLong();
        }
        const nl = text.indexOf("\n", from);
        if (nl === -1) {
          this.#line(from === 0 ? text : text.slice(from), out);
          index++;
          break;
        }
        this.#line(text.slice(from, nl), out);
        from = nl + 1;
      }
    }
    // What is left is the start of the next line; it can only be the too-long one.
    if (tooLong !== -1) this.#failTooLong();
    if (last + 1 < n) this.#append(chunk.subarray(last + 1));
  }

  endInto(out: WatchEvent<T>[]): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended) return;
    this.#ended = true;
    const length = this.#pendingLength;
    if (length === 0) return;
    const bytes = this.#pending.subarray(0, length);
    const text = this.#decode(bytes);
    if (text.indexOf(REPLACEMENT_CHARACTER) !== -1 && !isValidUtf8(bytes)) {
      const unfinished = unfinishedSequenceLength(bytes);
      this.#failUtf8(
        unfinished !== 0 && isValidUtf8(bytes.subarray(0, length - unfinished))
          ? "ends inside a UTF-8 sequence at the end of the stream"
          : "is not valid UTF-8",
      );
    }
    this.#pendingLength = 0;
    this.#pending = EMPTY;
    this.#line(text, out);
  }

  /** Decodes bytes that end at a line boundary (a stream's leading BOM dropped). */
  #decode(bytes: Uint8Array): string {
    const text = this.#decoder.decode(bytes);
    if (!this.#atStart) return text;
    this.#atStart = false;
    return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  }

  /** Appends bytes to the unfinished line, growing its buffer by doubling. */
  #append(bytes: Uint8Array): void {
    const needed = this.#pendingLength + bytes.length;
    if (needed > this.#pending.length) {
      let capacity = Math.max(MIN_PENDING_CAPACITY, this.#pending.length * 2, needed);
      if (capacity > this.#maxLineBytes) capacity = Math.max(needed, this.#maxLineBytes);
      const grown = new Uint8Array(capacity);
      grown.set(this.#pending.subarray(0, this.#pendingLength));
      this.#pending = grown;
    }
    this.#pending.set(bytes, this.#pendingLength);
    this.#pendingLength = needed;
  }

  /** Decodes one complete line (without its newline) and appends its event to `out`. */
  #line(line: string, out: WatchEvent<T>[]): void {
    if (line.length <= 1 && line.trim().length === 0) {
      // "" and "\r": skipped without the cost of a JSON.parse exception.
      this.#linesRead++;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(this.#rewriteLine === undefined ? line : this.#rewriteLine(line));
    } catch {
      if (line.trim().length === 0) {
        this.#linesRead++;
        return;
      }
      // The SyntaxError is not kept as `cause`: its message quotes the line.
      this.#failLine("malformed-json", line, "is not valid JSON");
    }
    if (typeof value !== "object" || value === null) {
      this.#failLine("unknown-type", line, "is not a JSON object");
    }
    const { type, object } = value as { type?: unknown; object?: unknown };
    if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") {
      if (!isObject(object)) this.#failLine("missing-object", line, `(${type}) has no object`);
      out.push({ type, object: object as T });
    } else if (type === "BOOKMARK") {
      if (!isObject(object)) this.#failLine("missing-object", line, "(BOOKMARK) has no object");
      out.push({ type, object: object as BookmarkObject });
    } else if (type === "ERROR") {
      if (!isObject(object)) this.#failLine("missing-object", line, "(ERROR) has no object");
      const status = object as Status;
      out.push({ type, object: status, error: ApiError.fromStatus(status) });
    } else {
      this.#failLine("unknown-type", line, describeType(type));
    }
    this.#linesRead++;
  }

  /**
   * Finds the first line of `chunk` longer than the limit.
   *
   * @returns The index of that line within the chunk (0 = the line continued
   * from earlier chunks), or -1; on a hit `#tooLongBytes` holds its size (so
   * far, when `#tooLongUnfinished`).
   */
  #firstTooLongLine(chunk: Uint8Array): number {
    const max = this.#maxLineBytes;
    let lineBytes = this.#pendingLength;
    let start = 0;
    let index = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (lineBytes + nl - start > max) {
        this.#tooLongBytes = lineBytes + nl - start;
        this.#tooLongUnfinished = false;
        return index;
      }
      lineBytes = 0;
      start = nl + 1;
      index++;
    }
    this.#tooLongBytes = lineBytes + chunk.length - start;
    this.#tooLongUnfinished = true;
    return this.#tooLongBytes > max ? index : -1;
  }

  #failTooLong(): never {
    this.#fail(
      "line-too-long",
      `watch line ${this.#linesRead + 1} has ${this.#tooLongBytes} bytes${
        this.#tooLongUnfinished ? " and no newline yet" : ""
      }, more than maxLineBytes (${this.#maxLineBytes})`,
    );
  }

  #failUtf8(what: string): never {
    this.#fail("invalid-utf8", `watch line ${this.#linesRead + 1} ${what}`);
  }

  #failLine(kind: WatchDecodeErrorKind, line: string, what: string): never {
    this.#fail(kind, `watch line ${this.#linesRead + 1} (${utf8Length(line)} bytes) ${what}`);
  }

  #fail(kind: WatchDecodeErrorKind, message: string): never {
    this.#pending = EMPTY;
    this.#pendingLength = 0;
    this.#error = new WatchDecodeError(kind, message);
    throw this.#error;
  }
}

/** Whether bytes are valid UTF-8 (a fatal decoder accepts them). */
function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The index of the first line of `bytes` (lines that end with a newline)
 * that is not valid UTF-8, validated one line at a time, or -1.
 */
function firstInvalidUtf8Line(bytes: Uint8Array): number {
  let start = 0;
  for (let index = 0;; index++) {
    const nl = bytes.indexOf(NEWLINE, start);
    const end = nl === -1 ? bytes.length : nl;
    if (!isValidUtf8(bytes.subarray(start, end))) return index;
    if (nl === -1) return -1;
    start = nl + 1;
  }
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeType(type: unknown): string {
  if (type === undefined) return "has no event type";
  if (typeof type !== "string") return `has an event type that is not a string (${typeof type})`;
  if (type.length > 64) return `has an unknown event type (${type.length} characters)`;
  return `has an unknown event type ${JSON.stringify(type)}`;
}

/** How many of the last bytes form the start of a UTF-8 sequence still waiting for its continuation bytes. */
function unfinishedSequenceLength(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let k = 1; k <= Math.min(3, length); k++) {
    const b = bytes[length - k]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needed > k ? k : 0;
  }
  return 0;
}

function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x800) bytes += c >= 0xd800 && c <= 0xdbff ? 1 : 2; // a surrogate pair is 4 bytes in all
    else if (c >= 0x80) bytes += 1;
  }
  return bytes;
}

/**
 * Push-based incremental watch decoder; the hot path. Feed it the chunks of
 * a watch response body in order with {@linkcode WatchDecoder.push}, then call
 * {@linkcode WatchDecoder.end} when the body ends.
 *
 * After a {@linkcode WatchDecodeError} the decoder is poisoned: every later
 * call throws the same error. When `push` throws, the events of that chunk
 * that preceded the bad line are not returned (the stream forms deliver them).
 *
 * @typeParam T The object type of ADDED/MODIFIED/DELETED events.
 *
 * @example Decoding chunks that split an event
 * ```ts
 * import { WatchDecoder } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const bytes = new TextEncoder().encode(
 *   '{"type":"ADDED","object":{"metadata":{"name":"web-0"}}}\n{"type":"DELETED","obj',
 * );
 * const decoder = new WatchDecoder<Pod>();
 * const first = decoder.push(bytes.subarray(0, 20)); // []
 * const second = decoder.push(bytes.subarray(20)); // the ADDED event
 * const rest = decoder.push(new TextEncoder().encode('ect":{"metadata":{"name":"web-0"}}}\n'));
 * console.log(first.length, second[0]?.type, rest[0]?.type); // 0 "ADDED" "DELETED"
 * console.log(decoder.end().length, decoder.linesRead); // 0 2
 * ```
 */
export class WatchDecoder<T> {
  readonly #core: DecoderCore<T>;

  /**
   * Creates a decoder.
   *
   * @param options The line size limit.
   * @throws {RangeError} When `maxLineBytes` is not a positive integer or `Infinity`.
   */
  constructor(options?: WatchDecoderOptions) {
    options ??= {};
    this.#core = new DecoderCore<T>(options);
  }

  /**
   * Feeds one chunk of the body.
   *
   * @param chunk The next bytes; they may end anywhere, even inside a character.
   * @returns The events of the lines this chunk completed (possibly none).
   * @throws {WatchDecodeError} When a line is not a valid watch event, a line
   * exceeds `maxLineBytes`, or the bytes are not UTF-8.
   * @throws {TypeError} When called after {@linkcode WatchDecoder.end}.
   */
  push(chunk: Uint8Array): WatchEvent<T>[] {
    const out: WatchEvent<T>[] = [];
    this.#core.pushInto(chunk, out);
    return out;
  }

  /**
   * Ends the input: decodes a last line that has no trailing newline. Calling
   * it again returns no events.
   *
   * @returns The event of that last line, if there is one.
   * @throws {WatchDecodeError} When the last line is not a valid watch event or
   * the body ends inside a UTF-8 sequence.
   */
  end(): WatchEvent<T>[] {
    const out: WatchEvent<T>[] = [];
    this.#core.endInto(out);
    return out;
  }

  /** Total bytes pushed so far. */
  get bytesRead(): number {
    return this.#core.bytesRead;
  }

  /** Lines decoded so far, blank lines included; an error names line `linesRead + 1`. */
  get linesRead(): number {
    return this.#core.linesRead;
  }
}

/**
 * The watch decoder as a `TransformStream`: bytes in, {@linkcode WatchEvent}s
 * out. A decode error errors both sides of the stream, so a `pipeThrough`
 * source is cancelled; as with any errored stream, events not read yet are
 * dropped ({@linkcode decodeWatchStream} delivers every event that precedes a
 * bad line before it throws).
 *
 * @typeParam T The object type of ADDED/MODIFIED/DELETED events.
 *
 * @example Piping a response body
 * ```ts
 * import { WatchDecoderStream } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const body = new Response(
 *   '{"type":"ADDED","object":{"metadata":{"name":"web-0"}}}\n' +
 *     '{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12"}}}\n',
 * ).body!;
 * for await (const event of body.pipeThrough(new WatchDecoderStream<Pod>())) {
 *   console.log(event.type); // "ADDED", then "BOOKMARK"
 * }
 * ```
 */
export class WatchDecoderStream<T> extends TransformStream<Uint8Array, WatchEvent<T>> {
  /**
   * Creates the stream.
   *
   * @param options The line size limit.
   * @throws {RangeError} When `maxLineBytes` is not a positive integer or `Infinity`.
   */
  constructor(options?: WatchDecoderOptions) {
    options ??= {};
    const core = new DecoderCore<T>(options);
    const out: WatchEvent<T>[] = [];
    const enqueueAll = (controller: TransformStreamDefaultController<WatchEvent<T>>) => {
      for (const event of out) controller.enqueue(event);
      out.length = 0;
    };
    super({
      transform(chunk, controller) {
        try {
          core.pushInto(chunk, out);
        } finally {
          enqueueAll(controller);
        }
      },
      flush(controller) {
        try {
          core.endInto(out);
        } finally {
          enqueueAll(controller);
        }
      },
    });
  }
}

/**
 * Decodes a watch response body as an async iterable of {@linkcode WatchEvent}s.
 *
 * Leaving the loop early (`break`, `return`, a throw) cancels the body, and so
 * does aborting `options.signal`, after which the iteration rejects with
 * `signal.reason`. A decode error cancels the body and is thrown after the
 * events that preceded the bad line. An error of the body itself is thrown
 * as it is.
 *
 * @typeParam T The object type of ADDED/MODIFIED/DELETED events.
 * @param body The response body.
 * @param options The line size limit and an abort signal.
 * @returns The events, in order. The body is locked when iteration starts.
 * @throws {RangeError} When `maxLineBytes` is not a positive integer or `Infinity`.
 *
 * @example Reading a watch until a condition holds
 * ```ts
 * import { decodeWatchStream } from "@kubesnap/kubesnap";
 * import type { Pod } from "@kubesnap/kubesnap";
 * const body = new Response(
 *   '{"type":"ADDED","object":{"metadata":{"name":"web-0"}}}\n' +
 *     '{"type":"DELETED","object":{"metadata":{"name":"web-0"}}}\n',
 * ).body!;
 * const controller = new AbortController();
 * for await (const event of decodeWatchStream<Pod>(body, { signal: controller.signal })) {
 *   if (event.type === "ERROR") throw event.error;
 *   console.log(event.type, event.object.metadata?.name);
 *   if (event.type === "DELETED") break; // cancels the body
 * }
 * ```
 */
export function decodeWatchStream<T>(
  body: ReadableStream<Uint8Array>,
  options: WatchDecoderOptions & { signal?: AbortSignal } = {},
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  // Built here so that bad options throw at the call, not at the first `next()`.
  const core = new DecoderCore<T>(options);
  return decodeBody(body, core, options.signal);
}

async function* decodeBody<T>(
  body: ReadableStream<Uint8Array>,
  core: DecoderCore<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const reader = body.getReader();
  let done = false;
  let cancelling: Promise<void> | undefined;
  const cancel = (reason: unknown) => {
    cancelling ??= reader.cancel(reason).catch(() => {});
  };
  const onAbort = () => cancel(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let failure: unknown;
  try {
    signal?.throwIfAborted();
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (err) {
        done = true; // the body errored: there is nothing to cancel
        throw err;
      }
      signal?.throwIfAborted();
      const out: WatchEvent<T>[] = [];
      let decodeError: WatchDecodeError | undefined;
      try {
        if (result.done) {
          done = true;
          core.endInto(out);
        } else {
          core.pushInto(result.value, out);
        }
      } catch (err) {
        if (!(err instanceof WatchDecodeError)) throw err;
        decodeError = err;
      }
      for (const event of out) {
        yield event;
        signal?.throwIfAborted();
      }
      if (decodeError !== undefined) throw decodeError;
      if (result.done) return;
    }
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!done) cancel(signal?.aborted ? signal.reason : failure);
    if (cancelling !== undefined) await cancelling;
    reader.releaseLock();
  }
}

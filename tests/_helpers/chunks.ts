/**
 * Splits byte payloads into chunks the way a network might, to test stream
 * parsers against every chunk boundary, and turns chunks into streams.
 *
 * @module
 */

import { seededRandom } from "./random.ts";

/**
 * Splits `bytes` at the given offsets (sorted or not; duplicates and offsets
 * outside `(0, length)` are ignored). The chunks are views into `bytes`.
 *
 * @example Two chunks
 * ```ts
 * import { splitAt } from "./chunks.ts";
 * console.log(splitAt(new Uint8Array([1, 2, 3]), [1]).map((c) => [...c])); // [[1], [2, 3]]
 * ```
 */
export function splitAt(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < bytes.length).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  if (start < bytes.length || chunks.length === 0) chunks.push(bytes.subarray(start));
  return chunks;
}

/**
 * Every way to split `bytes` into two non-empty chunks, in offset order,
 * followed by the whole payload as one chunk.
 *
 * @example Counting the splits
 * ```ts
 * import { everyTwoWaySplit } from "./chunks.ts";
 * console.log([...everyTwoWaySplit(new Uint8Array(4))].length); // 4
 * ```
 */
export function* everyTwoWaySplit(bytes: Uint8Array): Generator<Uint8Array[], void, undefined> {
  for (let offset = 1; offset < bytes.length; offset++) yield splitAt(bytes, [offset]);
  yield [bytes];
}

/**
 * Splits `bytes` into chunks of `size` bytes (the last may be shorter).
 *
 * @example One-byte chunks
 * ```ts
 * import { chunksOf } from "./chunks.ts";
 * console.log(chunksOf(new Uint8Array(3), 1).length); // 3
 * ```
 */
export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  if (!(Number.isInteger(size) && size >= 1)) {
    throw new RangeError(`size must be >= 1, got ${size}`);
  }
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    chunks.push(bytes.subarray(start, start + size));
  }
  return chunks;
}

/**
 * Splits `bytes` at random offsets: chunk sizes are uniform in `[1, maxChunk]`.
 *
 * @example Reproducible random chunking
 * ```ts
 * import { randomChunks } from "./chunks.ts";
 * const bytes = new Uint8Array(100);
 * console.log(randomChunks(bytes, { seed: 3 }).length === randomChunks(bytes, { seed: 3 }).length);
 * ```
 */
export function randomChunks(
  bytes: Uint8Array,
  options: { seed: number; maxChunk?: number },
): Uint8Array[] {
  const random = seededRandom(options.seed);
  const maxChunk = options.maxChunk ?? 64;
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length;) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

/** Options of {@linkcode streamOf}. */
export interface StreamOfOptions {
  /**
   * Close the stream after the last chunk; when false it stays open (like a
   * watch that has gone quiet) until cancelled.
   *
   * @default {true}
   */
  close?: boolean;
  /** Called with the reason when the consumer cancels the stream. */
  onCancel?: (reason: unknown) => void;
  /** Called each time the consumer pulls, with the number of chunks handed out so far. */
  onPull?: (pulled: number) => void;
}

/**
 * A pull-based `ReadableStream` that hands out `chunks` one per pull.
 *
 * @example Reading it back
 * ```ts
 * import { streamOf } from "./chunks.ts";
 * const text = await new Response(streamOf([new TextEncoder().encode("hi")])).text();
 * console.log(text); // "hi"
 * ```
 */
export function streamOf(
  chunks: readonly Uint8Array[],
  options: StreamOfOptions = {},
): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      options.onPull?.(next);
      const chunk = chunks[next];
      if (chunk !== undefined) {
        next++;
        controller.enqueue(chunk);
      } else if (options.close ?? true) {
        controller.close();
      }
    },
    cancel(reason) {
      options.onCancel?.(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * Run by `watch_decoder_memory_test.ts` in a fresh process: feeds one watch
 * line of `limit` bytes (the decoder's limit) in chunks of `size` bytes and
 * prints, as JSON, the peak growth of the V8 heap plus external memory (array
 * buffers) while the line was fed, and the number of events decoded.
 *
 * Usage: `deno run --v8-flags=--expose-gc _watch_decoder_memory_child.ts <size> <limit>`
 *
 * @module
 */

import { WatchDecoder } from "../../src/client/watch_decoder.ts";

const size = Number(Deno.args[0]);
const limit = Number(Deno.args[1]);

const line = new Uint8Array(limit + 1).fill(0x61);
const head = new TextEncoder().encode('{"type":"ADDED","object":{"metadata":{"name":"big"},"d":"');
const tail = new TextEncoder().encode('"}}\n');
line.set(head, 0);
line.set(tail, limit + 1 - tail.length);
// The chunks are copied into one reused buffer so that they leave no garbage of their own.
const chunk = new Uint8Array(size);

const used = () => {
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
};
(globalThis as { gc?: () => void }).gc?.();
const decoder = new WatchDecoder({ maxLineBytes: limit });
const base = used();
let peak = 0;
let events = 0;
let pushes = 0;
for (let start = 0; start < line.length; start += size) {
  const part = line.subarray(start, start + size);
  chunk.set(part);
  events += decoder.push(chunk.subarray(0, part.length)).length;
  if (++pushes % 4096 === 0) peak = Math.max(peak, used() - base);
}
peak = Math.max(peak, used() - base);
console.log(JSON.stringify({ peak, events }));

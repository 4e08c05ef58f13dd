/**
 * Throughput of the watch decoder against its floor, `JSON.parse` of the same
 * lines already split into strings. The payload: 10,000 watch events of
 * realistic pods (about 8.6 KB of JSON each, managedFields included), about
 * 86 MB, cut into 64 KiB chunks as a network read would deliver them.
 *
 * Run: `deno bench bench/watch_decoder_bench.ts`; MB/s = payload bytes
 * (printed first) / time per iteration.
 *
 * @module
 */

import {
  decodeWatchStream,
  WatchDecoder,
  WatchDecoderStream,
} from "../src/client/watch_decoder.ts";
import type { Pod } from "../src/api/core_v1.ts";
import { generatePod } from "./_pod_generator.ts";

const EVENTS = 10_000;
const CHUNK_BYTES = 64 * 1024;

const lines: string[] = [];
for (let i = 0; i < EVENTS; i++) {
  const type = i % 10 < 6 ? "MODIFIED" : i % 10 < 9 ? "ADDED" : "DELETED";
  lines.push(JSON.stringify({ type, object: generatePod(i) }));
}
const payload = new TextEncoder().encode(lines.map((line) => `${line}\n`).join(""));
const chunks: Uint8Array[] = [];
for (let start = 0; start < payload.length; start += CHUNK_BYTES) {
  chunks.push(payload.subarray(start, start + CHUNK_BYTES));
}
console.log(
  `payload: ${EVENTS} events, ${payload.length} bytes (${(payload.length / 1e6).toFixed(2)} MB), ` +
    `${chunks.length} chunks of ${CHUNK_BYTES} bytes`,
);

let sink = 0;

function bodyOf(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[next++];
      if (part === undefined) controller.close();
      else controller.enqueue(part);
    },
  }, { highWaterMark: 0 });
}

function check(events: number): void {
  if (events !== EVENTS) throw new Error(`decoded ${events} events, expected ${EVENTS}`);
  sink += events;
}

Deno.bench({
  name: "floor: JSON.parse of the pre-split lines",
  group: "watch decode 10k pods",
  baseline: true,
  fn() {
    let events = 0;
    for (const line of lines) {
      const value = JSON.parse(line);
      if (value.object !== undefined) events++;
    }
    check(events);
  },
});

Deno.bench({
  name: "WatchDecoder.push over 64 KiB chunks",
  group: "watch decode 10k pods",
  fn() {
    const decoder = new WatchDecoder<Pod>();
    let events = 0;
    for (const chunk of chunks) events += decoder.push(chunk).length;
    events += decoder.end().length;
    check(events);
  },
});

Deno.bench({
  name: "decodeWatchStream over a ReadableStream of the chunks",
  group: "watch decode 10k pods",
  async fn() {
    let events = 0;
    for await (const _ of decodeWatchStream<Pod>(bodyOf(chunks))) events++;
    check(events);
  },
});

Deno.bench({
  name: "WatchDecoderStream via pipeThrough",
  group: "watch decode 10k pods",
  async fn() {
    let events = 0;
    for await (const _ of bodyOf(chunks).pipeThrough(new WatchDecoderStream<Pod>())) events++;
    check(events);
  },
});

Deno.bench({
  name: "naive: TextDecoder of the whole body + split + JSON.parse",
  group: "watch decode 10k pods",
  fn() {
    let events = 0;
    for (const line of new TextDecoder().decode(payload).split("\n")) {
      if (line.trim() === "") continue;
      const value = JSON.parse(line);
      if (value.object !== undefined) events++;
    }
    check(events);
  },
});

// The alternative the decoder does not use: a fatal streaming TextDecoder per
// chunk (the straightforward way to reject invalid UTF-8), same splitting.
Deno.bench({
  name: "alternative: fatal TextDecoder per chunk + indexOf split + JSON.parse",
  group: "watch decode 10k pods",
  fn() {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let tail = "";
    let events = 0;
    for (const chunk of chunks) {
      const text = decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
        const line = start === 0 ? tail + text.slice(0, nl) : text.slice(start, nl);
        if (start === 0) tail = "";
        if (JSON.parse(line).object !== undefined) events++;
        start = nl + 1;
      }
      tail += text.slice(start);
    }
    check(events);
  },
});

Deno.bench({
  name: "alternative: split bytes on 0x0A, TextDecoder per line + JSON.parse",
  group: "watch decode 10k pods",
  fn() {
    const decoder = new TextDecoder();
    let tail = "";
    let events = 0;
    for (const chunk of chunks) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const line = tail + decoder.decode(chunk.subarray(start, nl), { stream: true });
        tail = "";
        if (JSON.parse(line).object !== undefined) events++;
        start = nl + 1;
      }
      tail += decoder.decode(chunk.subarray(start), { stream: true });
    }
    check(events);
  },
});

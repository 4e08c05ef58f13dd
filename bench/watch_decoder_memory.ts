/**
 * Memory of the watch decoder while one line at the size limit arrives in
 * small chunks. A decoder that keeps one string (or one array) per chunk of
 * an unfinished line needs tens of bytes per chunk: hundreds of MB for a
 * 16 MiB line in 1-byte chunks. The decoder must stay within a small constant
 * times the line limit whatever the chunking.
 *
 * Each chunking runs in its own process (so one run's garbage does not count
 * against the next) and reports the growth of resident memory and of the V8
 * heap over the process's state before the line: the peak while the line is
 * fed (sampled every 64 KiB, after the line is decoded too) and what is left
 * after the event was returned and garbage was collected.
 *
 * Run: `deno run --allow-run --allow-read --v8-flags=--expose-gc bench/watch_decoder_memory.ts`
 * (`--limit-mib 4` for a quicker run; the default is the decoder's default
 * limit, 16 MiB).
 *
 * @module
 */

import { WatchDecoder } from "../src/client/watch_decoder.ts";

const CHUNK_SIZES = [1, 16, 65536];
const MIB = 1024 * 1024;

interface Measurement {
  chunkBytes: number;
  limitBytes: number;
  events: number;
  seconds: number;
  peakRssGrowth: number;
  peakHeapGrowth: number;
  endRssGrowth: number;
  endHeapGrowth: number;
}

/** One watch event line of exactly `bytes` bytes (without its newline), plus the newline. */
function lineAtLimit(bytes: number): Uint8Array {
  const head = '{"type":"ADDED","object":{"metadata":{"name":"big"},"data":"';
  const tail = '"}}';
  const line = new Uint8Array(bytes + 1);
  line.fill(0x61); // "a"
  line.set(new TextEncoder().encode(head), 0);
  line.set(new TextEncoder().encode(tail), bytes - tail.length);
  line[bytes] = 0x0a;
  return line;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function measure(chunkBytes: number, limitBytes: number): Measurement {
  const line = lineAtLimit(limitBytes);
  gc();
  const base = Deno.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const now = Deno.memoryUsage();
    if (now.rss > peakRss) peakRss = now.rss;
    if (now.heapUsed > peakHeap) peakHeap = now.heapUsed;
  };
  const started = performance.now();
  const decoder = new WatchDecoder({ maxLineBytes: limitBytes });
  let events = 0;
  const every = Math.max(1, Math.floor(65536 / chunkBytes));
  let pushes = 0;
  for (let start = 0; start < line.length; start += chunkBytes) {
    events += decoder.push(line.subarray(start, start + chunkBytes)).length;
    if (++pushes % every === 0) sample();
  }
  sample();
  events += decoder.end().length;
  const seconds = (performance.now() - started) / 1000;
  gc();
  const end = Deno.memoryUsage();
  return {
    chunkBytes,
    limitBytes,
    events,
    seconds,
    peakRssGrowth: peakRss - base.rss,
    peakHeapGrowth: peakHeap - base.heapUsed,
    endRssGrowth: end.rss - base.rss,
    endHeapGrowth: end.heapUsed - base.heapUsed,
  };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`.padStart(10);
}

async function main(): Promise<void> {
  const args = Deno.args;
  const limitIndex = args.indexOf("--limit-mib");
  const limitBytes = limitIndex === -1 ? 16 * MIB : Number(args[limitIndex + 1]) * MIB;
  const childIndex = args.indexOf("--child");
  if (childIndex !== -1) {
    console.log(JSON.stringify(measure(Number(args[childIndex + 1]), limitBytes)));
    return;
  }
  console.log(
    `a ${limitBytes} byte line (the limit) fed to WatchDecoder.push; growth over the state before it`,
  );
  console.log(
    "| chunk bytes | peak RSS | peak heap | after GC RSS | after GC heap | time |\n" +
      "|---:|---:|---:|---:|---:|---:|",
  );
  for (const chunkBytes of CHUNK_SIZES) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        "--child",
        String(chunkBytes),
        "--limit-mib",
        String(limitBytes / MIB),
      ],
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`the run with ${chunkBytes}-byte chunks failed`);
    const m = JSON.parse(new TextDecoder().decode(output.stdout)) as Measurement;
    if (m.events !== 1) throw new Error(`decoded ${m.events} events, expected 1`);
    console.log(
      `| ${m.chunkBytes} | ${mb(m.peakRssGrowth)} | ${mb(m.peakHeapGrowth)} | ${
        mb(m.endRssGrowth)
      } | ${mb(m.endHeapGrowth)} | ${m.seconds.toFixed(2)} s |`,
    );
  }
}

if (import.meta.main) await main();

/**
 * What cutting `metadata.managedFields` out of the JSON text saves, against
 * parsing everything: 10,000 pods with managedFields like a real server's
 * (about 46% of the JSON, see `_managed_fields_payload.ts`), as 20 list pages
 * of 500 pods and as 10,000 watch lines.
 *
 * Watch lines are slices of one payload, as the watch decoder hands them over
 * (V8 reads a slice through its parent string, which makes the scan about 30%
 * slower than on a string of its own); `watch lines (own strings)` shows the
 * difference.
 *
 * For each form it times (median of the runs, wall clock and the CPU time of
 * the process, garbage collector threads included, which a loaded machine
 * disturbs less):
 * - `parse(full)`: `JSON.parse` of the text as it arrives — the floor;
 * - `parse(full) + drop`: the same, then managedFields dropped from each object;
 * - `cut(full)`: {@linkcode cutManagedFields} alone;
 * - `parse(cut(full))`: the scan, then `JSON.parse` of the shorter text;
 * and the heap the parsed objects retain (after full GCs).
 *
 * Run: `deno run --allow-sys=loadavg --v8-flags=--expose-gc bench/cut_managed_fields_bench.ts [--runs 7] [--pods 10000]`
 *
 * @module
 */

import { cutManagedFields } from "../src/client/cut_managed_fields.ts";
import type { Pod } from "../src/api/core_v1.ts";
import { stripManagedFields } from "../src/informer/strip_managed_fields.ts";
import { liveHeapNow, summarize } from "./_harness.ts";
import { podListText, podWithManagedFields } from "./_managed_fields_payload.ts";

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(Deno.args[at + 1]);
}

const PODS = flag("pods", 10_000);
const RUNS = flag("runs", 7);
const PAGE = 500;

const pods: Pod[] = [];
for (let i = 0; i < PODS; i++) pods.push(podWithManagedFields(i));
const pages: string[] = [];
for (let start = 0; start < PODS; start += PAGE) {
  pages.push(podListText(pods.slice(start, start + PAGE), "1000", start + PAGE < PODS ? "t" : ""));
}
const ownLines = pods.map((object) => JSON.stringify({ type: "ADDED", object }));
pods.length = 0;
const payload = ownLines.join("\n");
const lines: string[] = [];
for (let start = 0, i = 0; i < ownLines.length; start += ownLines[i++]!.length + 1) {
  lines.push(payload.slice(start, start + ownLines[i]!.length));
}

const total = (texts: readonly string[]) => texts.reduce((sum, t) => sum + t.length, 0);
let managedBytes = 0;
for (const line of lines) {
  managedBytes += line.length - cutManagedFields(line, "watch-event").length;
}
console.log(
  `${PODS} pods: list ${pages.length} pages ${(total(pages) / 1e6).toFixed(1)} MB, ` +
    `watch ${lines.length} lines ${(total(lines) / 1e6).toFixed(1)} MB, ` +
    `managedFields ${(managedBytes / 1e6).toFixed(1)} MB (${
      (100 * managedBytes / total(lines)).toFixed(0)
    }%), ${(total(lines) / PODS / 1000).toFixed(1)} KB/pod`,
);

type Shape = "list" | "watch-event";
type Step = (text: string) => unknown;

const steps: Record<string, (shape: Shape) => Step> = {
  "parse(full)": () => (text) => JSON.parse(text),
  "parse(full) + drop": (shape) => (text) => {
    const value = JSON.parse(text);
    if (shape === "list") { for (const item of value.items) stripManagedFields(item); }
    else stripManagedFields(value.object);
    return value;
  },
  "cut(full)": (shape) => (text) => cutManagedFields(text, shape),
  "parse(cut(full))": (shape) => (text) => JSON.parse(cutManagedFields(text, shape)),
};

/** CPU time of the process in µs (`Deno.cpuUsage` is not in Deno's types yet); NaN without it. */
const cpuUsage = (Deno as unknown as { cpuUsage?: () => { user: number; system: number } })
  .cpuUsage ?? (() => ({ user: NaN, system: NaN }));

function timeOnce(
  texts: readonly string[],
  step: Step,
  keep: unknown[] | undefined,
): [number, number] {
  const cpu = cpuUsage();
  const start = performance.now();
  for (const text of texts) {
    const value = step(text);
    if (keep) keep.push(value);
  }
  const wall = performance.now() - start;
  const { user, system } = cpuUsage();
  return [wall, (user + system - cpu.user - cpu.system) / 1000];
}

const rows: string[][] = [[
  "form",
  "step",
  "wall ms median (min-max)",
  "CPU ms median",
  "retained MB",
]];
const forms = [
  ["list pages", pages, "list"],
  ["watch lines", lines, "watch-event"],
  ["watch lines (own strings)", ownLines, "watch-event"],
] as const;
const summary: string[] = [];
for (const [form, texts, shape] of forms) {
  const medians: Record<string, number> = {};
  for (const [name, make] of Object.entries(steps)) {
    const step = make(shape);
    timeOnce(texts, step, undefined);
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      liveHeapNow();
      const [wall, cpu] = timeOnce(texts, step, undefined);
      walls.push(wall);
      cpus.push(cpu);
    }
    const before = liveHeapNow();
    const keep: unknown[] = [];
    timeOnce(texts, step, keep);
    const retained = liveHeapNow() - before;
    keep.length = 0;
    const wall = summarize(walls);
    const cpu = summarize(cpus);
    medians[name] = cpu.median;
    rows.push([
      form,
      name,
      `${wall.median.toFixed(0)} (${wall.min.toFixed(0)}-${wall.max.toFixed(0)})`,
      cpu.median.toFixed(0),
      name === "cut(full)" ? "-" : (retained / 1e6).toFixed(0),
    ]);
  }
  summary.push(
    `${form}: parse(cut(full)) / parse(full) = ${
      (medians["parse(cut(full))"]! / medians["parse(full)"]!).toFixed(2)
    } (CPU)`,
  );
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
for (const line of summary) console.log(line);
console.log(`load average: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);

/**
 * Summarises a V8 `.cpuprofile` (from `deno run --cpu-prof`): the functions
 * with the most self time, and the total (inclusive) time of the functions
 * with the most of it.
 *
 * ```sh
 * deno run --allow-read bench/_cpuprofile_summary.ts FILE.cpuprofile [TOP]
 * ```
 *
 * @module
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg = "25"] = Deno.args;
if (file === undefined) throw new TypeError("usage: _cpuprofile_summary.ts FILE [TOP]");
const top = Number(topArg);
const profile = JSON.parse(await Deno.readTextFile(file)) as CpuProfile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) {
  for (const child of node.children ?? []) parent.set(child, node.id);
}

function label(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  if (frame.url === "") return name;
  const path = frame.url.replace(/^file:\/\/.*?\/(src|bench|ext):?/, "$1/");
  return `${name} ${path}:${frame.lineNumber + 1}`;
}

const self = new Map<string, number>();
const total = new Map<string, number>();
let sum = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  sum += dt;
  let id: number | undefined = profile.samples[i]!;
  const leaf = byId.get(id)!;
  const leafLabel = label(leaf.callFrame);
  self.set(leafLabel, (self.get(leafLabel) ?? 0) + dt);
  const seen = new Set<string>();
  while (id !== undefined) {
    const l = label(byId.get(id)!.callFrame);
    if (!seen.has(l)) {
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + dt);
    }
    id = parent.get(id);
  }
}

const pct = (v: number) => `${((100 * v) / sum).toFixed(1).padStart(5)}%`;
const ms = (v: number) => `${(v / 1000).toFixed(0).padStart(7)} ms`;
console.log(`total sampled: ${(sum / 1000).toFixed(0)} ms`);
console.log("\nself time:");
for (const [l, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(v)} ${ms(v)}  ${l}`);
}
console.log("\ntotal time:");
for (const [l, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(v)} ${ms(v)}  ${l}`);
}

/**
 * A long differential run of our YAML reader against sigs.k8s.io/yaml
 * (kubectl's reader; see tests/_tools/yaml_oracle/): documents emitted by
 * PyYAML, the same values written by go-yaml (as kubectl writes kubeconfigs),
 * and broken copies of them.
 *
 * Usage: deno run --allow-all bench/yaml_differential.ts [--count N] [--seed S] [--mutations M]
 *
 * Prints the counts (agreed, rejected by both, known differences) and up to
 * five unexplained differences per part. Exits 1 when a valid document is read
 * differently or any input makes the reader throw something other than a
 * KubeConfigError; disagreements on broken input are reported, not fatal.
 *
 * @module
 */

import {
  buildYamlOracle,
  compareWithOracle,
  describeDifference,
  type DifferentialReport,
  emitGoYamlDocuments,
  emitPyYamlDocuments,
  HAND_WRITTEN,
  KNOWN_DIFFERENCES_ON_BROKEN_INPUT,
  mutateYaml,
  runYamlOracle,
  type YamlCase,
} from "../tests/_tools/yaml_oracle/differential.ts";
import { seededRandom } from "../src/_internal/seeded_random.ts";

function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`--${name} needs a whole number`);
  }
  return value;
}

const count = flag("count", 20000);
const seed = flag("seed", 1);
const mutations = flag("mutations", count);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)}s`;

function summary(title: string, report: DifferentialReport, took: string): void {
  console.log(
    `${title}: ${report.total} documents, ${report.agreed} agreed ` +
      `(${report.bothFailed} rejected by both), known differences ${
        JSON.stringify(Object.fromEntries(report.known))
      }, ${report.differences.length} unexplained [${took}]`,
  );
  for (const d of report.differences.slice(0, 5)) console.log(describeDifference(d));
}

let started = performance.now();
const oracle = await buildYamlOracle();
console.log(`oracle ready [${seconds(started)}]`);

started = performance.now();
const docs: YamlCase[] = [...HAND_WRITTEN];
// Batches keep the emitter's and the oracle's input small.
for (let done = 0, batch = 0; done < count; batch++) {
  const n = Math.min(5000, count - done);
  docs.push(...await emitPyYamlDocuments(seed * 1000 + batch, n));
  done += n;
}
console.log(`PyYAML emitted ${docs.length - HAND_WRITTEN.length} documents [${seconds(started)}]`);

started = performance.now();
const results = await runYamlOracle(oracle, docs.map((d) => d.text));
const valid = compareWithOracle(docs, results);
summary(`PyYAML seed ${seed}`, valid, seconds(started));

started = performance.now();
const values = results.flatMap((r) => ("value" in r ? [r.value] : []));
const goDocs = await emitGoYamlDocuments(oracle, values);
const written = compareWithOracle(goDocs, await runYamlOracle(oracle, goDocs.map((d) => d.text)));
summary("written by go-yaml", written, seconds(started));

started = performance.now();
const random = seededRandom(seed);
const broken = Array.from({ length: mutations }, (_, i) => {
  const doc = docs[Math.floor(random() * docs.length)] as YamlCase;
  return { name: `broken #${i} of ${doc.name}`, text: mutateYaml(doc.text, random) };
});
const brokenReport = compareWithOracle(
  broken,
  await runYamlOracle(oracle, broken.map((d) => d.text)),
  KNOWN_DIFFERENCES_ON_BROKEN_INPUT,
);
summary("broken copies", brokenReport, seconds(started));

const crashes = [valid, written, brokenReport].flatMap((r) =>
  r.differences.filter((d) => "error" in d.ours && d.ours.error.startsWith("CRASH"))
);
console.log(`crashes (not a KubeConfigError): ${crashes.length}`);
if (crashes.length > 0 || valid.differences.length > 0 || written.differences.length > 0) {
  Deno.exit(1);
}

/**
 * Our YAML reader against kubectl's (sigs.k8s.io/yaml, built from the Go
 * module proxy on first use): hand-written documents, seeded documents
 * emitted by PyYAML, the same values written by go-yaml (as kubectl writes
 * kubeconfigs), and broken copies. Needs Go and python3: without them the
 * test fails with the reason. Longer runs: `bench/yaml_differential.ts`.
 */

import {
  buildYamlOracle,
  compareWithOracle,
  describeDifference,
  emitGoYamlDocuments,
  emitPyYamlDocuments,
  HAND_WRITTEN,
  KNOWN_DIFFERENCES,
  KNOWN_DIFFERENCES_ON_BROKEN_INPUT,
  mutateYaml,
  type ReadResult,
  runYamlOracle,
  type YamlCase,
} from "../_tools/yaml_oracle/differential.ts";
import { seededRandom } from "../_helpers/random.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

const SEED = 20261206;
const COUNT = 2000;

Deno.test("readYaml reads what people, PyYAML and go-yaml write as sigs.k8s.io/yaml does", async (t) => {
  const oracle = await buildYamlOracle();
  let docs: YamlCase[] = [];
  let results: ReadResult[] = [];

  await t.step(`${HAND_WRITTEN.length} hand-written documents`, async () => {
    const report = compareWithOracle(
      HAND_WRITTEN,
      await runYamlOracle(oracle, HAND_WRITTEN.map((d) => d.text)),
    );
    assertEquals(report.differences.map(describeDifference), []);
    // The oracle really reads these: most are values, not errors on both sides.
    assert(report.agreed - report.bothFailed > HAND_WRITTEN.length / 2, "mostly values");
  });

  await t.step(`${COUNT} documents emitted by PyYAML (seed ${SEED})`, async () => {
    docs = await emitPyYamlDocuments(SEED, COUNT);
    assert(docs.length > COUNT * 0.95, `PyYAML emitted ${docs.length} documents`);
    results = await runYamlOracle(oracle, docs.map((d) => d.text));
    const report = compareWithOracle(docs, results);
    assertEquals(report.differences.slice(0, 3).map(describeDifference), []);
    assert(report.bothFailed < docs.length * 0.05, "nearly all documents are valid");
    for (const name of report.known.keys()) {
      assert(KNOWN_DIFFERENCES.some((k) => k.name === name));
    }
  });

  await t.step("the same values written by go-yaml, as kubectl writes kubeconfigs", async () => {
    const values = results.flatMap((r) => ("value" in r ? [r.value] : []));
    const goDocs = await emitGoYamlDocuments(oracle, values);
    // go-yaml refuses to write strings holding control characters: about a third here.
    assert(goDocs.length > values.length / 2, `go-yaml wrote ${goDocs.length} documents`);
    const report = compareWithOracle(
      goDocs,
      await runYamlOracle(oracle, goDocs.map((d) => d.text)),
    );
    assertEquals(report.differences.slice(0, 3).map(describeDifference), []);
    // go-yaml writes a string key "<<" unquoted, which then reads back as a merge key: both fail.
    assert(report.bothFailed < goDocs.length / 50, "go-yaml reads back what it writes");
  });

  await t.step(
    "1000 broken copies: same verdict or a known difference, never a crash",
    async () => {
      // Anything thrown but a KubeConfigError is reported as a crash, which is never explained.
      const random = seededRandom(SEED);
      const broken = docs.slice(0, 1000).map((d) => ({
        name: `broken ${d.name}`,
        text: mutateYaml(d.text, random),
      }));
      const report = compareWithOracle(
        broken,
        await runYamlOracle(oracle, broken.map((d) => d.text)),
        KNOWN_DIFFERENCES_ON_BROKEN_INPUT,
      );
      assertEquals(report.differences.slice(0, 3).map(describeDifference), []);
      assert(report.bothFailed > broken.length / 4, "most broken copies are invalid");
    },
  );
});

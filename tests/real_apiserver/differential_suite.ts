/**
 * The differential suite: every scenario of `differential_scenarios.ts` runs against a
 * FakeApiServer (over HTTP on 127.0.0.1) and against the real kube-apiserver, and their
 * normalised transcripts are compared. A difference fails its scenario unless
 * `known_differences.json` lists it (by `scenario/step.field` id, matched as a prefix); a listed
 * difference that no longer occurs fails the last test, so that the file stays honest.
 *
 * Run it with `deno task test:apiserver --only=differential --variants=default`. Set
 * `KUBESNAP_DIFF_VERBOSE=1` to print known differences too.
 *
 * @module
 */

import { fail } from "../_helpers/assert.ts";
import { differences } from "./differential_normaliser.ts";
import { ScenarioContext } from "./differential_scenario.ts";
import { SCENARIOS } from "./differential_scenarios.ts";
import { type DifferentialTarget, fakeTarget, realTarget } from "./differential_target.ts";

interface KnownDifference {
  id: string;
  reason: string;
}

const KNOWN: readonly KnownDifference[] = JSON.parse(
  await Deno.readTextFile(new URL("./known_differences.json", import.meta.url)),
);
const seenKnown = new Set<string>();
const ranScenarios = new Set<string>();
const verbose = Deno.env.get("KUBESNAP_DIFF_VERBOSE") === "1";
const runId = Date.now().toString(36);

function knownFor(path: string): KnownDifference | undefined {
  return KNOWN.find((k) =>
    path === k.id || path.startsWith(`${k.id}.`) || path.startsWith(`${k.id}[`)
  );
}

async function transcriptOf(
  target: DifferentialTarget,
  scenario: (typeof SCENARIOS)[number],
  ns: string,
): Promise<Record<string, unknown>> {
  const created = await target.fetch("/api/v1/namespaces", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ metadata: { name: ns } }),
  });
  await created.body?.cancel();
  if (created.status !== 201) throw new Error(`${target.name}: namespace ${ns}: ${created.status}`);
  const ctx = new ScenarioContext(target, ns);
  await scenario.run(ctx);
  return ctx.transcript;
}

for (const scenario of SCENARIOS) {
  Deno.test(`fake and real apiserver agree: ${scenario.id} (${scenario.title})`, async () => {
    ranScenarios.add(scenario.id);
    const ns = `d-${scenario.id}-${runId}`.slice(0, 63).replace(/-$/, "");
    const fake = await fakeTarget();
    const real = realTarget();
    try {
      const fakeTranscript = await transcriptOf(fake, scenario, ns);
      const realTranscript = await transcriptOf(real, scenario, ns);
      const unexpected: string[] = [];
      for (const [path, detail] of differences(fakeTranscript, realTranscript)) {
        const id = `${scenario.id}/${path}`;
        const known = knownFor(id);
        if (known !== undefined) {
          seenKnown.add(known.id);
          if (verbose) console.log(`known: ${id}: ${detail}`);
        } else {
          unexpected.push(`${id}: fake ${detail} real`);
        }
      }
      if (unexpected.length > 0) {
        fail(`differences between the fake and the real apiserver:\n  ${unexpected.join("\n  ")}`);
      }
    } finally {
      await fake.close();
      await real.close();
    }
  });
}

Deno.test("every known difference still occurs", () => {
  const stale = KNOWN.filter((k) => ranScenarios.has(k.id.split("/")[0]!) && !seenKnown.has(k.id));
  if (stale.length > 0) {
    fail(
      `known_differences.json lists differences that no longer occur (remove them):\n  ${
        stale.map((k) => k.id).join("\n  ")
      }`,
    );
  }
});

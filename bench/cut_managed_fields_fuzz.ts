/**
 * The property tests of `cutManagedFields` at scale: random hostile objects,
 * lists and watch events (see `tests/_helpers/managed_fields_texts.ts`), each
 * checked against parse-then-delete, and single-character mutations of them,
 * which must never turn text that is not JSON into JSON except by a defect
 * inside a removed value. Stops at the first failure and prints the text.
 *
 * Run: `deno run bench/cut_managed_fields_fuzz.ts [--cases 200000] [--seed 1]`
 *
 * @module
 */

import {
  cutManagedFields,
  findManagedFields,
  type ManagedFieldsTextShape,
} from "../src/client/cut_managed_fields.ts";
import { seededRandom } from "../src/_internal/seeded_random.ts";
import {
  dropParsed,
  parseJsonReference,
  TextGenerator,
} from "../tests/_helpers/managed_fields_texts.ts";

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(Deno.args[at + 1]);
}

const CASES = flag("cases", 200_000);
const SEED = flag("seed", 1);
const SHAPES: readonly ManagedFieldsTextShape[] = ["object", "list", "watch-event"];
const MUTATIONS = ['"', "\\", "{", "}", "[", "]", ",", ":", " ", "x", "1", ""];

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function failWith(what: string, text: string, shape: ManagedFieldsTextShape): never {
  console.error(
    `FAILED (${shape}): ${what}\n  text: ${text}\n  cut:  ${cutManagedFields(text, shape)}`,
  );
  Deno.exit(1);
}

const gen = new TextGenerator(seededRandom(SEED));
const started = performance.now();
let bytes = 0;
let withCuts = 0;
let brokenTexts = 0;
for (let n = 0; n < CASES; n++) {
  const shape = SHAPES[n % 3]!;
  const text = gen.write(gen.ofShape(shape), gen.style());
  bytes += text.length;
  const cut = cutManagedFields(text, shape);
  if (cut !== text) withCuts++;
  if (!isJson(cut)) failWith("the cut text is not JSON", text, shape);
  const expected = JSON.stringify(dropParsed(parseJsonReference(text), shape));
  if (JSON.stringify(parseJsonReference(cut)) !== expected) {
    failWith("differs from parse-then-delete", text, shape);
  }

  const at = gen.int(text.length);
  const mutated = text.slice(0, at) + gen.pick(MUTATIONS) + text.slice(at + 1);
  if (isJson(mutated)) continue;
  brokenTexts++;
  if (!isJson(cutManagedFields(mutated, shape))) continue;
  const ranges = findManagedFields(mutated, shape);
  let inside = false;
  for (let k = 0; k < ranges.length; k += 2) inside ||= ranges[k]! <= at && at <= ranges[k + 1]!; // at the end: a deleted last character
  if (!inside) failWith(`broken at ${at}, yet the cut text is JSON`, mutated, shape);
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `${CASES} texts (${(bytes / 1e6).toFixed(1)} MB, ${withCuts} with managedFields cut) and ` +
    `${brokenTexts} broken mutations, seed ${SEED}: all passed in ${seconds.toFixed(1)} s`,
);

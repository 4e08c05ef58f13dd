/**
 * The long variant of the user-code fault run (`tests/informer/user_code_test.ts` runs three
 * seeds of 300 operations): many seeds of many operations, each a fresh fake apiserver and
 * informer whose transform, index function and handler fail at random.
 *
 * ```sh
 * deno run -A bench/user_code_soak.ts [--seeds 50] [--operations 3000]
 * ```
 *
 * @module
 */

import { runUserCodeFaults } from "../tests/_helpers/user_code_faults.ts";

const flag = (name: string, fallback: number) => {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Number(Deno.args[index + 1]) : fallback;
};
const seeds = flag("seeds", 50);
const operations = flag("operations", 3000);
const started = performance.now();
let failed = 0;
for (let seed = 1; seed <= seeds; seed++) {
  try {
    await runUserCodeFaults(seed, operations);
  } catch (err) {
    failed++;
    console.log(`seed ${seed}: ${err instanceof Error ? err.message : err}`);
  }
}
console.log(
  `user-code soak: ${
    seeds - failed
  } passed, ${failed} failed (${seeds} seeds x ${operations} operations, ${
    ((performance.now() - started) / 1000).toFixed(1)
  } s)`,
);
if (failed > 0) Deno.exit(1);

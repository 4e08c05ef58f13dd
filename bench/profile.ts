/**
 * Runs one benchmark workload a few times for a profiler, without floors or
 * reports, against the same apiserver process as the suite.
 *
 * ```sh
 * deno run -A --cpu-prof --cpu-prof-dir=bench/results/prof --v8-flags=--expose-gc \
 *   bench/profile.ts sync|watch|relist [paginated|streaming] [N] [--handlers H] [--runs R] [--drop]
 * deno run -A bench/_cpuprofile_summary.ts bench/results/prof/<file>.cpuprofile
 * ```
 *
 * `--drop` runs the informer with `dropManagedFields: true`.
 *
 * @module
 */

import { ServerProcess } from "./_harness.ts";
import { type ListShape, residentInformer, syncInformer } from "./_workloads.ts";

const [workload = "sync", shapeArg = "streaming", nArg = "10000", ...rest] = Deno.args;
const shape = shapeArg as ListShape;
const n = Number(nArg);
let handlers = 1;
let runs = 3;
let drop = false;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--handlers") handlers = Number(rest[++i]);
  else if (rest[i] === "--runs") runs = Number(rest[++i]);
  else if (rest[i] === "--drop") drop = true;
}

const server = await ServerProcess.start(n, { history: 25_000, maxOldSpaceMb: 8192 });
try {
  switch (workload) {
    case "sync": {
      for (let i = 0; i < runs; i++) {
        const state = await syncInformer(server.info.api, shape, false, drop);
        console.log(`sync ${shape} n=${n}: ${state.ms.toFixed(0)} ms`);
        await state.stop();
      }
      break;
    }
    case "watch": {
      const state = await residentInformer(server.info.api, "streaming", false, drop);
      let count = 0;
      let done: (() => void) | undefined;
      let target = 0;
      for (let h = 0; h < handlers; h++) {
        state.informer.addEventHandler({
          onUpdate() {
            if (++count === target) done?.();
          },
        });
      }
      for (let i = 0; i < runs; i++) {
        count = 0;
        target = 20_000 * handlers;
        const finished = new Promise<void>((resolve) => (done = resolve));
        const start = performance.now();
        const emitted = server.emit(20_000);
        await finished;
        const info = await emitted;
        console.log(
          `watch n=${n}: ${(performance.now() - start).toFixed(0)} ms incl. ${
            info.ms.toFixed(0)
          } ms of server emit`,
        );
      }
      await state.stop();
      break;
    }
    case "relist": {
      const state = await residentInformer(server.info.api, shape, false, drop);
      for (let i = 0; i < runs; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1100));
        await server.churn(100, 10, 10);
        const before = state.informer.lastSyncResourceVersion();
        const start = performance.now();
        await server.expire();
        while (state.informer.lastSyncResourceVersion() === before) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        console.log(`relist ${shape} n=${n}: ${(performance.now() - start).toFixed(0)} ms`);
      }
      await state.stop();
      break;
    }
    default:
      throw new TypeError(`unknown workload ${workload}`);
  }
} finally {
  await server.stop();
}

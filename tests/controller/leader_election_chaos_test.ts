import { assert, assertEquals } from "../_helpers/assert.ts";
import { type ElectionOptions, runElection } from "./_election_harness.ts";

const CASES: ElectionOptions[] = [
  // client-go's defaults, clocks ±10% apart (the defaults are safe up to ±20%).
  { seed: 1, candidates: 3, durationMs: 20 * 60_000, stepMs: 100, maxSkew: 0.1, maxLatencyMs: 300 },
  {
    seed: 2,
    candidates: 5,
    durationMs: 15 * 60_000,
    stepMs: 100,
    maxSkew: 0.15,
    maxLatencyMs: 800,
  },
  // Short timings, as in the real-apiserver runs.
  {
    seed: 3,
    candidates: 3,
    durationMs: 5 * 60_000,
    stepMs: 25,
    maxSkew: 0.1,
    maxLatencyMs: 100,
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 500,
  },
];

Deno.test("LeaderElector: never two leaders, and a takeover after each kill, under faults, pauses, latency and skew", async (t) => {
  for (const options of CASES) {
    await t.step(`seed ${options.seed}, ${options.candidates} candidates`, async () => {
      const report = await runElection(options);
      const takeovers = [...report.takeovers].sort((a, b) => a - b);
      console.log(
        `seed ${options.seed}: ${report.leaderships} leaderships, ${report.kills} kills, ` +
          `${report.pauses} pauses, ${report.faults} fault bursts, ${report.conflicts} conflicts; ` +
          `takeovers ${takeovers.join(", ")} ms (bound ${Math.round(report.takeoverBoundMs)} ms)`,
      );
      assertEquals(report.overlaps, []);
      assertEquals(report.lateTakeovers, []);
      assert(report.kills >= 2, `only ${report.kills} kills: the scenario is too short`);
      assert(report.pauses >= 1 && report.faults >= 5, "faults were injected");
      assertEquals(report.takeovers.length, report.kills);
      assert(report.releasedAtStop, "the leader released the lease when stopped");
    });
  }
});

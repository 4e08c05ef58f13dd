import { realClock } from "../../src/_internal/clock.ts";
import { assert } from "../_helpers/assert.ts";

Deno.test("realClock.now does not jump when the system clock is stepped", () => {
  const wallClock = Date.now;
  const before = realClock.now();
  assert(Math.abs(before - wallClock()) < 1000, "it reads epoch milliseconds");
  try {
    Date.now = () => wallClock() + 3_600_000; // the system clock steps an hour ahead
    const after = realClock.now();
    assert(after >= before && after - before < 1000, `moved ${after - before} ms`);
  } finally {
    Date.now = wallClock;
  }
});

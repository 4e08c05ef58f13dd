import { assert, assertEquals } from "../_helpers/assert.ts";

const LIMIT = 2 * 1024 * 1024;
const CHILD = new URL("./_watch_decoder_memory_child.ts", import.meta.url).pathname;

/** Peak memory growth while a line at the limit is fed in `size`-byte chunks, in a fresh process. */
async function peakGrowth(size: number): Promise<number> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--v8-flags=--expose-gc", CHILD, String(size), String(LIMIT)],
    stderr: "inherit",
  }).output();
  assert(output.success, `the child run with ${size}-byte chunks failed`);
  const { peak, events } = JSON.parse(new TextDecoder().decode(output.stdout));
  assertEquals(events, 1);
  return peak;
}

for (const size of [1, 16]) {
  Deno.test(`WatchDecoder holds a line at the limit in memory proportional to the limit, in ${size}-byte chunks`, async () => {
    const growth = await peakGrowth(size);
    // A string or array kept per chunk costs tens of bytes per byte of the line.
    assert(growth < 6 * LIMIT, `memory grew by ${growth} bytes for a ${LIMIT}-byte line`);
  });
}

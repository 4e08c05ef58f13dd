import { shareUnchanged } from "../../src/cache/structural_sharing.ts";
import { assert, assertEquals, assertStrictEquals } from "../_helpers/assert.ts";
import { seededRandom } from "../_helpers/random.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function randomJson(random: () => number, depth: number): Json {
  const r = random();
  if (depth > 4 || r < 0.3) {
    const p = random();
    if (p < 0.1) return null;
    if (p < 0.2) return random() < 0.5;
    if (p < 0.5) return Math.floor(random() * 10);
    return ["a", "b", "", "managedFields", "\u00e9", "x".repeat(3)][Math.floor(random() * 6)]!;
  }
  if (r < 0.55) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
  }
  const out: { [key: string]: Json } = {};
  const keys = Math.floor(random() * 5);
  for (let i = 0; i < keys; i++) {
    out[`k${Math.floor(random() * 6)}`] = randomJson(random, depth + 1);
  }
  return out;
}

/** A copy of `value` with a few random changes (values replaced, keys added or removed, arrays resized). */
function mutate(value: Json, random: () => number, depth = 0): Json {
  if (random() < 0.08) return randomJson(random, depth);
  if (Array.isArray(value)) {
    const out = value.map((v) => mutate(v, random, depth + 1));
    if (random() < 0.05) out.push(randomJson(random, depth + 1));
    if (random() < 0.05) out.pop();
    return out;
  }
  if (typeof value === "object" && value !== null) {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      if (random() < 0.04) continue;
      out[k] = mutate(v, random, depth + 1);
    }
    if (random() < 0.04) out[`n${Math.floor(random() * 3)}`] = randomJson(random, depth + 1);
    return out;
  }
  return value;
}

/** Every container of `next` that equals the same path of `previous` must be `previous`'s. */
function checkShared(previous: unknown, result: unknown, path: string): void {
  if (typeof result !== "object" || result === null) return;
  if (typeof previous !== "object" || previous === null) return;
  if (JSON.stringify(sorted(previous)) === JSON.stringify(sorted(result))) {
    if (Array.isArray(previous) === Array.isArray(result)) {
      assertStrictEquals(result, previous, `${path}: an equal subtree is not shared`);
    }
    return;
  }
  for (const key of Object.keys(result)) {
    checkShared(
      (previous as Record<string, unknown>)[key],
      (result as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
  }
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value).sort().map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

Deno.test("shareUnchanged keeps the new content, shares every equal subtree and never changes the old version", () => {
  for (let seed = 1; seed <= 400; seed++) {
    const random = seededRandom(seed);
    const previous = randomJson(random, 0);
    const next = mutate(previous, random);
    const expected = structuredClone(next);
    const previousCopy = structuredClone(previous);
    const result = shareUnchanged<Json>(previous, next);
    assertEquals(sorted(result), sorted(expected), `seed ${seed}: content`);
    assertEquals(previous, previousCopy, `seed ${seed}: the old version changed`);
    checkShared(previous, result, `seed ${seed}`);
  }
});

Deno.test("shareUnchanged gives a pod whose unchanged spec is the cached spec", () => {
  const before = {
    metadata: { name: "a", resourceVersion: "1", labels: { app: "x" } },
    spec: { containers: [{ name: "c", image: "i:1" }], nodeName: "n1" },
    status: { phase: "Pending" },
  };
  const after = structuredClone(before);
  after.metadata.resourceVersion = "2";
  after.status.phase = "Running";
  const result = shareUnchanged(before, after);
  assertStrictEquals(result, after);
  assertStrictEquals(result.spec, before.spec);
  assertStrictEquals(result.metadata.labels, before.metadata.labels);
  assert(result.status !== before.status);
  assertEquals(result.status.phase, "Running");
  assertEquals(before.status.phase, "Pending");
});

Deno.test("shareUnchanged returns the cached version when nothing differs, whatever the key order", () => {
  const before = { a: 1, b: { c: [1, 2] } };
  assertStrictEquals(shareUnchanged(before, { b: { c: [1, 2] }, a: 1 }), before);
  assert(shareUnchanged<unknown>(before, { a: 1 }) !== before, "a missing key is a difference");
  assert(shareUnchanged<unknown>(before, { a: 1, b: { c: [1, 2] }, d: 0 }) !== before);
  const short = [1, 2];
  assert(shareUnchanged(short, [1, 2, 3]) !== short, "a longer array is a difference");
});

Deno.test("shareUnchanged leaves frozen containers of the new version as they are", () => {
  const before = { spec: { a: { x: 1 } }, status: { b: 2 } };
  const after = Object.freeze({ spec: { a: { x: 1 } }, status: { b: 3 } });
  const result = shareUnchanged(before, after);
  assertStrictEquals(result, after);
  assert(result.spec !== before.spec, "a frozen object cannot take the shared child");
  assertEquals(result, { spec: { a: { x: 1 } }, status: { b: 3 } });
});

Deno.test("shareUnchanged does not overflow the stack on objects nested 100,000 deep", () => {
  const deep = (leaf: number) => {
    let value: unknown = leaf;
    for (let i = 0; i < 100_000; i++) value = i % 2 === 0 ? [value] : { v: value };
    return value;
  };
  const before = deep(1);
  const after = deep(2);
  const result = shareUnchanged(before, after);
  assertStrictEquals(result, after);
});

import {
  DeletedFinalStateUnknown,
  isDeletedFinalStateUnknown,
} from "../../src/cache/deleted_final_state_unknown.ts";
import type { KubeObject } from "../../src/api/meta.ts";
import { assertEquals, assertStrictEquals, assertThrows } from "../_helpers/assert.ts";

Deno.test("DeletedFinalStateUnknown keeps its key and last known object", () => {
  const last: KubeObject = { metadata: { namespace: "default", name: "a" } };
  const tombstone = new DeletedFinalStateUnknown("default/a", last);
  assertEquals(tombstone.key, "default/a");
  assertStrictEquals(tombstone.obj, last);
  assertStrictEquals(new DeletedFinalStateUnknown("x", undefined).obj, undefined);
});

Deno.test("DeletedFinalStateUnknown is frozen", () => {
  const tombstone = new DeletedFinalStateUnknown("default/a", undefined);
  assertEquals(Object.isFrozen(tombstone), true);
  assertThrows(() => {
    (tombstone as { key: string }).key = "other";
  }, TypeError);
});

Deno.test("DeletedFinalStateUnknown rejects a non-string key with TypeError", () => {
  assertThrows(() => new DeletedFinalStateUnknown(7 as unknown as string, undefined), TypeError);
});

Deno.test("isDeletedFinalStateUnknown recognises tombstones only", () => {
  assertEquals(isDeletedFinalStateUnknown(new DeletedFinalStateUnknown("a", undefined)), true);
  assertEquals(isDeletedFinalStateUnknown({ key: "a", obj: undefined }), false);
  assertEquals(isDeletedFinalStateUnknown({ metadata: { name: "a" } }), false);
  assertEquals(isDeletedFinalStateUnknown(null), false);
  assertEquals(isDeletedFinalStateUnknown("a"), false);
});

Deno.test("isDeletedFinalStateUnknown recognises a tombstone from another module copy", () => {
  const foreign = Object.create({ [Symbol.for("kubesnap.DeletedFinalStateUnknown")]: true });
  foreign.key = "ns/a";
  foreign.obj = undefined;
  assertEquals(isDeletedFinalStateUnknown(foreign), true);
});

import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  fieldSet,
  PatchError,
} from "../../src/testing/_patch.ts";

Deno.test("applyJsonPatch runs add, remove, replace, move, copy and test", () => {
  const doc = { a: { b: 1 }, list: [1, 2, 3], "x/y": { "m~n": 1 } };
  const out = applyJsonPatch(doc, [
    { op: "add", path: "/a/c", value: 2 },
    { op: "add", path: "/list/1", value: 9 },
    { op: "add", path: "/list/-", value: 4 },
    { op: "remove", path: "/list/0" },
    { op: "replace", path: "/a/b", value: "B" },
    { op: "move", from: "/a/c", path: "/moved" },
    { op: "copy", from: "/moved", path: "/copied" },
    { op: "test", path: "/x~1y/m~0n", value: 1 },
  ]);
  assertEquals(out, {
    a: { b: "B" },
    list: [9, 2, 3, 4],
    "x/y": { "m~n": 1 },
    moved: 2,
    copied: 2,
  });
  assertEquals(doc, { a: { b: 1 }, list: [1, 2, 3], "x/y": { "m~n": 1 } });
});

Deno.test("applyJsonPatch rejects failed tests, missing paths and bad operations", () => {
  assertThrows(
    () => applyJsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }]),
    PatchError,
    "test failed",
  );
  assertThrows(
    () => applyJsonPatch({ a: 1 }, [{ op: "remove", path: "/b" }]),
    PatchError,
    "missing path",
  );
  assertThrows(
    () => applyJsonPatch({ a: [] }, [{ op: "replace", path: "/a/0", value: 1 }]),
    PatchError,
    "out of bounds",
  );
  assertThrows(
    () => applyJsonPatch({}, [{ op: "jump", path: "/a" }]),
    PatchError,
    "Unexpected kind",
  );
  assertThrows(() => applyJsonPatch({}, { op: "add" }), PatchError, "array");
});

Deno.test("applyMergePatch merges objects, deletes on null and replaces lists", () => {
  assertEquals(
    applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2], keep: true }, { a: { b: null, d: 3 }, l: [3] }),
    { a: { c: 2, d: 3 }, l: [3], keep: true },
  );
  assertEquals(applyMergePatch({ a: 1 }, "text"), "text");
});

Deno.test("applyStrategicMergePatch merges containers, env and ports by their merge keys", () => {
  const target = {
    spec: {
      containers: [
        {
          name: "a",
          image: "a:1",
          ports: [{ containerPort: 80, name: "http" }],
          env: [{ name: "X", value: "1" }],
        },
        { name: "b", image: "b:1" },
      ],
      tolerations: [{ key: "t1" }],
    },
  };
  const out = applyStrategicMergePatch(target, {
    spec: {
      containers: [{
        name: "a",
        ports: [{ containerPort: 443, name: "https" }],
        env: [{ name: "X", value: "2" }],
      }],
      tolerations: [{ key: "t2" }],
    },
  });
  assertEquals(out, {
    spec: {
      containers: [
        {
          name: "a",
          image: "a:1",
          ports: [{ containerPort: 80, name: "http" }, { containerPort: 443, name: "https" }],
          env: [{ name: "X", value: "2" }],
        },
        { name: "b", image: "b:1" },
      ],
      tolerations: [{ key: "t2" }],
    },
  });
});

Deno.test("applyStrategicMergePatch honours $patch directives and merges finalizers as a set", () => {
  const target = {
    metadata: { finalizers: ["a", "b"], labels: { x: "1" } },
    status: {
      conditions: [{ type: "Ready", status: "False" }, { type: "Synced", status: "True" }],
    },
  };
  const out = applyStrategicMergePatch(target, {
    metadata: {
      finalizers: ["b", "c"],
      "$deleteFromPrimitiveList/finalizers": ["a"],
      labels: { $patch: "replace", y: "2" },
    },
    status: {
      conditions: [{ type: "Synced", $patch: "delete" }, { type: "Ready", status: "True" }],
    },
  });
  assertEquals(out, {
    metadata: { finalizers: ["b", "c"], labels: { y: "2" } },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  });
  assertThrows(() => applyStrategicMergePatch({}, [1]), PatchError);
});

Deno.test("fieldSet records fields, keyed list items and set members", () => {
  assertEquals(
    fieldSet({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "a", labels: { app: "x" }, finalizers: ["f"] },
      spec: { containers: [{ name: "c", image: "i" }], nodeName: "n" },
    }),
    {
      "f:metadata": { "f:labels": { "f:app": {} }, "f:finalizers": { 'v:"f"': {} } },
      "f:spec": {
        "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:name": {}, "f:image": {} } },
        "f:nodeName": {},
      },
    },
  );
});

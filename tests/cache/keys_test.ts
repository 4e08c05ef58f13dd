import {
  metaNamespaceIndexFunc,
  metaNamespaceKey,
  NAMESPACE_INDEX,
  splitMetaNamespaceKey,
} from "../../src/cache/keys.ts";
import { DeletedFinalStateUnknown } from "../../src/cache/deleted_final_state_unknown.ts";
import type { KubeObject } from "../../src/api/meta.ts";
import { assertEquals, assertThrows } from "../_helpers/assert.ts";

Deno.test("metaNamespaceKey joins namespace and name for a namespaced object", () => {
  assertEquals(
    metaNamespaceKey({ metadata: { namespace: "default", name: "web-0" } }),
    "default/web-0",
  );
});

Deno.test("metaNamespaceKey is the bare name for a cluster-scoped object", () => {
  assertEquals(metaNamespaceKey({ metadata: { name: "node-1" } }), "node-1");
  assertEquals(metaNamespaceKey({ metadata: { namespace: "", name: "node-1" } }), "node-1");
});

Deno.test("metaNamespaceKey returns the key a tombstone carries", () => {
  assertEquals(
    metaNamespaceKey(new DeletedFinalStateUnknown("kube-system/dns", undefined)),
    "kube-system/dns",
  );
  const last: KubeObject = { metadata: { namespace: "a", name: "b" } };
  assertEquals(metaNamespaceKey(new DeletedFinalStateUnknown("stale/key", last)), "stale/key");
});

Deno.test("metaNamespaceKey throws TypeError when the name is missing", () => {
  assertThrows(
    () => metaNamespaceKey({ metadata: { namespace: "default" } }),
    TypeError,
    "metadata.name",
  );
  assertThrows(() => metaNamespaceKey({}), TypeError, "metadata.name");
  assertThrows(() => metaNamespaceKey({ metadata: { name: "" } }), TypeError, "metadata.name");
});

Deno.test("splitMetaNamespaceKey treats one part as a cluster-scoped name", () => {
  assertEquals(splitMetaNamespaceKey("node-1"), { namespace: "", name: "node-1" });
  assertEquals(splitMetaNamespaceKey(""), { namespace: "", name: "" });
});

Deno.test("splitMetaNamespaceKey splits two parts into namespace and name", () => {
  assertEquals(splitMetaNamespaceKey("default/web-0"), { namespace: "default", name: "web-0" });
  assertEquals(splitMetaNamespaceKey("/x"), { namespace: "", name: "x" });
});

Deno.test("splitMetaNamespaceKey rejects three parts with TypeError", () => {
  const err = assertThrows(
    () => splitMetaNamespaceKey("a/b/c"),
    TypeError,
    "unexpected key format",
  );
  assertEquals(err.message, 'unexpected key format: "a/b/c"');
  assertThrows(() => splitMetaNamespaceKey("a//"), TypeError, "unexpected key format");
});

Deno.test("splitMetaNamespaceKey inverts metaNamespaceKey", () => {
  for (const metadata of [{ namespace: "ns", name: "n" }, { name: "cluster-thing" }]) {
    const { namespace, name } = splitMetaNamespaceKey(metaNamespaceKey({ metadata }));
    assertEquals({ namespace, name }, { namespace: metadata.namespace ?? "", name: metadata.name });
  }
});

Deno.test('NAMESPACE_INDEX is "namespace"', () => {
  assertEquals(NAMESPACE_INDEX, "namespace");
});

Deno.test('metaNamespaceIndexFunc returns the namespace, or "" when cluster-scoped', () => {
  assertEquals(metaNamespaceIndexFunc({ metadata: { namespace: "prod", name: "a" } }), ["prod"]);
  assertEquals(metaNamespaceIndexFunc({ metadata: { name: "a" } }), [""]);
  assertEquals(metaNamespaceIndexFunc({}), [""]);
});

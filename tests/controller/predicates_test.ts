import {
  annotationsChanged,
  generationChanged,
  labelsChanged,
  resourceVersionChanged,
} from "../../mod.ts";
import { assertEquals } from "../_helpers/assert.ts";

Deno.test("predicates compare generation, resourceVersion, labels and annotations", () => {
  const a = {
    metadata: { name: "x", generation: 1, resourceVersion: "5", labels: { app: "web" } },
  };
  assertEquals(generationChanged(a, a), false);
  assertEquals(generationChanged(a, { metadata: { ...a.metadata, generation: 2 } }), true);
  assertEquals(resourceVersionChanged(a, a), false);
  assertEquals(
    resourceVersionChanged(a, { metadata: { ...a.metadata, resourceVersion: "6" } }),
    true,
  );
  assertEquals(labelsChanged(a, { metadata: { ...a.metadata, labels: { app: "web" } } }), false);
  assertEquals(labelsChanged(a, { metadata: { ...a.metadata, labels: { app: "api" } } }), true);
  assertEquals(labelsChanged(a, { metadata: { ...a.metadata, labels: {} } }), true);
  assertEquals(labelsChanged({ metadata: {} }, { metadata: { labels: {} } }), false);
  assertEquals(annotationsChanged(a, a), false);
  assertEquals(annotationsChanged(a, { metadata: { annotations: { k: "v" } } }), true);
});

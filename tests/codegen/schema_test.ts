import { assertEquals } from "../_helpers/assert.ts";
import {
  descriptorName,
  fieldDoc,
  type JsonSchema,
  kebab,
  renderTypes,
  type SchemaNaming,
  typeOf,
} from "../../src/codegen/schema.ts";

const naming: SchemaNaming = {
  ref: (ref) => ref.slice(ref.lastIndexOf(".") + 1),
  nested: (_schema, path) => `Nested${path.length}`,
};

Deno.test("descriptorName and kebab spell kinds as kubesnap and the API reference do", () => {
  assertEquals(
    [
      ["ConfigMap", "configmaps"],
      ["NetworkPolicy", "networkpolicies"],
      ["CSIDriver", "csidrivers"],
      ["APIService", "apiservices"],
      ["Endpoints", "endpoints"],
      ["IPAddress", "ipaddresses"],
      ["ServiceCIDR", "servicecidrs"],
    ].map(([kind, plural]) => descriptorName(kind!, plural!)),
    [
      "configMaps",
      "networkPolicies",
      "csiDrivers",
      "apiServices",
      "endpoints",
      "ipAddresses",
      "serviceCIDRs",
    ],
  );
  assertEquals(["ConfigMap", "CSIDriver", "HorizontalPodAutoscaler"].map(kebab), [
    "config-map",
    "csi-driver",
    "horizontal-pod-autoscaler",
  ]);
});

Deno.test("typeOf maps the Kubernetes quirks to TypeScript", () => {
  const cases: [JsonSchema, string][] = [
    [{ allOf: [{ $ref: "#/components/schemas/io.k8s.api.core.v1.PodSpec" }] }, "PodSpec"],
    [{ type: "string", format: "int-or-string" }, "number | string"],
    [
      { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
      "number | string",
    ],
    [{ type: "object", additionalProperties: { type: "string" } }, "Record<string, string>"],
    [{ type: "object", "x-kubernetes-preserve-unknown-fields": true }, "Record<string, unknown>"],
    [{ "x-kubernetes-preserve-unknown-fields": true }, "unknown"],
    [
      { type: "object", "x-kubernetes-embedded-resource": true },
      "KubeObject & Record<string, unknown>",
    ],
    [{ type: "array", items: { type: "string", enum: ["a", "b"] } }, '("a" | "b")[]'],
    [{ type: "integer", nullable: true }, "number | null"],
    [{ oneOf: [{ type: "string" }, { type: "number" }] }, "string | number"],
    [{ type: "object", properties: { a: { type: "string" } } }, "Nested1"],
    [{}, "unknown"],
  ];
  for (const [schema, expected] of cases) {
    assertEquals(typeOf(schema, naming, ["X"]), expected, JSON.stringify(schema));
  }
});

Deno.test("fieldDoc states facts only and renderTypes keeps optional fields undefined-friendly", () => {
  const schema: JsonSchema = {
    description: "A sentence that must never be copied.",
    type: "array",
    items: { $ref: "#/components/schemas/io.k8s.api.core.v1.Container" },
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["name", "protocol"],
    maxItems: 3,
    default: [{ name: "a" }],
  };
  assertEquals(fieldDoc("containers", schema, true, naming), [
    "`containers`: array of `Container`, required; list map keyed by `name`, `protocol`; at most 3 items.",
    '@default {[{"name":"a"}]}',
  ]);
  assertEquals(
    renderTypes([{
      form: "interface",
      name: "T",
      doc: ["Doc."],
      extends: [],
      fields: [
        { name: "a", type: "string", required: true, doc: [] },
        { name: "b-c", type: "number", required: false, doc: ["B."] },
      ],
      rest: "unknown",
    }]),
    '/** Doc. */\nexport interface T {\n  a: string;\n  /** B. */\n  "b-c"?: number | undefined;\n  [key: string]: unknown;\n}\n',
  );
});

import { assertEquals } from "../_helpers/assert.ts";
import {
  API_MODULE,
  APIMACHINERY_MODULE,
  freshSchema,
  SCHEMA_PATH,
} from "../_tools/gen_protobuf_schema.ts";
import { PROTOBUF_KINDS, PROTOBUF_MESSAGES } from "../../src/testing/_protobuf_schema.ts";
import { BUILTIN_RESOURCES } from "../../src/api/resources.ts";
import { FAKE_ONLY_RESOURCES } from "../../src/testing/_discovery.ts";

// Regenerating needs the .proto files in the Go module cache; without them the
// comparison is skipped (with the reason printed) rather than failed.
const fresh = await freshSchema().catch((err) => {
  console.log(`protobuf schema check skipped: ${err instanceof Error ? err.message : err}`);
  return undefined;
});
if (fresh === undefined) {
  console.log(
    `protobuf schema check ignored: the Go module cache has no ${API_MODULE} and ` +
      `${APIMACHINERY_MODULE} (go mod download -json ${API_MODULE} ${APIMACHINERY_MODULE})`,
  );
}

Deno.test({
  name: "the committed protobuf schema equals a fresh generation from the module cache",
  ignore: fresh === undefined,
  async fn() {
    const committed = await Deno.readTextFile(SCHEMA_PATH);
    if (committed !== fresh) {
      throw new Error(`${SCHEMA_PATH} is out of date: run deno task gen:protobuf-schema`);
    }
  },
});

Deno.test("the protobuf schema covers every kind the fake serves and every message it names", () => {
  const served = [...BUILTIN_RESOURCES, ...FAKE_ONLY_RESOURCES].map((d) =>
    `${d.apiVersion}/${d.kind}`
  );
  assertEquals(Object.keys(PROTOBUF_KINDS).sort(), served.sort());
  const missing: string[] = [];
  for (const [name, fields] of Object.entries(PROTOBUF_MESSAGES)) {
    for (const [, , type] of fields) {
      if (type.includes(".") && !type.startsWith("=") && !(type in PROTOBUF_MESSAGES)) {
        missing.push(`${name} → ${type}`);
      }
    }
  }
  assertEquals(missing, []);
});

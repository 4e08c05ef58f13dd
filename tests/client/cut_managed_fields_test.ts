import {
  cutManagedFields,
  findManagedFields,
  type ManagedFieldsTextShape,
} from "../../src/client/cut_managed_fields.ts";
import {
  assert,
  assertEquals,
  assertStrictEquals,
  assertThrows,
  fail,
} from "../_helpers/assert.ts";
import { dropParsed, parseJsonReference, TextGenerator } from "../_helpers/managed_fields_texts.ts";
import { seededRandom } from "../_helpers/random.ts";

const SHAPES: readonly ManagedFieldsTextShape[] = ["object", "list", "watch-event"];

/**
 * The cut text is JSON and reads as the oracle (the parsed text with managedFields deleted),
 * compared as canonical text, key order included.
 */
function checkCut(text: string, shape: ManagedFieldsTextShape): void {
  const expected = JSON.stringify(dropParsed(parseJsonReference(text), shape));
  const cut = cutManagedFields(text, shape);
  let actual: string;
  try {
    JSON.parse(cut);
    actual = JSON.stringify(parseJsonReference(cut));
  } catch (err) {
    fail(`cut text is not JSON (${err})\n  text: ${text}\n  cut:  ${cut}`);
  }
  if (actual !== expected) {
    fail(`cut differs\n  text:     ${text}\n  cut:      ${cut}\n  expected: ${expected}`);
  }
  if (cut !== text) assert(cut.length < text.length, "a changed text is shorter");
}

Deno.test("cutManagedFields removes the member wherever it is in metadata", async (t) => {
  const cases: [string, string][] = [
    ['{"metadata":{"managedFields":[{"manager":"a"}]}}', '{"metadata":{}}'],
    ['{"metadata":{"managedFields":[],"name":"a"}}', '{"metadata":{"name":"a"}}'],
    [
      '{"metadata":{"name":"a","managedFields":null,"uid":"u"}}',
      '{"metadata":{"name":"a","uid":"u"}}',
    ],
    ['{"metadata":{"name":"a","managedFields":[{}]}}', '{"metadata":{"name":"a"}}'],
    ['{"metadata":{"managedFields":1,"managedFields":2}}', '{"metadata":{}}'],
    ['{"metadata":{"a":1,"managedFields":1,"managedFields":2}}', '{"metadata":{"a":1}}'],
    ['{"metadata":{"managed\\u0046ields":[]}}', '{"metadata":{}}'],
    [
      ' {\n  "metadata" : {\n    "name" : "a" ,\n    "managedFields" : [ ]\n  }\n} ',
      ' {\n  "metadata" : {\n    "name" : "a"\n  }\n} ',
    ],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, () => {
      assertEquals(cutManagedFields(text, "object"), expected);
      checkCut(text, "object");
    });
  }
});

Deno.test("cutManagedFields keeps keys of that name off the path", () => {
  const text = JSON.stringify({
    managedFields: [1],
    metadata: {
      annotations: { managedFields: '"managedFields":[' },
      managedFields: [{ fieldsV1: { "f:metadata": { "f:managedFields": {} }, managedFields: {} } }],
    },
    data: { managedFields: "x", metadata: { managedFields: "y" } },
    spec: { template: { metadata: { managedFields: [] } } },
  });
  const cut = JSON.parse(cutManagedFields(text, "object"));
  assertEquals(cut, {
    managedFields: [1],
    metadata: { annotations: { managedFields: '"managedFields":[' } },
    data: { managedFields: "x", metadata: { managedFields: "y" } },
    spec: { template: { metadata: { managedFields: [] } } },
  });
  const list = JSON.stringify({
    metadata: { managedFields: "the list's own" },
    items: [{ metadata: { managedFields: [] } }, null, 3, { metadata: null }],
  });
  assertEquals(JSON.parse(cutManagedFields(list, "list")), {
    metadata: { managedFields: "the list's own" },
    items: [{ metadata: {} }, null, 3, { metadata: null }],
  });
  const event = JSON.stringify({
    metadata: { managedFields: "the event's" },
    type: "ADDED",
    object: { metadata: { managedFields: [], name: "a" } },
  });
  assertEquals(JSON.parse(cutManagedFields(event, "watch-event")), {
    metadata: { managedFields: "the event's" },
    type: "ADDED",
    object: { metadata: { name: "a" } },
  });
});

Deno.test("cutManagedFields equals parse-then-delete on random hostile texts", async (t) => {
  const counts: Record<ManagedFieldsTextShape, number> = {
    "object": 1500,
    "list": 700,
    "watch-event": 1500,
  };
  for (const shape of SHAPES) {
    await t.step(`${counts[shape]} ${shape} texts`, () => {
      const gen = new TextGenerator(seededRandom(0x5eed + shape.length));
      let cut = 0;
      for (let i = 0; i < counts[shape]; i++) {
        const text = gen.write(gen.ofShape(shape), gen.style());
        checkCut(text, shape);
        if (findManagedFields(text, shape).length > 0) cut++;
      }
      assert(cut > counts[shape] / 2, `most texts have something to cut (${cut})`);
    });
  }
});

Deno.test("cutManagedFields stops after the metadata of one object only when nothing after it could repeat the path", () => {
  const head = '{"type":"ADDED","object":{"metadata":{"name":"a","managedFields":[]},';
  const cutHead = '{"type":"ADDED","object":{"metadata":{"name":"a"},';
  // Broken after the metadata: the rest is searched, not scanned, so the cut is made.
  assertEquals(cutManagedFields(head + '"spec":{]}}', "watch-event"), cutHead + '"spec":{]}}');
  // Anything that could repeat the path sends the scan on, which finds the rest broken.
  for (
    const rest of ['"spec":{"metadata":1]}}', '"spec":{"object":1]}}', '"spec":{"\\u0061":1]}}']
  ) {
    assertStrictEquals(cutManagedFields(head + rest, "watch-event"), head + rest);
  }
  const object = '{"metadata":{"managedFields":[]},"spec":{"object":1]}';
  assertEquals(cutManagedFields(object, "object"), '{"metadata":{},"spec":{"object":1]}');
  // Repeated keys after the first metadata, spelled plainly or with escapes, are cut too.
  const repeated = head +
    '"metadata":{"managedFields":[2]},"m\\u0065tadata":{"managedFields":[3],"b":1}},' +
    '"object":{"metadata":{"managedFields":[4]}}}';
  checkCut(repeated, "watch-event");
  assert(!cutManagedFields(repeated, "watch-event").includes("managedFields"));
});

Deno.test("cutManagedFields handles nesting thousands of levels deep without recursion", () => {
  const depth = 20_000;
  const deep = (inner: string) => '{"a":['.repeat(depth) + inner + "]}".repeat(depth);
  const cases: [string, ManagedFieldsTextShape, string][] = [
    [
      `{"spec":${deep("1")},"metadata":{"managedFields":${deep('"x"')},"name":"n"}}`,
      "object",
      `{"spec":${deep("1")},"metadata":{"name":"n"}}`,
    ],
    [
      `{"items":[{"metadata":{"labels":${deep("{}")},"managedFields":[]}}]}`,
      "list",
      `{"items":[{"metadata":{"labels":${deep("{}")}}}]}`,
    ],
    [
      `{"type":"ADDED","object":{"status":${deep("null")},"metadata":{"managedFields":[]}}}`,
      "watch-event",
      `{"type":"ADDED","object":{"status":${deep("null")},"metadata":{}}}`,
    ],
  ];
  for (const [text, shape, expected] of cases) {
    JSON.parse(text);
    assertStrictEquals(cutManagedFields(text, shape), expected);
  }
  // Open brackets without end, or a bracket closed by the wrong kind: not JSON, returned as is.
  const open = '{"metadata":{"managedFields":' + "[".repeat(200_000);
  assertStrictEquals(cutManagedFields(open, "object"), open);
  const crossed = `{"metadata":{"managedFields":${"[{".repeat(50) + "]}".repeat(50)}}}`;
  assertStrictEquals(cutManagedFields(crossed, "object"), crossed);
});

Deno.test("cutManagedFields leaves every prefix of a text not JSON, and lists unchanged", () => {
  const gen = new TextGenerator(seededRandom(7));
  for (const shape of SHAPES) {
    for (let n = 0; n < 5; n++) {
      const text = gen.write(gen.ofShape(shape), gen.style());
      for (let end = 0; end < text.length; end++) {
        const prefix = text.slice(0, end);
        const cut = cutManagedFields(prefix, shape);
        if (shape === "list") assertStrictEquals(cut, prefix);
        assertThrows(() => JSON.parse(cut), SyntaxError);
      }
    }
  }
});

Deno.test("cutManagedFields never turns broken JSON into JSON outside what it removes", () => {
  const gen = new TextGenerator(seededRandom(11));
  const replacements = ['"', "\\", "{", "}", "[", "]", ",", ":", " ", "x", "1", ""];
  let broken = 0;
  for (let n = 0; n < 400; n++) {
    const shape = SHAPES[n % 3]!;
    const text = gen.write(gen.ofShape(shape), gen.style());
    for (let m = 0; m < 5; m++) {
      const at = gen.int(text.length);
      const mutated = text.slice(0, at) + gen.pick(replacements) + text.slice(at + 1);
      let valid = true;
      try {
        JSON.parse(mutated);
      } catch {
        valid = false;
      }
      if (valid) {
        checkCut(mutated, shape);
        continue;
      }
      broken++;
      const ranges = findManagedFields(mutated, shape);
      const cut = cutManagedFields(mutated, shape);
      let cutValid = true;
      try {
        JSON.parse(cut);
      } catch {
        cutValid = false;
      }
      if (!cutValid) continue;
      // Only a defect inside a removed value can vanish with it.
      let inside = false;
      for (let k = 0; k < ranges.length; k += 2) {
        inside ||= ranges[k]! <= at && at <= ranges[k + 1]!; // at the end: a deleted last character
      }
      assert(inside, `broken text became JSON:\n  text: ${mutated}\n  cut:  ${cut}`);
    }
  }
  assert(broken > 500, `most mutations break the text (${broken})`);
});

Deno.test("cutManagedFields is linear on long backslash runs and many strings", () => {
  const run = "\\".repeat(400_000);
  const text = `{"metadata":{"a":"${run}\\"${run}","managedFields":["${run}"]}}`;
  assertEquals(cutManagedFields(text, "object"), `{"metadata":{"a":"${run}\\"${run}"}}`);
  const many = `{"items":[${
    new Array(50_000).fill('{"metadata":{"managedFields":["\\\\"]}}').join(",")
  }]}`;
  assertEquals(JSON.parse(cutManagedFields(many, "list")).items.length, 50_000);
});

Deno.test("findManagedFields gives ascending disjoint ranges and rejects unknown shapes", () => {
  const text =
    '{"items":[{"metadata":{"managedFields":1,"a":2}},{"metadata":{"a":1,"managedFields":2}}]}';
  const ranges = findManagedFields(text, "list");
  assertEquals(
    ranges.map((_, k) => k % 2 === 0 ? text.slice(ranges[k], ranges[k + 1]) : "").filter(Boolean),
    [
      '"managedFields":1,',
      ',"managedFields":2',
    ],
  );
  assertEquals(findManagedFields('{"metadata":{}}', "object"), []);
  assertEquals(findManagedFields("not json", "object"), []);
  assertThrows(() => findManagedFields("{}", "toString" as ManagedFieldsTextShape), TypeError);
});

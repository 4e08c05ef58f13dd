import { KubeConfigError } from "../../src/api/errors.ts";
import { formatYamlPath, readYaml } from "../../src/_internal/yaml_reader.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "../_helpers/assert.ts";

function read(text: string): unknown {
  return readYaml(text).value;
}

Deno.test("readYaml reads block mappings and kubectl's unindented sequences", () => {
  const text = [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    "    server: https://127.0.0.1:6443",
    "  name: kind-kind",
    "- name: other",
    "  cluster:",
    "    server: https://10.0.0.1",
    "current-context: kind-kind",
    "",
  ].join("\n");
  assertEquals(read(text), {
    apiVersion: "v1",
    clusters: [
      { cluster: { server: "https://127.0.0.1:6443" }, name: "kind-kind" },
      { name: "other", cluster: { server: "https://10.0.0.1" } },
    ],
    "current-context": "kind-kind",
  });
});

Deno.test("readYaml reads indented sequences, nested sequences and empty entries", () => {
  const text = [
    "items:",
    "  - a",
    "  - - b",
    "    - c",
    "  -",
    "  - k: v",
    "    list:",
    "    - x",
    "    after: 1",
    "",
  ].join("\n");
  assertEquals(read(text), {
    items: ["a", ["b", "c"], null, { k: "v", list: ["x"], after: 1 }],
  });
});

Deno.test("readYaml resolves plain scalars with the YAML 1.2 core schema", () => {
  const text = [
    "n1: null",
    "n2: ~",
    "n3:",
    "b1: true",
    "b2: False",
    "i1: 42",
    "i2: -7",
    "i3: 0o17",
    "i4: 0x1F",
    "f1: 1.5",
    "f2: 1e3",
    "f3: .inf",
    "s1: yes",
    "s2: 1.2.3",
    "s3: 0755x",
    "s4: http://a:b@c/d",
    "",
  ].join("\n");
  assertEquals(read(text), {
    n1: null,
    n2: null,
    n3: null,
    b1: true,
    b2: false,
    i1: 42,
    i2: -7,
    i3: 15,
    i4: 31,
    f1: 1.5,
    f2: 1000,
    f3: Infinity,
    s1: "yes",
    s2: "1.2.3",
    s3: "0755x",
    s4: "http://a:b@c/d",
  });
});

Deno.test("readYaml keeps keys as strings and lets keepString keep scalar text", () => {
  const doc = readYaml("true: 1\n12: x\ntoken: 0123\nflag: true\nnone: null\n", {
    keepString: (path) => path[0] === "token",
  });
  assertEquals(doc.value, { true: 1, "12": "x", token: "0123", flag: true, none: null });
});

Deno.test("readYaml reads quoted scalars with escapes", () => {
  const text = [
    `a: "tab\\there \\"q\\" \\\\ \\u00e9 \\x41 \\U0001F600 \\/"`,
    "b: 'it''s # not a comment'",
    `c: ""`,
    "d: ''",
    `"quoted key": 1`,
    `'single key': 2`,
    "",
  ].join("\n");
  assertEquals(read(text), {
    a: 'tab\there "q" \\ é A \u{1F600} /',
    b: "it's # not a comment",
    c: "",
    d: "",
    "quoted key": 1,
    "single key": 2,
  });
});

Deno.test("readYaml folds multi-line plain and quoted scalars", () => {
  const text = [
    "hint: Install the plugin by following",
    "  https://example.com/docs#install",
    "para: first",
    "",
    "  second",
    `dq: "one`,
    "  two\\",
    '  three"',
    "sq: 'a",
    "",
    "  b'",
    "",
  ].join("\n");
  assertEquals(read(text), {
    hint: "Install the plugin by following https://example.com/docs#install",
    para: "first\nsecond",
    dq: "one twothree",
    sq: "a\nb",
  });
});

Deno.test("readYaml strips comments but not # inside values", () => {
  const text = [
    "# leading comment",
    "a: b # trailing",
    "c: d#e",
    "  # indented comment",
    "f: 'g' # after quotes",
    "",
  ].join("\n");
  assertEquals(read(text), { a: "b", c: "d#e", f: "g" });
});

Deno.test("readYaml reads literal and folded block scalars with chomping", () => {
  const text = [
    "lit: |",
    "  line1",
    "    indented",
    "  line3",
    "",
    "strip: |-",
    "  x",
    "",
    "keep: |+",
    "  y",
    "",
    "folded: >",
    "  a",
    "  b",
    "",
    "  c",
    "    more",
    "  d",
    "indicator: |2",
    "    two extra",
    "empty: |",
    "last: end",
    "",
  ].join("\n");
  assertEquals(read(text), {
    lit: "line1\n  indented\nline3\n",
    strip: "x",
    keep: "y\n\n",
    folded: "a b\nc\n  more\nd\n",
    indicator: "  two extra\n",
    empty: "",
    last: "end",
  });
});

Deno.test("readYaml reads a block scalar at the end of the text without a final newline", () => {
  assertEquals(read("a: |\n  text"), { a: "text" });
  assertEquals(read("a: |\n  text\n"), { a: "text\n" });
});

Deno.test("readYaml reads empty and simple flow collections", () => {
  const text = [
    "preferences: {}",
    "users: []",
    "args: [--region, us-west-2, '1', 2]",
    `ctx: {cluster: dev, "user": me, namespace: }`,
    "nested: {a: [1, {b: c}]}",
    "",
  ].join("\n");
  assertEquals(read(text), {
    preferences: {},
    users: [],
    args: ["--region", "us-west-2", "1", 2],
    ctx: { cluster: "dev", user: "me", namespace: null },
    nested: { a: [1, { b: "c" }] },
  });
});

Deno.test("readYaml accepts a leading --- and a trailing ... document marker", () => {
  assertEquals(read("--- # doc\na: 1\n...\n"), { a: 1 });
  assertEquals(read("---\n- x\n"), ["x"]);
  assertEquals(read("--- text\n"), "text");
});

Deno.test("readYaml reads empty documents as null and strips a BOM and CRLF", () => {
  assertEquals(read(""), null);
  assertEquals(read("# only a comment\n\n"), null);
  assertEquals(read("\uFEFFa: 1\r\nb:\r\n- c\r\n"), { a: 1, b: ["c"] });
});

Deno.test("readYaml reads JSON with JSON.parse", () => {
  assertEquals(read('  {"a": [1, "x"], "b": {"c": null}}'), { a: [1, "x"], b: { c: null } });
});

Deno.test("readYaml reports invalid JSON by line without quoting the text", () => {
  const err = assertThrows(
    () => readYaml('{\n  "a": 1,\n  "token": secret-value\n}', { source: "cfg.json" }),
    KubeConfigError,
  );
  assertEquals(err.message, "cfg.json: invalid JSON at line 3");
  const trailing = assertThrows(() => readYaml('{"a": [1, 2,\n]}'), KubeConfigError);
  assertEquals(trailing.message, "YAML: invalid JSON at line 2");
});

Deno.test("readYaml records the line of every key and item", () => {
  const doc = readYaml("a:\n  b:\n  - x\n  - y: 1\nc: 2\n");
  assertEquals(doc.lineOf(["a"]), 1);
  assertEquals(doc.lineOf(["a", "b"]), 2);
  assertEquals(doc.lineOf(["a", "b", 1]), 4);
  assertEquals(doc.lineOf(["a", "b", 1, "y"]), 4);
  assertEquals(doc.lineOf(["c"]), 5);
  assertEquals(doc.lineOf(["missing"]), undefined);
});

Deno.test("readYaml keeps __proto__ as an ordinary key", () => {
  const value = read("__proto__:\n  polluted: true\n") as Record<string, unknown>;
  assertEquals(Object.getPrototypeOf(value), Object.prototype);
  assertEquals(Object.keys(value), ["__proto__"]);
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
});

const errorCases: [string, string, string][] = [
  [
    "a: b: c",
    'line 1 (at a): a mapping cannot start on the same line as its key (quote values that contain ": ")',
    "nested",
  ],
  ["a:\n\tb: 1\n", "line 2 (at a): a tab character cannot be used for indentation", "tab"],
  ["a: &x 1\n", "line 1 (at a): anchors (&) are not supported", "anchor"],
  ["a: *x\n", "line 1 (at a): aliases (*) are not supported", "alias"],
  ["a: !!str 1\n", "line 1 (at a): tags (!) are not supported", "tag"],
  ["a: 1\na: 2\n", 'line 2: duplicate key "a"', "duplicate"],
  ["a: 1\n---\nb: 2\n", "line 2: only one YAML document is supported", "documents"],
  [
    "%YAML 1.2\n---\na: 1\n",
    "line 1: YAML directives (%YAML, %TAG) are not supported",
    "directive",
  ],
  ["a:\n  b: 1\n c: 2\n", "line 3 (at a): unexpected indentation", "indentation"],
  ['a: "open\n', "line 1 (at a): unterminated quoted string", "unterminated"],
  ["a: [1, 2\n", 'line 1 (at a): unterminated flow collection (missing "]")', "flow"],
  ["? a\n: b\n", "line 1: complex keys (?) are not supported", "complex"],
  ["- a\nb: 1\n", "line 2: unexpected content (check the indentation)", "mixed"],
  ["a: 1\n- b\n", "line 2: a sequence item where a mapping key was expected", "item in map"],
  ['a: "\\q"\n', "line 1 (at a): invalid escape sequence in a double-quoted string", "escape"],
  [
    "list:\n- x: 1\n  y: 2\n  z\n",
    'line 4 (at list[0]): expected a mapping key ("key: value")',
    "no key",
  ],
];

for (const [text, expected, name] of errorCases) {
  Deno.test(`readYaml rejects invalid input with the line and key (${name})`, () => {
    const err = assertThrows(() => readYaml(text, { source: "test.yaml" }), KubeConfigError);
    assertEquals(err.message, `test.yaml: invalid YAML at ${expected}`);
  });
}

Deno.test("readYaml errors never quote the offending text", () => {
  const err = assertThrows(
    () => readYaml("user:\n  token: abc-secret-123: more\n"),
    KubeConfigError,
  );
  assertStringIncludes(err.message, "line 2 (at user.token)");
  assertEquals(err.message.includes("abc-secret-123"), false);
});

Deno.test("formatYamlPath writes indexes in brackets and quotes odd keys", () => {
  assertEquals(
    formatYamlPath(["users", 0, "user", "client-key-data"]),
    "users[0].user.client-key-data",
  );
  assertEquals(formatYamlPath(["a b", 1]), '["a b"][1]');
  assertEquals(formatYamlPath([]), "(document)");
});

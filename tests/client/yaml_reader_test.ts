import { KubeConfigError } from "../../src/api/errors.ts";
import { formatYamlPath, readYaml } from "../../src/_internal/yaml_reader.ts";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../_helpers/assert.ts";

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

Deno.test("readYaml resolves plain scalars as go-yaml v2 does (YAML 1.1)", () => {
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
    "f3: 1_0.5",
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
    f3: 10.5,
    s1: true,
    s2: "1.2.3",
    s3: "0755x",
    s4: "http://a:b@c/d",
  });
});

Deno.test("readYaml turns keys into JSON keys and lets keepString keep scalar text", () => {
  const doc = readYaml(
    "yes: 1\n0x10: x\n1e3: w\n'0x10': z\ntoken: 0123\nflag: true\nnone: null\n",
    {
      keepString: (path) => path[0] === "token",
    },
  );
  assertEquals(doc.value, {
    true: 1,
    "16": "x",
    "1000": "w",
    "0x10": "z",
    token: "0123",
    flag: true,
    none: null,
  });
});

Deno.test("readYaml reads quoted scalars with escapes", () => {
  const text = [
    `a: "tab\\there \\"q\\" \\\\ \\u00e9 \\x41 \\U0001F600"`,
    "b: 'it''s # not a comment'",
    `c: ""`,
    "d: ''",
    `"quoted key": 1`,
    `'single key': 2`,
    "",
  ].join("\n");
  assertEquals(read(text), {
    a: 'tab\there "q" \\ é A \u{1F600}',
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

Deno.test("readYaml reads text that is not JSON but starts with { as YAML", () => {
  assertEquals(read('{\n  "a": 1,\n  "token": secret-value\n}'), { a: 1, token: "secret-value" });
  assertEquals(read('{"a": [1, 2,\n]}'), { a: [1, 2] });
  const err = assertThrows(
    () => readYaml('{"a": [1, 2\n', { source: "cfg.json" }),
    KubeConfigError,
  );
  assertStringIncludes(err.message, "cfg.json: invalid YAML at line 1");
});

Deno.test("readYaml records the line of every key and item", () => {
  const doc = readYaml("a:\n  b:\n  - x\n  - k: 1\nc: 2\n");
  assertEquals(doc.lineOf(["a"]), 1);
  assertEquals(doc.lineOf(["a", "b"]), 2);
  assertEquals(doc.lineOf(["a", "b", 1]), 4);
  assertEquals(doc.lineOf(["a", "b", 1, "k"]), 4);
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
  [
    "a: *x\n",
    "line 1 (at a): an alias (*) refers to an anchor (&) not defined before it",
    "alias",
  ],
  ["a: !!int x\n", "line 1 (at a): a !!str value cannot be decoded as a !!int", "tag"],
  [
    "a: 1\na: 2\n",
    "line 2: duplicate mapping key at column 1 (first defined at line 1)",
    "duplicate",
  ],
  ["~: 1\n", "line 1: a null or out-of-range key cannot be converted to JSON", "null key"],
  [
    "a: .inf\n",
    "line 1 (at a): .inf and .nan cannot be converted to JSON (kubectl rejects them; quote the value)",
    "infinity",
  ],
  [
    "%YAML 1.2\n---\na: 1\n",
    "line 1: YAML directives (%YAML, %TAG) are not supported",
    "directive",
  ],
  ["a:\n  b: 1\n c: 2\n", "line 3 (at a): unexpected indentation", "indentation"],
  ['a: "open\n', "line 1 (at a): unterminated quoted string", "unterminated"],
  ["a: [1, 2\n", 'line 1 (at a): unterminated flow collection (missing "]")', "flow"],
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
  assertEquals(formatYamlPath(["x.y", 1]), '["x.y"][1]');
  assertEquals(formatYamlPath([]), "(document)");
});

Deno.test("formatYamlPath hides keys that may be credentials", () => {
  assertEquals(formatYamlPath(["a b", 1]), "[<hidden key>][1]");
  assertEquals(formatYamlPath(["users", "abcdef.0123456789abcdef"]), "users[<hidden key>]");
  assertEquals(formatYamlPath(["k".repeat(65)]), "[<hidden key>]");
});

Deno.test("readYaml expands anchors, aliases and merge keys as kubectl does", () => {
  const text = [
    "base: &b {server: https://a, insecure-skip-tls-verify: true}",
    "one: *b",
    "two:",
    "  <<: *b",
    "  server: https://b",
    "list: &l",
    "- x",
    "again: *l",
    "",
  ].join("\n");
  const value = read(text) as Record<string, unknown>;
  assertEquals(value.one, { server: "https://a", "insecure-skip-tls-verify": true });
  assertEquals(value.two, { server: "https://b", "insecure-skip-tls-verify": true });
  assertEquals(value.again, ["x"]);
  // Aliases are copies: changing one leaves the anchor alone.
  (value.one as Record<string, unknown>).server = "changed";
  assertEquals((value.base as Record<string, unknown>).server, "https://a");
});

Deno.test("readYaml stops an alias bomb with a KubeConfigError", () => {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 0; i < 8; i++) {
    const p = String.fromCharCode(97 + i);
    const n = String.fromCharCode(98 + i);
    lines.push(`${n}: &${n} [${Array(10).fill(`*${p}`).join(", ")}]`);
  }
  const err = assertThrows(() => readYaml(lines.join("\n")), KubeConfigError);
  assertStringIncludes(err.message, "aliases expand the document by more than 100000 values");
});

Deno.test("readYaml reads the first of several documents", () => {
  assertEquals(read("a: 1\n---\nb: 2\n"), { a: 1 });
  assertEquals(read("a: 1\n...\n]]] not yaml\n"), { a: 1 });
});

Deno.test("readYaml reads ? complex keys in block and flow context", () => {
  const long = "k".repeat(200);
  assertEquals(read(`? ${long}\n: v\n? bare\n`), { [long]: "v", bare: null });
  assertEquals(read(`{? "${long}"\n  : v}`), { [long]: "v" });
});

Deno.test("readYaml folds multi-line plain scalars inside flow collections", () => {
  assertEquals(read("a: [one two\n  three, four\n\n  five]\n"), {
    a: ["one two three", "four\nfive"],
  });
});

Deno.test("readYaml reads tabs in literal blocks as go-yaml does", () => {
  assertEquals(read("a: |2\n  \tx\n"), { a: "\tx\n" });
  assertEquals(read("a: |\n  x\n  \ty\n"), { a: "x\n\ty\n" });
  const err = assertThrows(() => readYaml("a: |\n  \tx\n"), KubeConfigError);
  assertStringIncludes(err.message, "line 2 (at a): a tab character cannot start the first line");
});

Deno.test("readYaml keeps chomping of whitespace-only lines as go-yaml does", () => {
  assertEquals(read("a: |+\n  \n"), { a: "\n" });
  assertEquals(read("a: |+\n  x\n   \nb: 1\n"), { a: "x\n \n", b: 1 });
});

Deno.test("readYaml treats U+2028, U+2029 and U+0085 as line breaks", () => {
  assertEquals(read('a: "x\u2028  y"\nb: "x \u0085  y"\nc: \'x \u2029 y\'\n'), {
    a: "x\u2028y",
    b: "x y",
    c: "x\u2029y",
  });
  assertEquals(read("a: 1\u0085b: 2\n"), { a: 1, b: 2 });
});

Deno.test("readYaml keeps U+00A0 at the end of a key", () => {
  assertEquals(Object.keys(read("a\u00a0: 1\n") as object), ["a\u00a0"]);
});

Deno.test("readYaml applies the standard tags", () => {
  assertEquals(read("a: !!str 1\nb: !!int '0x10'\nc: !!float 1\nd: !custom 5\n--- ignored\n"), {
    a: "1",
    b: 16,
    c: 1,
    d: "5",
  });
});

for (
  const [name, text] of [
    ["flow sequences", "[".repeat(20000) + "]".repeat(20000)],
    ["flow mappings", "{a: ".repeat(20000) + "}".repeat(20000)],
    ["block sequences", "- ".repeat(20000) + "x"],
  ] as [string, string][]
) {
  Deno.test(`readYaml rejects ${name} nested 20000 deep with a KubeConfigError`, () => {
    const err = assertThrows(() => readYaml(text), KubeConfigError);
    assertStringIncludes(err.message, "collections nested deeper than 1000 levels");
    assert(err.message.length < 300, "the message stays short");
  });
}

Deno.test("readYaml never quotes a duplicate key", () => {
  const token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0";
  const err = assertThrows(
    () => readYaml(`users:\n  ${token}: 1\n  ${token}: 2\n`),
    KubeConfigError,
  );
  assertEquals(
    err.message,
    "YAML: invalid YAML at line 3 (at users): duplicate mapping key at column 3 (first defined at line 2)",
  );
});

Deno.test("readYaml writes non-string keys as sigs.k8s.io/yaml does", () => {
  const text = "123.456789: a\n1000000.0: b\n1e-05: c\n0.1: d\n-0b101: e\n1_000: f\nNo: g\n";
  assertEquals(read(text), {
    "123.45679": "a",
    "1e+06": "b",
    "1e-05": "c",
    "0.1": "d",
    "-5": "e",
    "1000": "f",
    false: "g",
  });
});

Deno.test("readYaml reads single-pair mappings in flow sequences", () => {
  assertEquals(read("[a: 1, b, ? c : 2, ?d]\n"), [{ a: 1 }, "b", { c: 2 }, { d: null }]);
});

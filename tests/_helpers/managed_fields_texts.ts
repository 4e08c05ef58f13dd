/**
 * Random JSON texts of Kubernetes objects, lists and watch events for the
 * property tests of `cutManagedFields`, written by our own serializer so that
 * they hold what `JSON.stringify` never writes: whitespace anywhere (pretty
 * printing, `\r\n`, tabs), keys and strings spelled with `\u` escapes,
 * repeated keys. Strings are hostile (quotes, backslash runs, brackets,
 * `managedFields` and `metadata` inside them, surrogate pairs, lone
 * surrogates, control characters), and keys named `managedFields` or
 * `metadata` appear off the path too: in `data`, annotations, `spec`, a
 * pod template, managedFields entries' `fieldsV1`, the top level, a list's
 * own metadata.
 *
 * The oracle is `JSON.parse` of the same text with `metadata.managedFields`
 * deleted from each object ({@linkcode dropParsed}), so repeated keys and
 * escapes are judged exactly as `JSON.parse` reads them.
 *
 * @module
 */

import type { ManagedFieldsTextShape } from "../../src/client/cut_managed_fields.ts";

/** A JSON value as members and items, so that an object may repeat a key. */
export type JsonNode =
  | { readonly t: "object"; readonly members: readonly (readonly [string, JsonNode])[] }
  | { readonly t: "array"; readonly items: readonly JsonNode[] }
  | { readonly t: "string"; readonly value: string }
  | { readonly t: "raw"; readonly text: string };

/** How a text is written. */
export interface TextStyle {
  /** Probability of whitespace around each token. */
  readonly space: number;
  /** Probability that a key character is written as a `\u` escape. */
  readonly escapeKeys: number;
  /** Probability that a string character is written as a `\u` escape. */
  readonly escapeStrings: number;
}

const PIECES: readonly string[] = [
  '"',
  "\\",
  '\\"',
  '\\\\"',
  "\\\\",
  "managedFields",
  '"managedFields":',
  '"metadata":{"managedFields":[',
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "metadata",
  "items",
  "object",
  "é",
  "日本",
  "🚀",
  "\ud83d\ude00",
  "\ud800",
  "\udfff",
  "\u0000",
  "\n",
  "\t",
  "\u001f",
  "\u2028",
  "/",
  " ",
  "f:",
  'k:{"name":"app"}',
  "\\u0022",
  "\u007f",
  "\uffff",
];
const KEYS: readonly string[] = [
  "managedFields",
  "metadata",
  "items",
  "object",
  "name",
  "spec",
  "data",
  "f:managedFields",
  "managedfields",
  "managedFields ",
  " managedFields",
  "managedField",
  "managedFieldss",
  "metadat",
  "",
  "a",
  "🚀",
  '"',
  "\\",
];
const TAME_STRINGS: readonly string[] = ["app", "Running", "10.0.0.1", "日本", "🚀", "a b-c", ""];
const TAME_KEYS: readonly string[] = [
  "name",
  "image",
  "phase",
  "f:x",
  "managedFields",
  "items",
  "a",
];
const NUMBERS: readonly string[] = [
  "0",
  "-0",
  "1",
  "-17",
  "3.25",
  "1e3",
  "-2.5E-3",
  "12345678901234567890",
];
const LITERALS: readonly string[] = ["true", "false", "null"];

/** A random generator of JSON nodes and texts. */
export class TextGenerator {
  readonly #random: () => number;
  /** Strings and keys from the tame sets only. */
  #tame = false;

  /** @param random A seeded `Math.random` replacement. */
  constructor(random: () => number) {
    this.#random = random;
  }

  /** A number in [0, n). */
  int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.#random() < p;
  }

  /** One of the items. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A hostile string. */
  string(): string {
    if (this.#tame) return this.pick(TAME_STRINGS) + this.int(1000);
    let s = "";
    const n = this.int(6);
    for (let i = 0; i < n; i++) {
      s += this.chance(0.6) ? this.pick(PIECES) : String.fromCharCode(97 + this.int(26));
    }
    return s;
  }

  /** A key: often a tricky one, else a hostile string. */
  key(): string {
    if (this.#tame) return this.pick(TAME_KEYS);
    return this.chance(0.5) ? this.pick(KEYS) : this.string();
  }

  /** A random value nested at most `depth` levels. */
  value(depth: number): JsonNode {
    const r = this.int(depth <= 0 ? 3 : 5);
    if (r === 0) return str(this.string());
    if (r === 1) return raw(this.pick(NUMBERS));
    if (r === 2) return raw(this.pick(LITERALS));
    if (r === 3) {
      const items: JsonNode[] = [];
      for (let i = this.int(4); i > 0; i--) items.push(this.value(depth - 1));
      return { t: "array", items };
    }
    const members: [string, JsonNode][] = [];
    for (let i = this.int(4); i > 0; i--) members.push([this.key(), this.value(depth - 1)]);
    return obj(members);
  }

  /** A managedFields value: usually entries, sometimes empty, `null` or anything. */
  managedFields(): JsonNode {
    const r = this.int(10);
    if (r === 0) return raw("null");
    if (r === 1) return { t: "array", items: [] };
    if (r === 2) return this.value(3);
    const items: JsonNode[] = [];
    for (let i = 1 + this.int(3); i > 0; i--) {
      const members: [string, JsonNode][] = [
        ["manager", str(this.pick(["kubelet", "kube-controller-manager", this.string()]))],
        ["operation", str(this.pick(["Update", "Apply"]))],
        ["apiVersion", str("v1")],
        ["time", str("2026-12-06T12:00:00Z")],
        ["fieldsType", str("FieldsV1")],
        ["fieldsV1", this.fieldsV1(3)],
      ];
      if (this.chance(0.3)) members.push(["subresource", str("status")]);
      items.push(obj(this.shuffle(members)));
    }
    return { t: "array", items };
  }

  /** A fieldsV1 tree: `f:`/`k:` keys, some naming managedFields. */
  fieldsV1(depth: number): JsonNode {
    const members: [string, JsonNode][] = [];
    for (let i = this.int(5); i > 0; i--) {
      const key = this.pick([
        "f:metadata",
        "f:managedFields",
        "managedFields",
        ".",
        `f:${this.string()}`,
        `k:{"name":${JSON.stringify(this.string())}}`,
      ]);
      members.push([key, depth > 0 && this.chance(0.5) ? this.fieldsV1(depth - 1) : obj([])]);
    }
    return obj(members);
  }

  /** Object metadata, with managedFields first, in the middle, last, alone, twice or missing. */
  metadata(): JsonNode {
    const members: [string, JsonNode][] = [];
    if (this.chance(0.8)) members.push(["name", str(this.string())]);
    if (this.chance(0.5)) members.push(["namespace", str("default")]);
    if (this.chance(0.5)) members.push(["labels", obj([["app", str(this.string())]])]);
    if (this.chance(0.5)) {
      members.push([
        "annotations",
        obj([["managedFields", str(this.string())], [this.key(), str(this.string())]]),
      ]);
    }
    if (this.chance(0.3)) members.push([this.key(), this.value(2)]);
    const copies = this.chance(0.1) ? 0 : this.chance(0.1) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const at = this.pick([0, members.length, this.int(members.length + 1)]);
      members.splice(at, 0, ["managedFields", this.managedFields()]);
    }
    return obj(members);
  }

  /** A Kubernetes-shaped object, with managedFields-named keys off the path. */
  object(): JsonNode {
    if (this.chance(0.35)) return this.plainObject();
    const members: [string, JsonNode][] = [
      ["apiVersion", str(this.pick(["v1", "example.com/v1"]))],
      ["kind", str(this.pick(["Pod", "ConfigMap", "Widget"]))],
      ["metadata", this.chance(0.03) ? this.value(1) : this.metadata()],
    ];
    if (this.chance(0.5)) {
      members.push([
        "spec",
        obj([
          ["template", obj([["metadata", this.metadata()], ["spec", this.value(2)]])],
          ["managedFields", this.managedFields()],
          [this.key(), this.value(3)],
        ]),
      ]);
    }
    if (this.chance(0.4)) {
      members.push([
        "data",
        obj([["managedFields", str(this.string())], ["metadata", this.value(2)]]),
      ]);
    }
    if (this.chance(0.2)) members.push(["managedFields", this.managedFields()]);
    if (this.chance(0.3)) members.push(["status", this.value(3)]);
    if (this.chance(0.05)) members.push(["metadata", this.metadata()]);
    return obj(this.shuffle(members));
  }

  /**
   * An object whose part after its metadata holds nothing that could lead to
   * managedFields again (no `metadata` or `object` key, no `\u` escape in
   * plain styles), like most pods: the scan of a single object may stop at it.
   */
  plainObject(): JsonNode {
    const members: [string, JsonNode][] = [
      ["apiVersion", str("v1")],
      ["kind", str("Pod")],
      ["metadata", this.metadata()],
    ];
    this.#tame = true;
    members.push(["spec", this.value(3)], ["status", this.value(3)]);
    if (this.chance(0.3)) members.push(["managedFields", this.managedFields()]);
    this.#tame = false;
    return obj(this.chance(0.7) ? members : this.shuffle(members));
  }

  /** A list: items (some not objects), or `items: null`, with managedFields in its own metadata. */
  list(): JsonNode {
    const items: JsonNode[] = [];
    for (let i = this.int(5); i > 0; i--) {
      items.push(this.chance(0.05) ? this.value(1) : this.object());
    }
    const members: [string, JsonNode][] = [
      ["kind", str("PodList")],
      ["apiVersion", str("v1")],
      ["metadata", obj([["resourceVersion", str("12")], ["managedFields", this.managedFields()]])],
      ["items", this.chance(0.05) ? raw("null") : { t: "array", items }],
    ];
    if (this.chance(0.05)) members.push(["items", { t: "array", items: [this.object()] }]);
    return obj(this.shuffle(members));
  }

  /** A watch event, with a decoy `metadata` of its own at the top level. */
  watchEvent(): JsonNode {
    const members: [string, JsonNode][] = [
      ["type", str(this.pick(["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]))],
      ["object", this.chance(0.03) ? this.value(1) : this.object()],
    ];
    if (this.chance(0.1)) members.push(["metadata", this.metadata()]);
    return obj(this.shuffle(members));
  }

  /** A node of the shape. */
  ofShape(shape: ManagedFieldsTextShape): JsonNode {
    return shape === "list"
      ? this.list()
      : shape === "watch-event"
      ? this.watchEvent()
      : this.object();
  }

  /** A writing style: compact, pretty, or escaped anywhere. */
  style(): TextStyle {
    const r = this.int(4);
    if (r === 0) return { space: 0, escapeKeys: 0, escapeStrings: 0 };
    if (r === 1) return { space: 1, escapeKeys: 0, escapeStrings: 0 };
    return {
      space: this.pick([0, 0.1, 0.5]),
      escapeKeys: this.pick([0, 0.05, 0.3]),
      escapeStrings: 0.1,
    };
  }

  /** Writes a node as JSON text in the style. Recursive: for nodes of modest depth. */
  write(node: JsonNode, style: TextStyle): string {
    const sp =
      () => (style.space > 0 && this.chance(style.space)
        ? this.pick([" ", "\n  ", "\t", "\r\n", "  "])
        : "");
    switch (node.t) {
      case "raw":
        return node.text;
      case "string":
        return this.quote(node.value, style.escapeStrings);
      case "array":
        return "[" + sp() +
          node.items.map((item) => this.write(item, style)).join(sp() + "," + sp()) + sp() + "]";
      case "object":
        return "{" + sp() +
          node.members.map(([k, v]) =>
            this.quote(k, style.escapeKeys) + sp() + ":" + sp() + this.write(v, style)
          )
            .join(sp() + "," + sp()) +
          sp() + "}";
    }
  }

  /** A JSON string literal, with characters escaped at random where JSON allows it. */
  quote(s: string, escape: number): string {
    let out = '"';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const must = c < 0x20 || c === 0x22 || c === 0x5c ||
        (c >= 0xd800 && c <= 0xdfff && !pairAt(s, i));
      if (must || (escape > 0 && this.chance(escape))) {
        if (c === 0x22 && this.chance(0.5)) out += '\\"';
        else if (c === 0x5c && this.chance(0.5)) out += "\\\\";
        else if (c === 0x0a && this.chance(0.5)) out += "\\n";
        else if (c === 0x2f && this.chance(0.5)) out += "\\/";
        else {out += "\\u" +
            c.toString(16).padStart(4, "0")[this.chance(0.5) ? "toUpperCase" : "toLowerCase"]();}
      } else if (pairAt(s, i)) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += s[i]!;
      }
    }
    return out + '"';
  }

  #shuffleInPlace<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** The items in random order (a copy). */
  shuffle<T>(items: readonly T[]): T[] {
    return this.#shuffleInPlace([...items]);
  }
}

function pairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  const d = s.charCodeAt(i + 1);
  return c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff;
}

function str(value: string): JsonNode {
  return { t: "string", value };
}

function raw(text: string): JsonNode {
  return { t: "raw", text };
}

function obj(members: (readonly [string, JsonNode])[]): JsonNode {
  return { t: "object", members };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The oracle: the parsed text with `metadata.managedFields` deleted from each
 * object of the shape, in place.
 */
export function dropParsed(value: unknown, shape: ManagedFieldsTextShape): unknown {
  const drop = (object: unknown) => {
    if (isObject(object) && isObject(object.metadata)) delete object.metadata.managedFields;
  };
  if (shape === "object") drop(value);
  else if (shape === "watch-event") drop(isObject(value) ? value.object : undefined);
  else if (isObject(value) && Array.isArray(value.items)) value.items.forEach(drop);
  return value;
}

/**
 * A plain recursive JSON parser for valid texts of modest depth, the oracle's
 * reader. `JSON.parse` of Deno 2.9.6 (V8 15.0) misreads keys: once it has
 * parsed an object whose key ends with a backslash (`{"a":1,"\\":2}`), a key
 * of another object of the same shape that differs only by an escape in that
 * last character (`{"a":1,"\u0022":2}`) comes back as the backslash key. The
 * hostile texts hit that, so the property tests use `JSON.parse` only to tell
 * JSON from not JSON.
 *
 * @throws {SyntaxError} When the text is not JSON.
 */
export function parseJsonReference(text: string): unknown {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`not JSON at ${i}`);
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const string = (): string => {
    if (text[i] !== '"') fail();
    let out = "";
    for (i++;;) {
      const c = text[i++];
      if (c === undefined || c < " ") fail();
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[i++];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e !== undefined && e in simple) out += simple[e];
      else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i, i + 4))) {
        out += String.fromCharCode(parseInt(text.slice(i, i + 4), 16));
        i += 4;
      } else fail();
    }
  };
  const value = (): unknown => {
    space();
    const c = text[i];
    if (c === "{") {
      const result: Record<string, unknown> = Object.create(null);
      i++;
      space();
      if (text[i] === "}") {
        i++;
        return result;
      }
      for (;;) {
        space();
        const key = string();
        space();
        if (text[i++] !== ":") fail();
        result[key] = value();
        space();
        const d = text[i++];
        if (d === "}") return result;
        if (d !== ",") fail();
      }
    }
    if (c === "[") {
      const result: unknown[] = [];
      i++;
      space();
      if (text[i] === "]") {
        i++;
        return result;
      }
      for (;;) {
        result.push(value());
        space();
        const d = text[i++];
        if (d === "]") return result;
        if (d !== ",") fail();
      }
    }
    if (c === '"') return string();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
      text.slice(i, i + 400),
    );
    if (m === null) return fail();
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  const result = value();
  space();
  if (i !== text.length) fail();
  return result;
}

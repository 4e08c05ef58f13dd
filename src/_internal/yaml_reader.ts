/**
 * A YAML reader that reads kubeconfigs as kubectl does (sigs.k8s.io/yaml's
 * `YAMLToJSON`, go-yaml v2 underneath), producing plain JavaScript values:
 * block mappings and sequences (including the compact `- key: value` form and
 * sequences indented at the level of their key), `? ` complex keys, plain,
 * single- and double-quoted scalars (also spread over several lines, in block
 * and flow context), comments, flow collections, literal `|` and folded `>`
 * block scalars with chomping and indentation indicators, anchors, aliases
 * and `<<` merge keys, the standard `!!` tags, and `---`/`...` markers. Of
 * several documents the first is read, as kubectl does. Plain scalars and
 * keys resolve with go-yaml v2's YAML 1.1 rules (see `yaml_scalar.ts`).
 *
 * Duplicate keys (kubectl keeps the last), directives, nesting deeper than
 * {@linkcode YAML_MAX_DEPTH} levels and aliases expanding to more than
 * {@linkcode YAML_MAX_ALIAS_VALUES} values are rejected. Every error is a
 * {@linkcode KubeConfigError} naming the line and the key path, and never
 * quoting the text (which may hold a credential). Text starting with `{`
 * or `[` (after spaces and line breaks) is tried with `JSON.parse` first.
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { formatYamlPath, type YamlPath } from "./yaml_path.ts";
import { readBlockScalar } from "./yaml_block_scalar.ts";
import { foldLineBreaks, readQuotedScalar } from "./yaml_quoted_scalar.ts";
import { keyString, resolvePlain, resolveTagged, type YamlScalar } from "./yaml_scalar.ts";

export { formatYamlPath, type YamlPath };

/** Deepest nesting of collections read (go-yaml stops at 10000; kubeconfigs use about 6). */
export const YAML_MAX_DEPTH = 1000;
/** Most values that aliases may add to a document (a guard against alias bombs). */
export const YAML_MAX_ALIAS_VALUES = 100_000;

/** Options of {@linkcode readYaml}. */
export interface ReadYamlOptions {
  /**
   * Prefix of every error message, usually the file name.
   *
   * @default {"YAML"}
   */
  source?: string | undefined;
  /**
   * Called for every plain (unquoted) scalar that is not null; returning true
   * keeps its text as a string instead of resolving `true`, `false` and
   * numbers. Lets a caller keep `token: 12345` a string.
   *
   * @default {() => false}
   */
  keepString?: ((path: YamlPath) => boolean) | undefined;
}

/** The result of {@linkcode readYaml}. */
export interface YamlDocument {
  /** The document's value: objects, arrays, strings, numbers, booleans and null. */
  readonly value: unknown;
  /**
   * The 1-based line of the key or sequence item at `path`, when known
   * (always undefined for JSON input).
   *
   * @param path The key path.
   * @returns The line number, or undefined.
   */
  lineOf(path: YamlPath): number | undefined;
}

/**
 * Reads one YAML (or JSON) document into plain values.
 *
 * @param text The document text.
 * @param options Error prefix and scalar resolution.
 * @returns The value and a line lookup for its keys.
 * @throws {KubeConfigError} When the text is not valid YAML of the supported subset.
 *
 * @example Reading a small kubeconfig-like document
 * ```ts
 * import { readYaml } from "./yaml_reader.ts";
 * const doc = readYaml("clusters:\n- name: dev\n  cluster:\n    server: https://127.0.0.1:6443\n");
 * console.log(JSON.stringify(doc.value)); // {"clusters":[{"name":"dev","cluster":{"server":"https://127.0.0.1:6443"}}]}
 * console.log(doc.lineOf(["clusters", 0, "cluster"])); // 3
 * ```
 */
export function readYaml(text: string, options?: ReadYamlOptions): YamlDocument {
  options ??= {};
  if (typeof text !== "string") throw new TypeError("readYaml expects a string");
  const source = options.source ?? "YAML";
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // JSON.parse would also skip tabs, which YAML does not allow before the text.
  if (/^[ \r\n]*[{[]/.test(text)) {
    const json = readJson(text);
    if (json) return json;
  }
  const reader = new Reader(text, source, options.keepString ?? (() => false));
  const value = reader.document();
  const lines = reader.lines;
  return { value, lineOf: (path) => lines.get(pathKey(path)) };
}

/** Reads JSON with `JSON.parse`; undefined when it is not JSON (then it is read as YAML). */
function readJson(text: string): YamlDocument | undefined {
  if (jsonDepth(text) > YAML_MAX_DEPTH) return undefined;
  try {
    return { value: JSON.parse(text), lineOf: () => undefined };
  } catch {
    return undefined;
  }
}

/** The deepest bracket nesting of JSON text (brackets in strings do not count). */
function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function pathKey(path: YamlPath): string {
  return JSON.stringify(path);
}

/** The next line holding content: where it starts and its indentation. */
interface ContentLine {
  readonly pos: number;
  readonly indent: number;
  /** `---` or `...` at column 0. */
  readonly marker: "---" | "..." | undefined;
}

/**
 * What an indicator introduces: a mapping value, a sequence item, a `? `/`: `
 * entry, or the root after `---`.
 */
type Context = "map" | "seq" | "explicit" | "document";

/** An anchor (`&name`) and/or a tag (`!!str`) in front of a node. */
interface Properties {
  readonly anchor: string | undefined;
  /** The tag in its long form (`tag:yaml.org,2002:str`). */
  readonly tag: string | undefined;
  /** Where the properties start. */
  readonly pos: number;
  /** The value count before the node, to size the anchor. */
  readonly valuesBefore: number;
}

/** An anchored value: aliases copy it. */
interface Anchor {
  readonly value: unknown;
  /** Its resolved scalar, when it is one (an alias may be a key). */
  readonly scalar: YamlScalar | undefined;
  /** Values it holds, aliases expanded. */
  readonly size: number;
}

const NULLS: ReadonlySet<string> = new Set(["", "~", "null", "Null", "NULL"]);
const ANCHOR_NAME_RE = /[0-9A-Za-z_-]+/y;
/** A tag as go-yaml scans it: verbatim `!<…>`, or `!`/`!!` and URI characters (`,[]` too). */
const TAG_RE = /!(?:<[^>\s]*>|[0-9A-Za-z\-;/?:@&=+$,.!~*'()[\]%_]*)/y;
const LINE_SEPARATORS = /[\u2028\u2029]/g;
const MERGE_TAG = "tag:yaml.org,2002:merge";

function copyValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, copyValue(v));
    return out;
  }
  return value;
}

/** Sets a key as an own property, `__proto__` included. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

class Reader {
  readonly lines: Map<string, number> = new Map();
  #text: string;
  #source: string;
  #keepString: (path: YamlPath) => boolean;
  #pos = 0;
  #path: (string | number)[] = [];
  #lineStarts: number[] = [0];
  /** U+2028 and U+2029 line breaks, by position: they break lines but folding keeps them. */
  #separators: Map<number, string> = new Map();
  #anchors: Map<string, Anchor> = new Map();
  #depth = 0;
  #values = 0;
  #aliasValues = 0;
  /** The last scalar read, for keys written as `? key` or as an alias. */
  #lastScalar: YamlScalar | undefined;

  constructor(text: string, source: string, keepString: (path: YamlPath) => boolean) {
    // As go-yaml reads lines: "\r\n", "\r" and U+0085 are "\n"; U+2028 and U+2029 break lines too.
    text = text.replace(/\r\n?|\u0085/g, "\n");
    for (const m of text.matchAll(LINE_SEPARATORS)) this.#separators.set(m.index, m[0]);
    this.#text = this.#separators.size > 0 ? text.replace(LINE_SEPARATORS, "\n") : text;
    this.#source = source;
    this.#keepString = keepString;
    for (let i = 0; i < this.#text.length; i++) {
      if (this.#text[i] === "\n") this.#lineStarts.push(i + 1);
    }
  }

  document(): unknown {
    let c = this.#contentFrom(0);
    if (c && c.indent === 0 && this.#text[c.pos] === "%") {
      this.#fail("YAML directives (%YAML, %TAG) are not supported", c.pos);
    }
    if (c && c.marker === "...") {
      this.#fail("a document end marker (...) before any document", c.pos);
    }
    let value: unknown = null;
    if (c && c.marker === "---") {
      this.#pos = c.pos + 3;
      this.#skipInlineSpace();
      if (!this.#atLineEnd()) {
        value = this.#afterIndicator(-1, "document");
        c = this.#peekNext();
      } else {
        c = this.#peekNext();
        if (c && c.marker === undefined) {
          this.#pos = c.pos;
          value = this.#blockNode(c.indent, -1);
          c = this.#peekNext();
        }
      }
    } else if (c && c.marker === undefined) {
      this.#pos = c.pos;
      value = this.#blockNode(c.indent, -1);
      c = this.#peekNext();
    }
    // kubectl reads the first document and ignores the rest.
    if (c && c.marker === undefined) {
      this.#fail("unexpected content (check the indentation)", c.pos);
    }
    return value;
  }

  // ---- errors and positions ------------------------------------------------

  #lineAt(pos: number): number {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#lineStarts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  #column(pos: number): number {
    return pos - (this.#lineStarts[this.#lineAt(pos) - 1] ?? 0);
  }

  #fail(message: string, pos: number = this.#pos): never {
    const where = this.#path.length > 0 ? ` (at ${formatYamlPath(this.#path)})` : "";
    throw new KubeConfigError(
      `${this.#source}: invalid YAML at line ${this.#lineAt(pos)}${where}: ${message}`,
    );
  }

  #record(): void {
    this.lines.set(pathKey(this.#path), this.#lineAt(this.#pos));
  }

  #enter(): void {
    if (++this.#depth > YAML_MAX_DEPTH) {
      this.#fail(`collections nested deeper than ${YAML_MAX_DEPTH} levels`);
    }
  }

  /** The line break at `pos` ("\n", or U+2028/U+2029 as written). */
  #breakAt(pos: number): string {
    return this.#separators.get(pos) ?? "\n";
  }

  /** Folds the line breaks at these positions (see `foldLineBreaks`). */
  #fold(breaks: readonly number[]): string {
    return foldLineBreaks(breaks.map((b) => this.#breakAt(b)));
  }

  // ---- line scanning -------------------------------------------------------

  #isBlank(ch: string | undefined): boolean {
    return ch === " " || ch === "\t";
  }

  #isBreakOrEnd(ch: string | undefined): boolean {
    return ch === undefined || ch === "\n";
  }

  #isSpaceOrEnd(ch: string | undefined): boolean {
    return ch === undefined || ch === "\n" || ch === " " || ch === "\t";
  }

  #skipInlineSpace(): void {
    while (this.#isBlank(this.#text[this.#pos])) this.#pos++;
  }

  #atLineEnd(): boolean {
    const ch = this.#text[this.#pos];
    return this.#isBreakOrEnd(ch) || ch === "#";
  }

  /** The first line at or after `lineStart` that holds content (not blank, not only a comment). */
  #contentFrom(lineStart: number): ContentLine | undefined {
    const text = this.#text;
    let start = lineStart;
    while (start < text.length) {
      let i = start;
      while (text[i] === " ") i++;
      const ch = text[i];
      if (ch === "\t") {
        let j = i;
        while (this.#isBlank(text[j])) j++;
        const next = text[j];
        if (!this.#isBreakOrEnd(next) && next !== "#") {
          this.#fail("a tab character cannot be used for indentation", i);
        }
        i = j;
      }
      const c = text[i];
      if (!this.#isBreakOrEnd(c) && c !== "#") {
        const indent = i - start;
        let marker: "---" | "..." | undefined;
        if (indent === 0) {
          const three = text.slice(i, i + 3);
          if ((three === "---" || three === "...") && this.#isSpaceOrEnd(text[i + 3])) {
            marker = three;
          }
        }
        return { pos: i, indent, marker };
      }
      const nl = text.indexOf("\n", i);
      if (nl < 0) return undefined;
      start = nl + 1;
    }
    return undefined;
  }

  /** Checks that the rest of the current line is blank or a comment. */
  #endOfLine(): void {
    const text = this.#text;
    let i = this.#pos;
    while (this.#isBlank(text[i])) i++;
    const ch = text[i];
    // As go-yaml: "#" after a quoted scalar or a flow collection starts a comment even
    // without a space before it (inside a plain scalar it is text).
    if (ch !== "#" && !this.#isBreakOrEnd(ch)) {
      this.#fail("unexpected text after the value", i);
    }
  }

  /**
   * Checks that the rest of the current line is blank or a comment, then finds
   * the next content line without consuming it.
   */
  #peekNext(): ContentLine | undefined {
    this.#endOfLine();
    const nl = this.#text.indexOf("\n", this.#pos);
    return nl < 0 ? undefined : this.#contentFrom(nl + 1);
  }

  #startsSeqEntry(pos: number): boolean {
    return this.#text[pos] === "-" && this.#isSpaceOrEnd(this.#text[pos + 1]);
  }

  #startsComplexKey(pos: number): boolean {
    return this.#text[pos] === "?" && this.#isSpaceOrEnd(this.#text[pos + 1]);
  }

  /** Where the text after the anchor and tag at `pos` starts. */
  #skipPropertiesText(pos: number): number {
    const text = this.#text;
    for (let n = 0; n < 2; n++) {
      const ch = text[pos];
      const re = ch === "&" ? ANCHOR_NAME_RE : ch === "!" ? TAG_RE : undefined;
      if (!re) break;
      re.lastIndex = ch === "&" ? pos + 1 : pos;
      pos = re.exec(text) ? re.lastIndex : pos + 1;
      while (this.#isBlank(text[pos])) pos++;
    }
    return pos;
  }

  /** Whether the line at `pos` starts with `key:` followed by a space or the line end. */
  #isKeyLine(pos: number): boolean {
    const text = this.#text;
    pos = this.#skipPropertiesText(pos);
    const ch = text[pos];
    let i = pos;
    if (ch === '"' || ch === "'") {
      i++;
      for (;;) {
        const c = text[i];
        if (this.#isBreakOrEnd(c)) return false;
        if (ch === '"' && c === "\\") {
          i += 2;
          continue;
        }
        if (c === ch) {
          if (ch === "'" && text[i + 1] === "'") {
            i += 2;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      while (this.#isBlank(text[i])) i++;
      return text[i] === ":" && this.#isSpaceOrEnd(text[i + 1]);
    }
    if (ch === undefined || "[]{}#&*!|>%@`,".includes(ch)) return false;
    if ((ch === "-" || ch === "?") && this.#isSpaceOrEnd(text[pos + 1])) return false;
    for (;;) {
      const c = text[i];
      if (this.#isBreakOrEnd(c)) return false;
      if (c === ":" && this.#isSpaceOrEnd(text[i + 1])) return i > pos;
      if (c === "#" && this.#isBlank(text[i - 1])) return false;
      i++;
    }
  }

  // ---- node properties and aliases ----------------------------------------

  /** Reads an anchor and/or a tag at the current position, and the blanks after them. */
  #properties(flow: boolean): Properties | undefined {
    const text = this.#text;
    const pos = this.#pos;
    const valuesBefore = this.#values;
    let anchor: string | undefined;
    let tag: string | undefined;
    for (;;) {
      const ch = text[this.#pos];
      if (ch === "&" && anchor === undefined) {
        ANCHOR_NAME_RE.lastIndex = this.#pos + 1;
        const m = ANCHOR_NAME_RE.exec(text);
        if (!m) this.#fail("an anchor (&) needs a name of letters, digits, - and _");
        anchor = m[0];
        this.#pos += 1 + anchor.length;
      } else if (ch === "!" && tag === undefined) {
        TAG_RE.lastIndex = this.#pos;
        const raw = (TAG_RE.exec(text) as RegExpExecArray)[0];
        this.#pos += raw.length;
        if (raw === "!!" || /%(?![0-9A-Fa-f]{2})/.test(raw)) {
          this.#fail("invalid tag (a name of URI characters, % followed by two hex digits)");
        }
        if (raw.startsWith("!<")) tag = raw.slice(2, -1);
        else if (raw.startsWith("!!")) tag = `tag:yaml.org,2002:${raw.slice(2)}`;
        else tag = raw;
        if (/^![0-9A-Za-z_-]+!/.test(raw)) {
          this.#fail("named tag handles (!name!) need a %TAG directive, which is not supported");
        }
      } else {
        break;
      }
      // As go-yaml: a tag needs a blank after it; an anchor may also meet an indicator.
      const next = text[this.#pos];
      if (
        !this.#isSpaceOrEnd(next) &&
        !(ch === "&" && next !== undefined && "?:,]}%@`".includes(next))
      ) {
        this.#fail("an anchor or tag must be followed by a space");
      }
      if (flow) this.#skipFlowSpace();
      else this.#skipInlineSpace();
    }
    return anchor === undefined && tag === undefined
      ? undefined
      : { anchor, tag, pos, valuesBefore };
  }

  /** Registers the anchor of a finished node. */
  #finish<T>(props: Properties | undefined, value: T): T {
    if (props?.anchor !== undefined) {
      const scalar = value !== null && typeof value === "object" ? undefined : this.#lastScalar;
      this.#anchors.set(props.anchor, { value, scalar, size: this.#values - props.valuesBefore });
    }
    return value;
  }

  /** An alias (`*name`) at the current position: a copy of the anchored value. */
  #alias(props: Properties | undefined): unknown {
    const text = this.#text;
    if (props) this.#fail("an alias (*) cannot have an anchor or a tag");
    ANCHOR_NAME_RE.lastIndex = this.#pos + 1;
    const m = ANCHOR_NAME_RE.exec(text);
    if (!m) this.#fail("an alias (*) needs a name of letters, digits, - and _");
    const anchor = this.#anchors.get(m[0]);
    if (!anchor) this.#fail("an alias (*) refers to an anchor (&) not defined before it");
    const after = text[this.#pos + 1 + m[0].length];
    if (!this.#isSpaceOrEnd(after) && !"?:,]}%@`".includes(after as string)) {
      this.#fail("an alias (*) must be followed by a space");
    }
    this.#aliasValues += anchor.size;
    if (this.#aliasValues > YAML_MAX_ALIAS_VALUES) {
      this.#fail(
        `aliases expand the document by more than ${YAML_MAX_ALIAS_VALUES} values (an alias bomb?)`,
      );
    }
    this.#values += anchor.size;
    this.#pos += 1 + m[0].length;
    this.#lastScalar = anchor.scalar;
    return copyValue(anchor.value);
  }

  /** A resolved scalar: plain text per go-yaml v2 (or kept by `keepString`), tags applied. */
  #scalar(raw: string, plain: boolean, props: Properties | undefined, key: boolean): unknown {
    let scalar: YamlScalar;
    if (props?.tag !== undefined) {
      const tagged = resolveTagged(props.tag, raw);
      if ("error" in tagged) this.#fail(tagged.error);
      scalar = tagged;
    } else if (!plain) {
      scalar = { kind: "str", value: raw };
    } else if (!key && !NULLS.has(raw) && this.#keepString(this.#path)) {
      scalar = { kind: "str", value: raw };
    } else {
      scalar = resolvePlain(raw);
    }
    if (!key && scalar.kind === "float" && !Number.isFinite(scalar.value)) {
      this.#fail(
        ".inf and .nan cannot be converted to JSON (kubectl rejects them; quote the value)",
      );
    }
    this.#values++;
    this.#lastScalar = scalar;
    return this.#finish(props, scalar.value);
  }

  /** The JSON key of the scalar just read (`lastScalar`). */
  #keyOf(value: unknown, pos: number): string {
    if (value !== null && typeof value === "object") {
      this.#fail("a mapping key must be a scalar, not a mapping or a sequence", pos);
    }
    const key = this.#lastScalar && keyString(this.#lastScalar);
    if (key === undefined) {
      this.#fail("a null or out-of-range key cannot be converted to JSON", pos);
    }
    return key;
  }

  /** Adds `<<: value` to a mapping as go-yaml v2 does: merged keys replace earlier ones. */
  #merge(target: Record<string, unknown>, value: unknown, pos: number): void {
    const sources = Array.isArray(value) ? [...value].reverse() : [value];
    for (const source of sources) {
      if (!isMapping(source)) {
        this.#fail("a merge key (<<) needs a mapping or a sequence of mappings", pos);
      }
      for (const [k, v] of Object.entries(source)) setKey(target, k, v);
    }
  }

  // ---- block structure -----------------------------------------------------

  /**
   * A node whose first line starts at the current position, at column
   * `indent`; `tag` comes from properties on the line above (`key: !!str`).
   */
  #blockNode(indent: number, parentIndent: number, tag?: string): unknown {
    if (this.#startsSeqEntry(this.#pos)) return this.#blockSequence(indent);
    if (this.#isKeyLine(this.#pos) || this.#startsComplexKey(this.#pos)) {
      return this.#blockMapping(indent);
    }
    let props = this.#properties(false);
    if (props && this.#atLineEnd()) {
      return this.#finish(props, this.#nodeBelow(parentIndent, "seq", props));
    }
    if (tag !== undefined) {
      if (props) this.#fail("a node can have one anchor (&) and one tag (!)");
      props = { anchor: undefined, tag, pos: this.#pos, valuesBefore: this.#values };
    }
    return this.#inlineValue(parentIndent, props);
  }

  /** The node on the lines below an indicator (or properties) that ends its line; null when none. */
  #nodeBelow(parentIndent: number, context: Context, props: Properties | undefined): unknown {
    const c = this.#peekNext();
    if (c && c.marker === undefined) {
      if (c.indent > parentIndent) {
        this.#pos = c.pos;
        return this.#blockNode(c.indent, parentIndent, props?.tag);
      }
      if (context !== "seq" && c.indent === parentIndent && this.#startsSeqEntry(c.pos)) {
        this.#pos = c.pos;
        return this.#blockSequence(c.indent);
      }
    }
    if (props?.tag !== undefined) {
      return this.#scalar("", false, { ...props, anchor: undefined }, false);
    }
    this.#values++;
    this.#lastScalar = { kind: "null", value: null };
    return null;
  }

  /** The value after `key:`, `- `, `? ` or `: `, on the same line or the lines below. */
  #afterIndicator(parentIndent: number, context: Context): unknown {
    this.#skipInlineSpace();
    const startPos = this.#pos;
    const props = this.#properties(false);
    if (this.#atLineEnd()) {
      return this.#finish(props, this.#nodeBelow(parentIndent, context, props));
    }
    if (context === "document") {
      if (this.#startsSeqEntry(this.#pos) || this.#isKeyLine(startPos)) {
        this.#fail("a block mapping or sequence cannot start on the same line as ---");
      }
    } else if (context !== "map") {
      if (this.#startsSeqEntry(this.#pos)) {
        if (props) this.#fail("a block sequence cannot start on the line of its anchor or tag");
        return this.#blockSequence(this.#column(this.#pos));
      }
      if (this.#isKeyLine(startPos) || (!props && this.#startsComplexKey(this.#pos))) {
        // Properties in front of a compact mapping's first key belong to that key.
        this.#pos = startPos;
        return this.#blockMapping(this.#column(startPos));
      }
    } else {
      if (this.#startsSeqEntry(this.#pos)) {
        this.#fail("a sequence cannot start on the same line as its key");
      }
      if (this.#isKeyLine(this.#pos)) {
        this.#fail(
          'a mapping cannot start on the same line as its key (quote values that contain ": ")',
        );
      }
    }
    return this.#inlineValue(parentIndent, props);
  }

  #blockMapping(indent: number): Record<string, unknown> {
    this.#enter();
    const result: Record<string, unknown> = {};
    const explicit = new Map<string, number>();
    for (;;) {
      const keyPos = this.#pos;
      let key: string;
      let merge = false;
      let value: unknown;
      if (this.#startsComplexKey(keyPos)) {
        this.#pos++;
        const keyValue = this.#afterIndicator(indent, "seq");
        key = this.#keyOf(keyValue, keyPos);
        this.#path.push(key);
        this.lines.set(pathKey(this.#path), this.#lineAt(keyPos));
        const c = this.#peekNext();
        if (
          c && c.marker === undefined && c.indent === indent && this.#text[c.pos] === ":" &&
          this.#isSpaceOrEnd(this.#text[c.pos + 1])
        ) {
          this.#pos = c.pos + 1;
          value = this.#afterIndicator(indent, "explicit");
        } else {
          value = null;
        }
      } else {
        ({ key, merge } = this.#key());
        this.#path.push(key);
        this.lines.set(pathKey(this.#path), this.#lineAt(keyPos));
        value = this.#afterIndicator(indent, "map");
      }
      const keyPath = this.#path.pop();
      if (merge) {
        this.#merge(result, value, keyPos);
      } else {
        const first = explicit.get(key);
        if (first !== undefined) {
          // Never quote the key: it may be a credential pasted in the wrong place.
          this.#fail(
            `duplicate mapping key at column ${
              this.#column(keyPos) + 1
            } (first defined at line ${first})`,
            keyPos,
          );
        }
        explicit.set(key, this.#lineAt(keyPos));
        setKey(result, key, value);
      }
      this.#values++;
      const c = this.#peekNext();
      if (!c || c.marker !== undefined || c.indent < indent) {
        this.#depth--;
        this.#lastScalar = undefined;
        return result;
      }
      if (c.indent > indent) {
        this.#path.push(keyPath as string);
        this.#fail("unexpected indentation", c.pos);
      }
      this.#pos = c.pos;
      if (this.#startsSeqEntry(c.pos)) {
        this.#fail("a sequence item where a mapping key was expected");
      }
      if (!this.#isKeyLine(c.pos) && !this.#startsComplexKey(c.pos)) {
        this.#fail('expected a mapping key ("key: value")');
      }
    }
  }

  /** A block mapping key (with its anchor or tag) and the colon after it. */
  #key(): { key: string; merge: boolean } {
    const props = this.#properties(false);
    const ch = this.#text[this.#pos];
    const keyPos = this.#pos;
    let value: unknown;
    let merge = false;
    if (ch === '"' || ch === "'") {
      const raw = this.#quoted(true, -1);
      value = this.#scalar(raw, false, props, true);
      this.#skipInlineSpace();
    } else {
      const start = this.#pos;
      while (!(this.#text[this.#pos] === ":" && this.#isSpaceOrEnd(this.#text[this.#pos + 1]))) {
        this.#pos++;
      }
      // Only spaces and tabs end a plain key: U+00A0 is part of it.
      const raw = this.#text.slice(start, this.#pos).replace(/[ \t]+$/, "");
      merge = raw === "<<" && (props?.tag === undefined || props.tag === MERGE_TAG);
      value = merge ? "<<" : this.#scalar(raw, true, props, true);
    }
    // #isKeyLine guaranteed the colon.
    this.#pos++;
    return { key: merge ? "<<" : this.#keyOf(value, keyPos), merge };
  }

  #blockSequence(indent: number): unknown[] {
    this.#enter();
    const result: unknown[] = [];
    for (;;) {
      this.#path.push(result.length);
      this.#record();
      this.#pos++; // the "-"
      result.push(this.#afterIndicator(indent, "seq"));
      this.#path.pop();
      const c = this.#peekNext();
      if (!c || c.marker !== undefined || c.indent < indent || !this.#startsSeqEntry(c.pos)) {
        if (c && c.marker === undefined && c.indent > indent) {
          this.#fail("unexpected indentation", c.pos);
        }
        this.#depth--;
        this.#values++;
        this.#lastScalar = undefined;
        return result;
      }
      if (c.indent > indent) this.#fail("unexpected indentation", c.pos);
      this.#pos = c.pos;
    }
  }

  // ---- scalars and flow ----------------------------------------------------

  #inlineValue(parentIndent: number, props: Properties | undefined): unknown {
    const text = this.#text;
    const ch = text[this.#pos];
    switch (ch) {
      case "|":
      case ">":
        return this.#scalar(this.#blockScalar(parentIndent), false, props, false);
      case "[":
      case "{":
        return this.#finish(props, this.#flow());
      case '"':
      case "'":
        return this.#scalar(this.#quoted(false, parentIndent), false, props, false);
      case "*":
        return this.#alias(props);
      case "&":
      case "!":
        return this.#fail("a node can have one anchor (&) and one tag (!)");
      case "%":
      case "@":
      case "`":
        return this.#fail(`a plain value cannot start with "${ch}" (quote it)`);
      case "]":
      case "}":
      case ",":
        return this.#fail(`unexpected "${ch}"`);
      case "-":
      case "?":
        if (this.#isSpaceOrEnd(text[this.#pos + 1])) {
          return this.#fail(`a block ${ch === "-" ? "sequence" : "mapping"} cannot start here`);
        }
    }
    return this.#scalar(this.#plain(parentIndent), true, props, false);
  }

  /** Scans plain text on the current line; returns it trimmed, and whether a comment ended it. */
  #plainLine(): { text: string; comment: boolean } {
    const text = this.#text;
    const start = this.#pos;
    let end = start;
    let i = start;
    let comment = false;
    for (;;) {
      const c = text[i];
      if (this.#isBreakOrEnd(c)) break;
      if (c === "#" && i > start && this.#isBlank(text[i - 1])) {
        comment = true;
        break;
      }
      if (c === ":" && this.#isSpaceOrEnd(text[i + 1])) {
        this.#fail('unexpected ": " in a plain value (quote the value)', i);
      }
      i++;
      if (!this.#isBlank(c)) end = i;
    }
    this.#pos = end;
    return { text: text.slice(start, end), comment };
  }

  /** A plain scalar, folded over the lines indented more than `parentIndent`. */
  #plain(parentIndent: number): string {
    const first = this.#plainLine();
    let value = first.text;
    if (!first.comment) {
      const text = this.#text;
      for (;;) {
        // Look at the following lines: blank ones fold into newlines.
        let nl = text.indexOf("\n", this.#pos);
        if (nl < 0) break;
        const breaks = [nl];
        let found = -1;
        for (;;) {
          let i = nl + 1;
          while (this.#isBlank(text[i])) i++;
          if (i >= text.length) break;
          if (text[i] === "\n") {
            breaks.push(i);
            nl = i;
            continue;
          }
          found = i;
          break;
        }
        if (found < 0) break;
        const lineStart = nl + 1;
        let indent = 0;
        while (text[lineStart + indent] === " ") indent++;
        if (indent <= parentIndent || text[found] === "#") break;
        if (indent === 0) {
          const three = text.slice(found, found + 3);
          if ((three === "---" || three === "...") && this.#isSpaceOrEnd(text[found + 3])) break;
        }
        this.#pos = found;
        const line = this.#plainLine();
        value += this.#fold(breaks) + line.text;
        if (line.comment) break;
      }
    }
    return value;
  }

  /** A quoted scalar at the current position; `key`: it must fit on one line. */
  #quoted(key: boolean, parentIndent: number): string {
    const read = readQuotedScalar(this.#text, this.#pos, {
      breakAt: (pos) => this.#breakAt(pos),
      singleLine: key,
      parentIndent,
    });
    if ("error" in read) this.#fail(read.error, read.at);
    this.#pos = read.end;
    return read.value;
  }

  #blockScalar(parentIndent: number): string {
    const read = readBlockScalar(this.#text, this.#pos, parentIndent, (pos) => this.#breakAt(pos));
    if ("error" in read) this.#fail(read.error, read.at);
    this.#pos = read.end;
    return read.value;
  }

  #skipFlowSpace(): void {
    const text = this.#text;
    for (;;) {
      const c = text[this.#pos];
      if (c === " " || c === "\t" || c === "\n") {
        this.#pos++;
      } else if (c === "#") {
        // Between tokens "#" always starts a comment (go-yaml); in a plain scalar it is text.
        const nl = text.indexOf("\n", this.#pos);
        this.#pos = nl < 0 ? text.length : nl;
      } else {
        return;
      }
    }
  }

  #flow(): unknown {
    this.#enter();
    const text = this.#text;
    const open = text[this.#pos];
    const openPos = this.#pos;
    const close = open === "[" ? "]" : "}";
    this.#pos++;
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    const explicit = new Map<string, number>();
    for (;;) {
      this.#skipFlowSpace();
      const c = text[this.#pos];
      if (c === undefined) this.#fail(`unterminated flow collection (missing "${close}")`, openPos);
      if (c === close) {
        this.#pos++;
        this.#depth--;
        this.#values++;
        this.#lastScalar = undefined;
        return open === "[" ? list : map;
      }
      if (open === "[") {
        this.#path.push(list.length);
        this.#record();
        if (text[this.#pos] === "?") {
          // A single-pair mapping with an explicit key: [? key : value].
          const pair: Record<string, unknown> = {};
          this.#flowEntry(pair, new Map(), close);
          list.push(pair);
        } else {
          const itemPos = this.#pos;
          const line = this.#lineAt(itemPos);
          const item = this.#flowNode(false);
          this.#skipFlowSpace();
          if (text[this.#pos] === ":") {
            // A single-pair mapping: [key: value].
            if (this.#lineAt(this.#pos) !== line) {
              this.#fail('a flow mapping key and its ":" must be on one line (or use "? key")');
            }
            const pair: Record<string, unknown> = {};
            this.#pos = itemPos;
            this.#flowEntry(pair, new Map(), close);
            list.push(pair);
          } else {
            list.push(item);
          }
        }
        this.#path.pop();
      } else {
        this.#flowEntry(map, explicit, close);
      }
      this.#skipFlowSpace();
      const sep = text[this.#pos];
      if (sep === undefined) {
        this.#fail(`unterminated flow collection (missing "${close}")`, openPos);
      }
      if (sep === ",") {
        this.#pos++;
      } else if (sep !== close) {
        this.#fail(`expected "," or "${close}" in a flow collection`);
      }
    }
  }

  /**
   * One `key: value` entry of a flow mapping (also a single-pair mapping in
   * a flow sequence). In flow context `?` always starts an explicit key.
   */
  #flowEntry(map: Record<string, unknown>, explicit: Map<string, number>, close: string): void {
    const text = this.#text;
    const keyPos = this.#pos;
    const complex = text[keyPos] === "?";
    if (complex) {
      this.#pos++;
      this.#skipFlowSpace();
    }
    let key: string;
    let merge = false;
    const k = text[this.#pos];
    if (complex && (k === ":" || k === "," || k === close)) {
      this.#lastScalar = { kind: "null", value: null };
      key = this.#keyOf(null, keyPos);
    } else {
      merge = text.startsWith("<<", this.#pos) && /^[\s:,\]}]/.test(text[this.#pos + 2] ?? " ");
      const rawKey = this.#flowNode(!complex);
      key = merge ? "<<" : this.#keyOf(rawKey, keyPos);
    }
    this.#path.push(key);
    this.lines.set(pathKey(this.#path), this.#lineAt(keyPos));
    const keyLine = this.#lineAt(keyPos);
    this.#skipFlowSpace();
    let value: unknown = null;
    if (text[this.#pos] === ":" && !complex && this.#lineAt(this.#pos) !== keyLine) {
      this.#fail('a flow mapping key and its ":" must be on one line (or use "? key")');
    }
    if (text[this.#pos] === ":") {
      this.#pos++;
      this.#skipFlowSpace();
      const v = text[this.#pos];
      if (v !== "," && v !== close) value = this.#flowNode(false);
    }
    this.#path.pop();
    if (merge) {
      this.#merge(map, value, keyPos);
      return;
    }
    const first = explicit.get(key);
    if (first !== undefined) {
      this.#fail(
        `duplicate mapping key at column ${
          this.#column(keyPos) + 1
        } (first defined at line ${first})`,
        keyPos,
      );
    }
    explicit.set(key, this.#lineAt(keyPos));
    setKey(map, key, value);
  }

  /** A node inside a flow collection; `key`: it is a mapping key (resolved as keys are). */
  #flowNode(key: boolean): unknown {
    const text = this.#text;
    if (
      this.#column(this.#pos) === 0 &&
      /^(?:---|\.\.\.)(?:[ \t\n]|$)/.test(text.slice(this.#pos, this.#pos + 4))
    ) {
      this.#fail("a document marker (--- or ...) inside a flow collection");
    }
    const props = this.#properties(true);
    const c = text[this.#pos];
    if (c === "*") return this.#alias(props);
    if (c === "[" || c === "{") {
      if (key) this.#fail("a mapping key must be a scalar, not a mapping or a sequence");
      return this.#finish(props, this.#flow());
    }
    // A key may span lines here; the caller checks that its ":" is on the line it starts.
    if (c === '"' || c === "'") return this.#scalar(this.#quoted(false, -1), false, props, key);
    if (c === "&" || c === "!") this.#fail("a node can have one anchor (&) and one tag (!)");
    if (c === undefined || c === "," || c === "]" || c === "}" || c === ":") {
      if (props) return this.#scalar("", props.tag === undefined, props, key);
      this.#fail("empty entry in a flow collection");
    }
    const next = text[this.#pos + 1];
    if (
      "]}#|>%@`".includes(c) || c === "?" || c === ":" ||
      (c === "-" && this.#isSpaceOrEnd(next))
    ) {
      this.#fail(`a plain value in a flow collection cannot start with "${c}" (quote it)`);
    }
    return this.#scalar(this.#flowPlain(), true, props, key);
  }

  /** A plain scalar inside a flow collection, folded over lines. */
  #flowPlain(): string {
    const text = this.#text;
    let value = "";
    for (;;) {
      const start = this.#pos;
      let end = start;
      for (;;) {
        const ch = text[this.#pos];
        // As go-yaml: "?" ends a plain scalar in flow context, ":" only before a blank.
        if (ch === undefined || ch === "\n" || ",?[]{}".includes(ch)) break;
        if (ch === "#" && this.#isBlank(text[this.#pos - 1])) break;
        if (ch === ":" && this.#isSpaceOrEnd(text[this.#pos + 1])) break;
        this.#pos++;
        if (!this.#isBlank(ch)) end = this.#pos;
      }
      value += text.slice(start, end);
      if (text[this.#pos] !== "\n") break;
      // A line break: the scalar goes on unless the next text ends it.
      const breaks: number[] = [];
      let i = this.#pos;
      while (text[i] === "\n") {
        breaks.push(i);
        i++;
        while (this.#isBlank(text[i])) i++;
      }
      const next = text[i];
      const marker = (i === 0 || text[i - 1] === "\n") &&
        /^(?:---|\.\.\.)(?:\s|$)/.test(text.slice(i, i + 4));
      if (
        next === undefined || ",?[]{}#".includes(next) || marker ||
        (next === ":" && this.#isSpaceOrEnd(text[i + 1]))
      ) {
        this.#pos = end;
        break;
      }
      value += this.#fold(breaks);
      this.#pos = i;
    }
    return value;
  }
}

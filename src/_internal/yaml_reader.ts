/**
 * A reader for the subset of YAML that kubeconfig files use, producing plain
 * JavaScript values: block mappings and sequences (including the compact
 * `- key: value` form and sequences indented at the level of their key),
 * plain, single- and double-quoted scalars (also spread over several lines),
 * comments, flow collections of scalars (`{}`, `[a, b]`, `{a: 1}`), literal
 * `|` and folded `>` block scalars with chomping and indentation indicators,
 * and a leading `---`. Plain scalars resolve per the YAML 1.2 core schema.
 *
 * Anchors, aliases, tags, complex keys, directives and several documents are
 * rejected. Every error is a {@linkcode KubeConfigError} naming the line and
 * the key path, and never quoting the text (which may hold a credential).
 * Text starting with `{` is read with `JSON.parse`.
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";

/** A key path into a parsed document: mapping keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

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
export function readYaml(text: string, options: ReadYamlOptions = {}): YamlDocument {
  if (typeof text !== "string") throw new TypeError("readYaml expects a string");
  const source = options.source ?? "YAML";
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trimStart().startsWith("{")) return readJson(text, source);
  const reader = new Reader(text, source, options.keepString ?? (() => false));
  const value = reader.document();
  const lines = reader.lines;
  return { value, lineOf: (path) => lines.get(pathKey(path)) };
}

function readJson(text: string, source: string): YamlDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The engine's message may quote the text around the error: report only where it is.
    const offset = jsonErrorOffset(text);
    const line = text.slice(0, offset).split("\n").length;
    throw new KubeConfigError(`${source}: invalid JSON at line ${line}`);
  }
  return { value, lineOf: () => undefined };
}

/** The offset of the first syntax error in invalid JSON text. */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const stop = (): never => {
    throw new RangeError("json");
  };
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const string = () => {
    if (text[i] !== '"') stop();
    i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c < " ") stop();
      i += c === "\\" ? 2 : 1;
    }
    stop();
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          space();
          string();
          space();
          if (text[i] !== ":") stop();
          i++;
        }
        value();
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] !== close) stop();
        i++;
        return;
      }
    }
    if (c === '"') return string();
    const literal = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null)/
      .exec(text.slice(i, i + 400));
    if (!literal) stop();
    i += (literal as RegExpExecArray)[0].length;
  };
  try {
    value();
    space();
  } catch {
    return i;
  }
  return i;
}

function pathKey(path: YamlPath): string {
  return JSON.stringify(path);
}

/**
 * Formats a key path for messages: `clusters[0].cluster["odd key"]`.
 *
 * @param path The key path.
 * @returns A readable path, or `(document)` for the root.
 */
export function formatYamlPath(path: YamlPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === "" ? "(document)" : out;
}

/** The next line holding content: where it starts and its indentation. */
interface ContentLine {
  readonly pos: number;
  readonly indent: number;
  /** `---` or `...` at column 0. */
  readonly marker: "---" | "..." | undefined;
}

type Context = "map" | "seq";

const NULL_RE = /^(?:null|Null|NULL|~)?$/;
const INT_RE = /^[-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

class Reader {
  readonly lines: Map<string, number> = new Map();
  #text: string;
  #source: string;
  #keepString: (path: YamlPath) => boolean;
  #pos = 0;
  #path: (string | number)[] = [];
  #lineStarts: number[] = [0];

  constructor(text: string, source: string, keepString: (path: YamlPath) => boolean) {
    // Line numbers stay the same: "\r\n" becomes "\n" and a lone "\r" a line break.
    this.#text = text.replace(/\r\n?/g, "\n");
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
    let value: unknown = null;
    if (c && c.marker === "---") {
      this.#pos = c.pos + 3;
      this.#skipInlineSpace();
      if (!this.#atLineEnd()) {
        value = this.#afterIndicator(-1, "seq");
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
    if (c && c.marker === "...") {
      this.#pos = c.pos + 3;
      c = this.#peekNext();
      if (c) this.#fail("only one YAML document is supported", c.pos);
    }
    if (c) {
      this.#fail(
        c.marker === "---"
          ? "only one YAML document is supported"
          : "unexpected content (check the indentation)",
        c.pos,
      );
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

  /**
   * Checks that the rest of the current line is blank or a comment, then finds
   * the next content line without consuming it.
   */
  #peekNext(): ContentLine | undefined {
    const text = this.#text;
    let i = this.#pos;
    while (this.#isBlank(text[i])) i++;
    const ch = text[i];
    if (ch === "#") {
      if (i > 0 && !this.#isSpaceOrEnd(text[i - 1])) {
        this.#fail("a comment must be separated from the value by a space", i);
      }
    } else if (!this.#isBreakOrEnd(ch)) {
      this.#fail("unexpected text after the value", i);
    }
    const nl = text.indexOf("\n", i);
    return nl < 0 ? undefined : this.#contentFrom(nl + 1);
  }

  #startsSeqEntry(pos: number): boolean {
    return this.#text[pos] === "-" && this.#isSpaceOrEnd(this.#text[pos + 1]);
  }

  /** Whether the line at `pos` starts with `key:` followed by a space or the line end. */
  #isKeyLine(pos: number): boolean {
    const text = this.#text;
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

  // ---- block structure -----------------------------------------------------

  /** A node whose first line starts at the current position, at column `indent`. */
  #blockNode(indent: number, parentIndent: number): unknown {
    if (this.#startsSeqEntry(this.#pos)) return this.#blockSequence(indent);
    if (this.#isKeyLine(this.#pos)) return this.#blockMapping(indent);
    return this.#inlineValue(parentIndent);
  }

  /** The value after `key:` or `- `, on the same line or the lines below. */
  #afterIndicator(parentIndent: number, context: Context): unknown {
    this.#skipInlineSpace();
    if (this.#atLineEnd()) {
      const c = this.#peekNext();
      if (c && c.marker === undefined) {
        if (c.indent > parentIndent) {
          this.#pos = c.pos;
          return this.#blockNode(c.indent, parentIndent);
        }
        if (context === "map" && c.indent === parentIndent && this.#startsSeqEntry(c.pos)) {
          this.#pos = c.pos;
          return this.#blockSequence(c.indent);
        }
      }
      return null;
    }
    const column = this.#column(this.#pos);
    if (context === "seq") {
      if (this.#startsSeqEntry(this.#pos)) return this.#blockSequence(column);
      if (this.#isKeyLine(this.#pos)) return this.#blockMapping(column);
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
    return this.#inlineValue(parentIndent);
  }

  #blockMapping(indent: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (;;) {
      const keyPos = this.#pos;
      const key = this.#key();
      if (Object.hasOwn(result, key)) {
        this.#fail(`duplicate key ${JSON.stringify(key)}`, keyPos);
      }
      this.#path.push(key);
      this.lines.set(pathKey(this.#path), this.#lineAt(keyPos));
      const value = this.#afterIndicator(indent, "map");
      Object.defineProperty(result, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      const c = this.#peekNext();
      if (!c || c.marker !== undefined || c.indent < indent) {
        this.#path.pop();
        return result;
      }
      if (c.indent > indent) this.#fail("unexpected indentation", c.pos);
      this.#path.pop();
      this.#pos = c.pos;
      if (this.#startsSeqEntry(c.pos)) {
        this.#fail("a sequence item where a mapping key was expected");
      }
      if (!this.#isKeyLine(c.pos)) {
        this.#fail('expected a mapping key ("key: value")');
      }
    }
  }

  #key(): string {
    const ch = this.#text[this.#pos];
    let key: string;
    if (ch === '"' || ch === "'") {
      key = ch === '"' ? this.#doubleQuoted(Infinity, true) : this.#singleQuoted(Infinity, true);
      this.#skipInlineSpace();
    } else {
      const start = this.#pos;
      while (!(this.#text[this.#pos] === ":" && this.#isSpaceOrEnd(this.#text[this.#pos + 1]))) {
        this.#pos++;
      }
      key = this.#text.slice(start, this.#pos).trimEnd();
    }
    // #isKeyLine guaranteed the colon.
    this.#pos++;
    return key;
  }

  #blockSequence(indent: number): unknown[] {
    const result: unknown[] = [];
    for (;;) {
      this.#path.push(result.length);
      this.#record();
      this.#pos++; // the "-"
      result.push(this.#afterIndicator(indent, "seq"));
      const c = this.#peekNext();
      if (!c || c.marker !== undefined || c.indent < indent) {
        this.#path.pop();
        return result;
      }
      if (c.indent > indent) this.#fail("unexpected indentation", c.pos);
      this.#path.pop();
      if (!this.#startsSeqEntry(c.pos)) return result;
      this.#pos = c.pos;
    }
  }

  // ---- scalars and flow ----------------------------------------------------

  #inlineValue(parentIndent: number): unknown {
    const text = this.#text;
    const ch = text[this.#pos];
    switch (ch) {
      case "|":
      case ">":
        return this.#blockScalar(parentIndent);
      case "[":
      case "{":
        return this.#flow();
      case '"':
        return this.#doubleQuoted(parentIndent, false);
      case "'":
        return this.#singleQuoted(parentIndent, false);
      case "&":
        return this.#fail("anchors (&) are not supported");
      case "*":
        return this.#fail("aliases (*) are not supported");
      case "!":
        return this.#fail("tags (!) are not supported");
      case "%":
      case "@":
      case "`":
        return this.#fail(`a plain value cannot start with "${ch}" (quote it)`);
      case "]":
      case "}":
      case ",":
        return this.#fail(`unexpected "${ch}"`);
      case "?":
        if (this.#isSpaceOrEnd(text[this.#pos + 1])) {
          return this.#fail("complex keys (?) are not supported");
        }
    }
    return this.#plain(parentIndent);
  }

  #resolve(raw: string): unknown {
    if (NULL_RE.test(raw)) return null;
    if (this.#keepString(this.#path)) return raw;
    switch (raw) {
      case "true":
      case "True":
      case "TRUE":
        return true;
      case "false":
      case "False":
      case "FALSE":
        return false;
      case ".inf":
      case ".Inf":
      case ".INF":
      case "+.inf":
      case "+.Inf":
      case "+.INF":
        return Infinity;
      case "-.inf":
      case "-.Inf":
      case "-.INF":
        return -Infinity;
      case ".nan":
      case ".NaN":
      case ".NAN":
        return NaN;
    }
    if (INT_RE.test(raw)) return Number(raw);
    if (/^0o[0-7]+$/.test(raw)) return parseInt(raw.slice(2), 8);
    if (/^0x[0-9a-fA-F]+$/.test(raw)) return parseInt(raw.slice(2), 16);
    if (FLOAT_RE.test(raw)) return Number(raw);
    return raw;
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

  #plain(parentIndent: number): unknown {
    const first = this.#plainLine();
    let value = first.text;
    let multiline = false;
    if (!first.comment) {
      const text = this.#text;
      for (;;) {
        // Look at the following lines: blank ones fold into newlines.
        let nl = text.indexOf("\n", this.#pos);
        if (nl < 0) break;
        let breaks = 0;
        let found = -1;
        for (;;) {
          let i = nl + 1;
          while (this.#isBlank(text[i])) i++;
          if (i >= text.length) break;
          if (text[i] === "\n") {
            breaks++;
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
        value += breaks === 0 ? ` ${line.text}` : "\n".repeat(breaks) + line.text;
        multiline = true;
        if (line.comment) break;
      }
    }
    return multiline ? value : this.#resolve(value);
  }

  /** Folds the line break(s) at the current position inside a quoted scalar. */
  #foldQuotedBreak(parentIndent: number, quotePos: number): string {
    const text = this.#text;
    let breaks = 0;
    for (;;) {
      // At a "\n": skip it and the next line's leading whitespace.
      this.#pos++;
      let indent = 0;
      while (text[this.#pos] === " ") {
        this.#pos++;
        indent++;
      }
      while (this.#isBlank(text[this.#pos])) this.#pos++;
      const c = text[this.#pos];
      if (c === undefined) this.#fail("unterminated quoted string", quotePos);
      if (c === "\n") {
        breaks++;
        continue;
      }
      if (indent <= parentIndent && parentIndent !== Infinity) {
        this.#fail(
          "unterminated quoted string (the lines after it are not indented enough to continue it)",
          quotePos,
        );
      }
      if (indent === 0) {
        const three = text.slice(this.#pos, this.#pos + 3);
        if ((three === "---" || three === "...") && this.#isSpaceOrEnd(text[this.#pos + 3])) {
          this.#fail("unterminated quoted string", quotePos);
        }
      }
      return breaks === 0 ? " " : "\n".repeat(breaks);
    }
  }

  /**
   * A double-quoted scalar starting at the current position. `parentIndent`
   * bounds continuation lines (Infinity: keys, which must fit on one line).
   */
  #doubleQuoted(parentIndent: number, key: boolean): string {
    const text = this.#text;
    const quotePos = this.#pos;
    this.#pos++;
    let out = "";
    let pendingSpace = "";
    for (;;) {
      const c = text[this.#pos];
      if (c === undefined) this.#fail("unterminated double-quoted string", quotePos);
      if (c === '"') {
        this.#pos++;
        return out + pendingSpace;
      }
      if (c === "\n") {
        if (key) this.#fail("a quoted key must fit on one line", quotePos);
        pendingSpace = "";
        out += this.#foldQuotedBreak(parentIndent, quotePos);
        continue;
      }
      if (this.#isBlank(c)) {
        pendingSpace += c;
        this.#pos++;
        continue;
      }
      out += pendingSpace;
      pendingSpace = "";
      if (c !== "\\") {
        out += c;
        this.#pos++;
        continue;
      }
      const e = text[this.#pos + 1];
      this.#pos += 2;
      switch (e) {
        case "0":
          out += "\0";
          break;
        case "a":
          out += "\x07";
          break;
        case "b":
          out += "\b";
          break;
        case "t":
        case "\t":
          out += "\t";
          break;
        case "n":
          out += "\n";
          break;
        case "v":
          out += "\v";
          break;
        case "f":
          out += "\f";
          break;
        case "r":
          out += "\r";
          break;
        case "e":
          out += "\x1b";
          break;
        case " ":
          out += " ";
          break;
        case '"':
          out += '"';
          break;
        case "/":
          out += "/";
          break;
        case "\\":
          out += "\\";
          break;
        case "N":
          out += "\x85";
          break;
        case "_":
          out += "\xa0";
          break;
        case "L":
          out += "\u2028";
          break;
        case "P":
          out += "\u2029";
          break;
        case "x":
          out += this.#hexEscape(2);
          break;
        case "u":
          out += this.#hexEscape(4);
          break;
        case "U":
          out += this.#hexEscape(8);
          break;
        case "\n": {
          // An escaped line break joins the lines without a space.
          if (key) this.#fail("a quoted key must fit on one line", quotePos);
          this.#pos--;
          const folded = this.#foldQuotedBreak(parentIndent, quotePos);
          if (folded !== " ") out += folded;
          break;
        }
        default:
          this.#fail("invalid escape sequence in a double-quoted string", this.#pos - 2);
      }
    }
  }

  #hexEscape(digits: number): string {
    const hex = this.#text.slice(this.#pos, this.#pos + digits);
    if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
      this.#fail("invalid hexadecimal escape in a double-quoted string", this.#pos - 2);
    }
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) this.#fail("escape beyond the Unicode range", this.#pos - 2);
    this.#pos += digits;
    return String.fromCodePoint(code);
  }

  #singleQuoted(parentIndent: number, key: boolean): string {
    const text = this.#text;
    const quotePos = this.#pos;
    this.#pos++;
    let out = "";
    let pendingSpace = "";
    for (;;) {
      const c = text[this.#pos];
      if (c === undefined) this.#fail("unterminated single-quoted string", quotePos);
      if (c === "'") {
        if (text[this.#pos + 1] === "'") {
          out += pendingSpace + "'";
          pendingSpace = "";
          this.#pos += 2;
          continue;
        }
        this.#pos++;
        return out + pendingSpace;
      }
      if (c === "\n") {
        if (key) this.#fail("a quoted key must fit on one line", quotePos);
        pendingSpace = "";
        out += this.#foldQuotedBreak(parentIndent, quotePos);
        continue;
      }
      if (this.#isBlank(c)) {
        pendingSpace += c;
      } else {
        out += pendingSpace + c;
        pendingSpace = "";
      }
      this.#pos++;
    }
  }

  #blockScalar(parentIndent: number): string {
    const text = this.#text;
    const folded = text[this.#pos] === ">";
    this.#pos++;
    let chomp: "clip" | "strip" | "keep" = "clip";
    let explicitIndent = 0;
    for (let n = 0; n < 2; n++) {
      const c = text[this.#pos];
      if ((c === "-" || c === "+") && chomp === "clip") {
        chomp = c === "-" ? "strip" : "keep";
        this.#pos++;
      } else if (c !== undefined && c >= "1" && c <= "9" && explicitIndent === 0) {
        explicitIndent = Number(c);
        this.#pos++;
      }
    }
    const afterHeader = text[this.#pos];
    if (!this.#isSpaceOrEnd(afterHeader)) {
      this.#fail("invalid block scalar header (expected | or > with optional - + or a digit)");
    }
    // The rest of the header line may only hold a comment.
    this.#peekNext();
    let nl = text.indexOf("\n", this.#pos);
    if (nl < 0) return "";
    const base = parentIndent;
    let contentIndent = explicitIndent > 0 ? base + explicitIndent : -1;
    if (contentIndent < 0) {
      // Auto-detect from the first non-empty line.
      let i = nl + 1;
      for (;;) {
        let spaces = 0;
        while (text[i + spaces] === " ") spaces++;
        const c = text[i + spaces];
        if (c === "\n") {
          i += spaces + 1;
          continue;
        }
        contentIndent = c === undefined ? base + 1 : Math.max(spaces, base + 1);
        break;
      }
    }
    const lines: string[] = [];
    let lastEnd = nl; // the end of the last consumed line (its "\n", or the text's end)
    for (;;) {
      const start = nl + 1;
      if (start > text.length) break;
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      let spaces = 0;
      while (line[spaces] === " ") spaces++;
      const blank = spaces === line.length;
      if (!blank && spaces < contentIndent) break;
      if (start === text.length) break;
      lines.push(blank && spaces <= contentIndent ? "" : line.slice(contentIndent));
      lastEnd = end;
      if (end === text.length) break;
      nl = end;
    }
    this.#pos = lastEnd;
    let trailing = 0;
    while (trailing < lines.length && lines[lines.length - 1 - trailing] === "") trailing++;
    const body = lines.slice(0, lines.length - trailing);
    let value = folded ? foldLines(body) : body.join("\n");
    // The last line break is content unless the text ends right after the last line.
    const finalBreak = lastEnd < text.length;
    if (chomp === "keep") {
      if (body.length > 0) value += "\n".repeat(trailing + (finalBreak ? 1 : 0));
      else value = "\n".repeat(Math.max(0, trailing - (finalBreak ? 0 : 1)));
    } else if (chomp === "clip" && body.length > 0 && (finalBreak || trailing > 0)) {
      value += "\n";
    }
    return value;
  }

  #skipFlowSpace(): void {
    const text = this.#text;
    for (;;) {
      const c = text[this.#pos];
      if (c === " " || c === "\t" || c === "\n") {
        this.#pos++;
      } else if (c === "#" && this.#isSpaceOrEnd(text[this.#pos - 1])) {
        const nl = text.indexOf("\n", this.#pos);
        this.#pos = nl < 0 ? text.length : nl;
      } else {
        return;
      }
    }
  }

  #flow(): unknown {
    const text = this.#text;
    const open = text[this.#pos];
    const openPos = this.#pos;
    const close = open === "[" ? "]" : "}";
    this.#pos++;
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    for (;;) {
      this.#skipFlowSpace();
      const c = text[this.#pos];
      if (c === undefined) this.#fail(`unterminated flow collection (missing "${close}")`, openPos);
      if (c === close) {
        this.#pos++;
        return open === "[" ? list : map;
      }
      if (open === "[") {
        this.#path.push(list.length);
        this.#record();
        const item = this.#flowScalarOrCollection(false);
        this.#skipFlowSpace();
        if (text[this.#pos] === ":") {
          this.#fail("mappings inside a flow sequence are not supported");
        }
        list.push(item);
        this.#path.pop();
      } else {
        const keyPos = this.#pos;
        const rawKey = this.#flowScalarOrCollection(true);
        if (typeof rawKey !== "string") this.#fail("flow mapping keys must be scalars", keyPos);
        if (Object.hasOwn(map, rawKey)) {
          this.#fail(`duplicate key ${JSON.stringify(rawKey)}`, keyPos);
        }
        this.#path.push(rawKey);
        this.lines.set(pathKey(this.#path), this.#lineAt(keyPos));
        this.#skipFlowSpace();
        let value: unknown = null;
        if (text[this.#pos] === ":") {
          this.#pos++;
          this.#skipFlowSpace();
          const v = text[this.#pos];
          if (v !== "," && v !== "}") value = this.#flowScalarOrCollection(false);
        }
        Object.defineProperty(map, rawKey, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        this.#path.pop();
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

  /** A scalar or nested collection inside a flow collection. Keys stay strings. */
  #flowScalarOrCollection(key: boolean): unknown {
    const text = this.#text;
    const c = text[this.#pos];
    if (c === "[" || c === "{") {
      if (key) this.#fail("flow mapping keys must be scalars");
      return this.#flow();
    }
    if (c === '"') return this.#doubleQuoted(-1, key);
    if (c === "'") return this.#singleQuoted(-1, key);
    if (c === "&") this.#fail("anchors (&) are not supported");
    if (c === "*") this.#fail("aliases (*) are not supported");
    if (c === "!") this.#fail("tags (!) are not supported");
    if (c === "?" && this.#isSpaceOrEnd(text[this.#pos + 1])) {
      this.#fail("complex keys (?) are not supported");
    }
    const start = this.#pos;
    let end = start;
    for (;;) {
      const ch = text[this.#pos];
      if (ch === undefined || ch === "\n" || ch === "," || ch === "[" || ch === "]") break;
      if (ch === "{" || ch === "}") break;
      if (ch === "#" && this.#isBlank(text[this.#pos - 1])) break;
      if (ch === ":" && "  \t\n,[]{}".includes(text[this.#pos + 1] ?? " ")) break;
      this.#pos++;
      if (!this.#isBlank(ch)) end = this.#pos;
    }
    const raw = text.slice(start, end);
    if (raw === "") this.#fail("empty entry in a flow collection", start);
    return key ? raw : this.#resolve(raw);
  }
}

function isMoreIndented(line: string): boolean {
  return line.startsWith(" ") || line.startsWith("\t");
}

/** Folds the lines of a `>` block scalar (trailing empty lines already removed). */
function foldLines(body: readonly string[]): string {
  let lead = 0;
  while (lead < body.length && body[lead] === "") lead++;
  if (lead === body.length) return "";
  let prev = body[lead] ?? "";
  let out = "\n".repeat(lead) + prev;
  let i = lead + 1;
  while (i < body.length) {
    let empties = 0;
    while (body[i + empties] === "") empties++;
    const next = body[i + empties] ?? "";
    if (!isMoreIndented(prev) && !isMoreIndented(next)) {
      out += empties === 0 ? " " : "\n".repeat(empties);
    } else {
      out += "\n".repeat(empties + 1);
    }
    out += next;
    prev = next;
    i += empties + 1;
  }
  return out;
}

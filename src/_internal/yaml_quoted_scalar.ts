/**
 * Single- and double-quoted scalars, read as go-yaml reads them, and the
 * line folding that quoted and plain scalars share: one line break becomes a
 * space, each empty line a line break, U+2028/U+2029 breaks stay as written,
 * and blanks around a break are dropped.
 *
 * @module
 */

/** A quoted scalar read, or why it is invalid (and where). */
export type QuotedScalarRead =
  | { readonly value: string; readonly end: number }
  | { readonly error: string; readonly at: number };

/** Options of {@linkcode readQuotedScalar}. */
export interface QuotedScalarOptions {
  /** The line break as written at a "\n" of the text ("\n", U+2028 or U+2029). */
  readonly breakAt: (pos: number) => string;
  /** Whether the scalar must fit on one line (an implicit key). */
  readonly singleLine: boolean;
  /**
   * The column of the key or item holding the scalar: an unterminated
   * scalar whose lines go back to it gets a hint in its message.
   */
  readonly parentIndent: number;
}

/**
 * Folds the line breaks between two lines of a scalar (the text of `breaks`
 * as written): one "\n" is a space, the following ones stay; a first break
 * that is U+2028 or U+2029 stays too.
 *
 * @param breaks The breaks, first to last.
 * @returns The folded text.
 */
export function foldLineBreaks(breaks: readonly string[]): string {
  const [first, ...rest] = breaks;
  if (first === undefined) return "";
  const trailing = rest.join("");
  if (first === "\n") return trailing === "" ? " " : trailing;
  return first + trailing;
}

/** Double-quoted escapes with a fixed meaning (go-yaml's set: YAML's, `\'`, not `\/`). */
const ESCAPES: Readonly<Record<string, string>> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "'": "'",
  "\\": "\\",
  N: "\x85",
  _: "\xa0",
  L: "\u2028",
  P: "\u2029",
};
const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

class QuotedError {
  constructor(readonly error: string, readonly at: number) {}
}

/**
 * Reads the quoted scalar whose opening quote is at `pos`. The text has "\n"
 * line breaks (U+2028/U+2029 replaced, see `breakAt`).
 *
 * @param text The document text.
 * @param pos Where the opening quote is.
 * @param options Line breaks, the one-line rule and the parent's column.
 * @returns The value and the position after the closing quote, or an error.
 */
export function readQuotedScalar(
  text: string,
  pos: number,
  options: QuotedScalarOptions,
): QuotedScalarRead {
  try {
    return new QuotedScanner(text, pos, options).read();
  } catch (err) {
    if (err instanceof QuotedError) return { error: err.error, at: err.at };
    throw err;
  }
}

class QuotedScanner {
  #text: string;
  #pos: number;
  #start: number;
  #options: QuotedScalarOptions;
  #dedent = false;

  constructor(text: string, pos: number, options: QuotedScalarOptions) {
    this.#text = text;
    this.#pos = pos;
    this.#start = pos;
    this.#options = options;
  }

  read(): QuotedScalarRead {
    const text = this.#text;
    const quote = text[this.#pos];
    const double = quote === '"';
    this.#pos++;
    let out = "";
    let pendingSpace = "";
    for (;;) {
      const c = text[this.#pos];
      if (c === undefined) {
        throw new QuotedError(
          `unterminated ${double ? "double" : "single"}-quoted string`,
          this.#start,
        );
      }
      if (c === quote) {
        if (!double && text[this.#pos + 1] === "'") {
          out += pendingSpace + "'";
          pendingSpace = "";
          this.#pos += 2;
          continue;
        }
        return { value: out + pendingSpace, end: this.#pos + 1 };
      }
      if (c === "\n") {
        pendingSpace = "";
        out += this.#foldBreak(false);
        continue;
      }
      if (c === " " || c === "\t") {
        pendingSpace += c;
        this.#pos++;
        continue;
      }
      out += pendingSpace;
      pendingSpace = "";
      if (!double || c !== "\\") {
        out += c;
        this.#pos++;
        continue;
      }
      out += this.#escape();
    }
  }

  /** The escape sequence at the current position (a backslash). */
  #escape(): string {
    const text = this.#text;
    const e = text[this.#pos + 1] as string;
    const fixed = ESCAPES[e];
    if (fixed !== undefined) {
      this.#pos += 2;
      return fixed;
    }
    const digits = HEX_ESCAPES[e];
    if (digits !== undefined) {
      const hex = text.slice(this.#pos + 2, this.#pos + 2 + digits);
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw new QuotedError("invalid hexadecimal escape in a double-quoted string", this.#pos);
      }
      const code = parseInt(hex, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        throw new QuotedError("escape of a surrogate or beyond the Unicode range", this.#pos);
      }
      this.#pos += 2 + digits;
      return String.fromCodePoint(code);
    }
    if (e === "\n") {
      // An escaped line break joins the lines without a space.
      this.#pos++;
      return this.#foldBreak(true);
    }
    throw new QuotedError("invalid escape sequence in a double-quoted string", this.#pos);
  }

  /**
   * Folds the line break(s) at the current position. Like go-yaml, the next
   * lines may be indented less than the key; `escaped`: after a backslash,
   * the first break is removed and the empty lines after it stay.
   */
  #foldBreak(escaped: boolean): string {
    const text = this.#text;
    if (this.#options.singleLine) {
      throw new QuotedError("a quoted key must fit on one line", this.#start);
    }
    const breaks: string[] = [];
    for (;;) {
      breaks.push(this.#options.breakAt(this.#pos));
      this.#pos++;
      let indent = 0;
      while (text[this.#pos] === " ") {
        this.#pos++;
        indent++;
      }
      while (text[this.#pos] === " " || text[this.#pos] === "\t") this.#pos++;
      const c = text[this.#pos];
      if (c === undefined) {
        throw new QuotedError(
          this.#dedent
            ? "unterminated quoted string (the lines after it are not indented enough to continue it)"
            : "unterminated quoted string",
          this.#start,
        );
      }
      if (c === "\n") continue;
      if (indent <= this.#options.parentIndent) this.#dedent = true;
      if (
        indent === 0 && /^(?:---|\.\.\.)(?:[ \t\n]|$)/.test(text.slice(this.#pos, this.#pos + 4))
      ) {
        throw new QuotedError("unterminated quoted string", this.#start);
      }
      return escaped ? breaks.slice(1).join("") : foldLineBreaks(breaks);
    }
  }
}

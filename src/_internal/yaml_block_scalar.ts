/**
 * Literal (`|`) and folded (`>`) block scalars, read as go-yaml reads them:
 * the content indentation is the deepest of the leading empty lines and the
 * first line with text (or the indentation indicator), a tab right after
 * that indentation is an error, chomping (`-`, `+`) applies to the line
 * breaks at the end, and U+2028/U+2029 line breaks stay as they are.
 *
 * @module
 */

/** A block scalar read, or why it is invalid (and where). */
export type BlockScalarRead =
  | { readonly value: string; readonly end: number }
  | { readonly error: string; readonly at: number };

/**
 * Reads the block scalar whose header (`|`, `>-`, `|2+`, …) starts at `pos`.
 * The text has "\n" line breaks (U+2028/U+2029 replaced, see `breakAt`).
 *
 * @param text The document text.
 * @param pos Where the header starts.
 * @param parentIndent The column of the key or item holding the scalar (-1 at the root).
 * @param breakAt The line break as written at a "\n" of `text`.
 * @returns The value and the end of its last line, or an error.
 */
export function readBlockScalar(
  text: string,
  pos: number,
  parentIndent: number,
  breakAt: (pos: number) => string,
): BlockScalarRead {
  const folded = text[pos] === ">";
  pos++;
  let chomp: "clip" | "strip" | "keep" = "clip";
  let explicitIndent = 0;
  for (let n = 0; n < 2; n++) {
    const c = text[pos];
    if ((c === "-" || c === "+") && chomp === "clip") {
      chomp = c === "-" ? "strip" : "keep";
      pos++;
    } else if (c !== undefined && c >= "1" && c <= "9" && explicitIndent === 0) {
      explicitIndent = Number(c);
      pos++;
    }
  }
  // go-yaml takes "#" right after the indicators as the start of a comment.
  if (!/^(?:[ \t\n#]|$)/.test(text.slice(pos, pos + 1))) {
    return {
      error: "invalid block scalar header (expected | or > with optional - + or a digit)",
      at: pos,
    };
  }
  // The rest of the header line may only hold a comment.
  while (text[pos] === " " || text[pos] === "\t") pos++;
  if (text[pos] !== "#" && text[pos] !== "\n" && pos < text.length) {
    return { error: "unexpected text after the value", at: pos };
  }
  let nl = text.indexOf("\n", pos);
  if (nl < 0) return { value: "", end: text.length };
  const base = Math.max(parentIndent, 0);
  let contentIndent = explicitIndent > 0 ? base + explicitIndent : -1;
  if (contentIndent < 0) {
    let i = nl + 1;
    let most = 0;
    for (;;) {
      let spaces = 0;
      while (text[i + spaces] === " ") spaces++;
      most = Math.max(most, spaces);
      const c = text[i + spaces];
      if (c === "\t") {
        return {
          error: "a tab character cannot start the first line of a block scalar " +
            "(add an indentation indicator such as |2)",
          at: i + spaces,
        };
      }
      if (c === "\n") {
        i += spaces + 1;
        continue;
      }
      contentIndent = Math.max(most, base + 1, 1);
      break;
    }
  }
  // Content lines and the line break ending each ("" at the end of the text).
  const lines: string[] = [];
  const breaks: string[] = [];
  let lastEnd = nl;
  for (;;) {
    const start = nl + 1;
    if (start >= text.length) break;
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    let spaces = 0;
    while (line[spaces] === " ") spaces++;
    const blank = spaces === line.length;
    if (!blank && spaces < contentIndent) break;
    lines.push(blank && spaces <= contentIndent ? "" : line.slice(contentIndent));
    breaks.push(end < text.length ? breakAt(end) : "");
    lastEnd = end;
    if (end === text.length) break;
    nl = end;
  }
  let trailing = 0;
  while (trailing < lines.length && lines[lines.length - 1 - trailing] === "") trailing++;
  const count = lines.length - trailing;
  let value = "";
  if (folded) {
    value = foldLines(lines.slice(0, count), breaks);
  } else {
    for (let i = 0; i < count; i++) {
      value += (lines[i] as string) + (i < count - 1 ? breaks[i] : "");
    }
  }
  // The break after the last line with text, then the trailing empty lines' breaks.
  if (chomp === "keep") value += breaks.slice(count > 0 ? count - 1 : 0).join("");
  else if (chomp === "clip" && count > 0) value += breaks[count - 1] ?? "";
  return { value, end: lastEnd };
}

function isMoreIndented(line: string): boolean {
  return line.startsWith(" ") || line.startsWith("\t");
}

/**
 * Folds the lines of a `>` block scalar (trailing empty lines already
 * removed); `breaks[i]` ends line i ("\n", or U+2028/U+2029, which stay).
 */
function foldLines(body: readonly string[], breaks: readonly string[]): string {
  let lead = 0;
  while (lead < body.length && body[lead] === "") lead++;
  if (lead === body.length) return "";
  let prev = body[lead] ?? "";
  let out = breaks.slice(0, lead).join("") + prev;
  let i = lead + 1;
  while (i < body.length) {
    let empties = 0;
    while (body[i + empties] === "") empties++;
    const next = body[i + empties] ?? "";
    const first = breaks[i - 1] ?? "\n";
    const more = breaks.slice(i, i + empties).join("");
    if (first === "\n" && !isMoreIndented(prev) && !isMoreIndented(next)) {
      out += empties === 0 ? " " : more;
    } else {
      out += first + more;
    }
    out += next;
    prev = next;
    i += empties + 1;
  }
  return out;
}

/**
 * Label selectors: the `labelSelector=` query language and the structured
 * `spec.selector` form of workloads, compiled once into matchers that test an
 * object's labels without re-parsing.
 *
 * Grammar (comma-separated requirements, all must hold; whitespace around
 * tokens is ignored):
 *
 * | Form | Matches when |
 * | --- | --- |
 * | `k=v`, `k==v` | label `k` exists and equals `v` |
 * | `k!=v` | `k` is absent, or present with another value |
 * | `k in (a,b)` | `k` exists and its value is in the set |
 * | `k notin (a,b)` | `k` is absent, or its value is not in the set |
 * | `k` | `k` exists |
 * | `!k` | `k` does not exist |
 * | `k>5`, `k<5` | `k` exists, parses as an integer, and compares |
 *
 * Keys are an optional DNS-1123 subdomain prefix (at most 253 characters)
 * and `/`, then a name of at most 63 characters of `[A-Za-z0-9_.-]` that
 * starts and ends with an alphanumeric. Values follow the name rules but may
 * be empty. `in` and `notin` are keywords only in operator position. An empty
 * selector matches everything.
 *
 * @module
 */

import type { LabelSelector } from "./meta.ts";

/** A label requirement operator. `"!"` means "does not exist"; `==` parses as `"="`. */
export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One requirement of a label selector; all requirements of a selector must hold. */
export interface LabelRequirement {
  /** The label key, such as `app` or `app.kubernetes.io/name`. */
  readonly key: string;
  /** The operator. */
  readonly operator: LabelOperator;
  /**
   * Operand values: one for `=`, `!=`, `gt` and `lt`; a sorted, duplicate-free
   * set for `in` and `notin`; none for `exists` and `!`.
   */
  readonly values: readonly string[];
}

/** A compiled label selector. */
export interface LabelMatcher {
  /** The requirements, sorted by key. */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector has no requirement and so matches everything. */
  readonly empty: boolean;
  /**
   * Tests a label set; `undefined` is an empty label set.
   *
   * @param labels The object's `metadata.labels`.
   * @returns Whether every requirement holds.
   */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /**
   * The canonical selector string: requirements sorted by key, set values
   * sorted, `==` written as `=`. Parsing it gives an equal matcher.
   *
   * @returns The selector in query-string form (`""` for the empty selector).
   */
  toString(): string;
}

// ---------------------------------------------------------------------------
// Validation of keys and values (character loops, no regular expressions).

const MAX_NAME = 63;
const MAX_PREFIX = 253;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isLowerAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
}

/** Why `s` is not a valid label name or value, or undefined when it is. */
function nameProblem(s: string, what: string): string | undefined {
  if (s.length > MAX_NAME) return `${what} must be at most ${MAX_NAME} characters`;
  if (s.length === 0) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // "-" 45, "." 46, "_" 95
    if (!isAlnum(c) && c !== 45 && c !== 46 && c !== 95) {
      return `${what} may contain only letters, digits, '-', '_' and '.'`;
    }
  }
  if (!isAlnum(s.charCodeAt(0)) || !isAlnum(s.charCodeAt(s.length - 1))) {
    return `${what} must start and end with a letter or digit`;
  }
  return undefined;
}

/** Why `s` is not a DNS-1123 subdomain, or undefined when it is. */
function subdomainProblem(s: string): string | undefined {
  if (s.length === 0) return "key prefix must not be empty";
  if (s.length > MAX_PREFIX) return `key prefix must be at most ${MAX_PREFIX} characters`;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || s.charCodeAt(i) === 46) {
      if (i === start) return "key prefix must be a DNS subdomain (empty label)";
      if (!isLowerAlnum(s.charCodeAt(start)) || !isLowerAlnum(s.charCodeAt(i - 1))) {
        return "key prefix must be a lowercase DNS subdomain";
      }
      start = i + 1;
    } else {
      const c = s.charCodeAt(i);
      if (!isLowerAlnum(c) && c !== 45) return "key prefix must be a lowercase DNS subdomain";
    }
  }
  return undefined;
}

/** Why `key` is not a valid label key, or undefined when it is. */
function keyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1) {
    if (name.includes("/")) return "key may contain at most one '/'";
    const prefixProblem = subdomainProblem(key.slice(0, slash));
    if (prefixProblem !== undefined) return prefixProblem;
  }
  if (name.length === 0) return "key name must not be empty";
  return nameProblem(name, "key name");
}

/** Why `value` is not a valid label value, or undefined when it is. */
function valueProblem(value: string): string | undefined {
  return nameProblem(value, "value");
}

/** Parses a base-10 integer the way Kubernetes does (optional sign, 64-bit range). */
function parseInteger(s: string): bigint | undefined {
  const n = s.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 43 || first === 45) i = 1; // "+" or "-"
  if (i === n) return undefined;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return undefined;
  }
  const value = BigInt(s);
  if (value > 9223372036854775807n || value < -9223372036854775808n) return undefined;
  return value;
}

// ---------------------------------------------------------------------------
// Compilation of requirements into predicates.

type Labels = Readonly<Record<string, string>>;
type Predicate = (labels: Labels) => boolean;

/** The label's value, or undefined when absent (inherited properties do not count). */
function labelOf(labels: Labels, key: string): string | undefined {
  const v: unknown = labels[key];
  return typeof v === "string" ? v : undefined;
}

function predicateFor(req: LabelRequirement): Predicate {
  const { key, values } = req;
  switch (req.operator) {
    case "=": {
      const want = values[0] ?? "";
      return (labels) => labelOf(labels, key) === want;
    }
    case "!=": {
      const avoid = values[0] ?? "";
      return (labels) => labelOf(labels, key) !== avoid;
    }
    case "in": {
      if (values.length === 1) {
        const want = values[0];
        return (labels) => labelOf(labels, key) === want;
      }
      const set = new Set(values);
      return (labels) => {
        const v = labelOf(labels, key);
        return v !== undefined && set.has(v);
      };
    }
    case "notin": {
      if (values.length === 1) {
        const avoid = values[0];
        return (labels) => labelOf(labels, key) !== avoid;
      }
      const set = new Set(values);
      return (labels) => {
        const v = labelOf(labels, key);
        return v === undefined || !set.has(v);
      };
    }
    case "exists":
      return (labels) => labelOf(labels, key) !== undefined;
    case "!":
      return (labels) => labelOf(labels, key) === undefined;
    case "gt":
    case "lt": {
      const operand = parseInteger(values[0] ?? "");
      if (operand === undefined) return () => false;
      const greater = req.operator === "gt";
      return (labels) => {
        const v = labelOf(labels, key);
        if (v === undefined) return false;
        const n = parseInteger(v);
        if (n === undefined) return false;
        return greater ? n > operand : n < operand;
      };
    }
    default: {
      const never: never = req.operator;
      throw new TypeError(`unknown label operator ${JSON.stringify(never)}`);
    }
  }
}

function requirementToString(req: LabelRequirement): string {
  const { key, values } = req;
  switch (req.operator) {
    case "=":
      return `${key}=${values[0] ?? ""}`;
    case "!=":
      return `${key}!=${values[0] ?? ""}`;
    case "in":
      return `${key} in (${values.join(",")})`;
    case "notin":
      return `${key} notin (${values.join(",")})`;
    case "exists":
      return key;
    case "!":
      return `!${key}`;
    case "gt":
      return `${key}>${values[0] ?? ""}`;
    case "lt":
      return `${key}<${values[0] ?? ""}`;
  }
}

function makeRequirement(
  key: string,
  operator: LabelOperator,
  values: readonly string[],
): LabelRequirement {
  const normalized = operator === "in" || operator === "notin"
    ? [...new Set(values)].sort()
    : [...values];
  return Object.freeze({ key, operator, values: Object.freeze(normalized) });
}

const MATCH_ALL: Predicate = () => true;

function buildMatcher(requirements: LabelRequirement[]): LabelMatcher {
  // Stable sort by key, as Kubernetes orders requirements.
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const frozen = Object.freeze(requirements);
  const predicates = frozen.map(predicateFor);
  const text = frozen.map(requirementToString).join(",");
  const count = predicates.length;
  let test: Predicate;
  if (count === 0) test = MATCH_ALL;
  else if (count === 1) test = predicates[0] as Predicate;
  else {
    test = (labels) => {
      for (let i = 0; i < count; i++) {
        if (!(predicates[i] as Predicate)(labels)) return false;
      }
      return true;
    };
  }
  const none: Labels = Object.freeze({});
  return Object.freeze({
    requirements: frozen,
    empty: count === 0,
    matches(labels: Labels | undefined): boolean {
      return test(labels ?? none);
    },
    toString(): string {
      return text;
    },
  });
}

// ---------------------------------------------------------------------------
// Lexer and parser of the string form.

type TokenKind =
  | "identifier"
  | "in"
  | "notin"
  | "!"
  | "!="
  | "="
  | "=="
  | ">"
  | "<"
  | "("
  | ")"
  | ","
  | "end";

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isSpecial(c: number): boolean {
  // ! ( ) , < = >
  return c === 33 || c === 40 || c === 41 || c === 44 || c === 60 || c === 61 || c === 62;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWhitespace(c)) {
      i++;
      continue;
    }
    if (isSpecial(c)) {
      const two = text.slice(i, i + 2);
      if (two === "!=" || two === "==") {
        tokens.push({ kind: two, text: two, pos: i });
        i += 2;
      } else {
        const one = text[i] as "!" | "(" | ")" | "," | "<" | "=" | ">";
        tokens.push({ kind: one, text: one, pos: i });
        i++;
      }
      continue;
    }
    const start = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isWhitespace(d) || isSpecial(d)) break;
      i++;
    }
    const word = text.slice(start, i);
    const kind: TokenKind = word === "in" ? "in" : word === "notin" ? "notin" : "identifier";
    tokens.push({ kind, text: word, pos: start });
  }
  tokens.push({ kind: "end", text: "", pos: n });
  return tokens;
}

class LabelParser {
  readonly #source: string;
  readonly #tokens: Token[];
  #index = 0;

  constructor(source: string) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  #fail(token: Token, message: string): never {
    throw new TypeError(
      `invalid label selector ${
        JSON.stringify(this.#source)
      }: at position ${token.pos}: ${message}`,
    );
  }

  #found(token: Token, expected: string): never {
    const found = token.kind === "end" ? "end of string" : `'${token.text}'`;
    this.#fail(token, `found ${found}, expected ${expected}`);
  }

  /** The next token; `in`/`notin` read as identifiers unless `keywords` is set. */
  #peek(keywords = false): Token {
    const token = this.#tokens[this.#index] as Token;
    if (!keywords && (token.kind === "in" || token.kind === "notin")) {
      return { kind: "identifier", text: token.text, pos: token.pos };
    }
    return token;
  }

  #next(keywords = false): Token {
    const token = this.#peek(keywords);
    if (token.kind !== "end") this.#index++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    let token = this.#peek();
    if (token.kind === "end") return requirements;
    for (;;) {
      if (token.kind !== "identifier" && token.kind !== "!") {
        this.#found(token, "'!' or a label key");
      }
      requirements.push(this.#requirement());
      const after = this.#next();
      if (after.kind === "end") return requirements;
      if (after.kind !== ",") this.#found(after, "',' or end of string");
      token = this.#peek();
      if (token.kind === "end") this.#found(token, "a requirement after ','");
    }
  }

  #key(): string {
    const token = this.#next();
    if (token.kind !== "identifier") this.#found(token, "a label key");
    const problem = keyProblem(token.text);
    if (problem !== undefined) {
      this.#fail(token, `invalid label key ${JSON.stringify(token.text)}: ${problem}`);
    }
    return token.text;
  }

  #value(token: Token): string {
    const problem = valueProblem(token.text);
    if (problem !== undefined) {
      this.#fail(token, `invalid label value ${JSON.stringify(token.text)}: ${problem}`);
    }
    return token.text;
  }

  #requirement(): LabelRequirement {
    if (this.#peek().kind === "!") {
      this.#next();
      return makeRequirement(this.#key(), "!", []);
    }
    const key = this.#key();
    const opToken = this.#peek(true);
    if (opToken.kind === "end" || opToken.kind === ",") {
      return makeRequirement(key, "exists", []);
    }
    this.#next(true);
    switch (opToken.kind) {
      case "=":
      case "==":
        return makeRequirement(key, "=", [this.#exactValue()]);
      case "!=":
        return makeRequirement(key, "!=", [this.#exactValue()]);
      case "in":
      case "notin":
        return makeRequirement(key, opToken.kind, this.#setValues());
      case ">":
      case "<": {
        const token = this.#next();
        if (token.kind !== "identifier") this.#found(token, "an integer");
        const operand = this.#value(token);
        if (parseInteger(operand) === undefined) {
          this.#fail(token, `found ${JSON.stringify(operand)}, expected an integer`);
        }
        return makeRequirement(key, opToken.kind === ">" ? "gt" : "lt", [operand]);
      }
      default:
        this.#found(opToken, "one of '=', '==', '!=', 'in', 'notin', '>', '<', ',' or end");
    }
  }

  #exactValue(): string {
    const token = this.#peek();
    if (token.kind === "end" || token.kind === ",") return "";
    this.#next();
    if (token.kind !== "identifier") this.#found(token, "a label value");
    return this.#value(token);
  }

  #setValues(): string[] {
    const open = this.#next();
    if (open.kind !== "(") this.#found(open, "'('");
    const values: string[] = [];
    // Every element slot, including empty ones (`(a,,b)`, `(,a)`, `(a,)`, `()`), is a value.
    for (;;) {
      const token = this.#next();
      if (token.kind === "identifier") {
        values.push(this.#value(token));
        const sep = this.#next();
        if (sep.kind === ")") return values;
        if (sep.kind !== ",") this.#found(sep, "',' or ')'");
      } else if (token.kind === ",") {
        values.push("");
      } else if (token.kind === ")") {
        values.push("");
        return values;
      } else {
        this.#found(token, "a value, ',' or ')'");
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Public functions.

/**
 * Parses a label selector string into a matcher.
 *
 * @param text The selector, such as `app=web,tier in (front,back),!canary`.
 * @returns The compiled matcher; `""` (or only whitespace) matches everything.
 * @throws {TypeError} On bad syntax or an invalid key or value; the message
 * gives the position and the offending token.
 *
 * @example Matching labels
 * ```ts
 * import { parseLabelSelector } from "@kubesnap/kubesnap";
 * const sel = parseLabelSelector("app=web, tier in (front,back), !canary");
 * console.log(sel.matches({ app: "web", tier: "front" })); // true
 * console.log(sel.matches({ app: "web", tier: "front", canary: "1" })); // false
 * console.log(sel.toString()); // "app=web,!canary,tier in (back,front)"
 * ```
 */
export function parseLabelSelector(text: string): LabelMatcher {
  if (typeof text !== "string") {
    throw new TypeError(`label selector must be a string, got ${typeof text}`);
  }
  return buildMatcher(new LabelParser(text).parse());
}

function structuredError(message: string): never {
  throw new TypeError(`invalid structured label selector: ${message}`);
}

function checkedKey(key: unknown, where: string): string {
  if (typeof key !== "string") structuredError(`${where}: key must be a string`);
  const problem = keyProblem(key);
  if (problem !== undefined) {
    structuredError(`${where}: invalid key ${JSON.stringify(key)}: ${problem}`);
  }
  return key;
}

function checkedValue(value: unknown, where: string): string {
  if (typeof value !== "string") structuredError(`${where}: values must be strings`);
  const problem = valueProblem(value);
  if (problem !== undefined) {
    structuredError(`${where}: invalid value ${JSON.stringify(value)}: ${problem}`);
  }
  return value;
}

/**
 * Compiles a structured selector (`matchLabels` and `matchExpressions`, as in
 * a Deployment's `spec.selector`). A selector with neither matches everything.
 *
 * @param selector The structured selector.
 * @returns The compiled matcher.
 * @throws {TypeError} On an invalid key or value, an unknown operator, empty
 * values for `In`/`NotIn`, or values for `Exists`/`DoesNotExist`.
 *
 * @example A workload's selector
 * ```ts
 * import { labelSelectorFromStructured } from "@kubesnap/kubesnap";
 * const sel = labelSelectorFromStructured({
 *   matchLabels: { app: "web" },
 *   matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }],
 * });
 * console.log(sel.toString()); // "app=web,tier notin (db)"
 * console.log(sel.matches({ app: "web" })); // true
 * ```
 */
export function labelSelectorFromStructured(selector: LabelSelector): LabelMatcher {
  if (typeof selector !== "object" || selector === null) {
    structuredError("expected an object");
  }
  const requirements: LabelRequirement[] = [];
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (typeof matchLabels !== "object" || Array.isArray(matchLabels)) {
      structuredError("matchLabels must be an object");
    }
    for (const [key, value] of Object.entries(matchLabels)) {
      const where = `matchLabels[${JSON.stringify(key)}]`;
      requirements.push(makeRequirement(checkedKey(key, where), "=", [checkedValue(value, where)]));
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) structuredError("matchExpressions must be an array");
    matchExpressions.forEach((expr, i) => {
      const where = `matchExpressions[${i}]`;
      if (typeof expr !== "object" || expr === null) {
        structuredError(`${where}: expected an object`);
      }
      const key = checkedKey(expr.key, where);
      const raw: unknown = expr.values ?? [];
      if (!Array.isArray(raw)) structuredError(`${where}: values must be an array`);
      const values = raw.map((v) => checkedValue(v, where));
      const op: unknown = expr.operator;
      switch (op) {
        case "In":
        case "NotIn":
          if (values.length === 0) structuredError(`${where}: ${op} needs at least one value`);
          requirements.push(makeRequirement(key, op === "In" ? "in" : "notin", values));
          break;
        case "Exists":
        case "DoesNotExist":
          if (values.length !== 0) structuredError(`${where}: ${op} takes no values`);
          requirements.push(makeRequirement(key, op === "Exists" ? "exists" : "!", []));
          break;
        default:
          structuredError(`${where}: unknown operator ${JSON.stringify(op)}`);
      }
    });
  }
  return buildMatcher(requirements);
}

/** True when `selector` is a structured `LabelSelector` rather than a plain label record. */
function isStructured(
  selector: LabelSelector | Readonly<Record<string, string>>,
): selector is LabelSelector {
  const s = selector as Record<string, unknown>;
  return (s["matchLabels"] !== undefined && typeof s["matchLabels"] !== "string") ||
    (s["matchExpressions"] !== undefined && typeof s["matchExpressions"] !== "string");
}

/**
 * Compiles any selector form: a string, a structured selector, or a plain
 * record of labels (meaning `matchLabels`). `undefined` and `""` match
 * everything. An object is read as structured when it has a non-string
 * `matchLabels` or `matchExpressions` member, and as a label record otherwise.
 *
 * @param selector The selector in any form.
 * @returns The compiled matcher.
 * @throws {TypeError} When the selector is invalid.
 *
 * @example Three forms of the same selector
 * ```ts
 * import { compileLabelSelector } from "@kubesnap/kubesnap";
 * const a = compileLabelSelector("app=web");
 * const b = compileLabelSelector({ matchLabels: { app: "web" } });
 * const c = compileLabelSelector({ app: "web" });
 * console.log(a.toString() === b.toString() && b.toString() === c.toString()); // true
 * console.log(compileLabelSelector(undefined).empty); // true
 * ```
 */
export function compileLabelSelector(
  selector: string | LabelSelector | Readonly<Record<string, string>> | undefined,
): LabelMatcher {
  if (selector === undefined) return buildMatcher([]);
  if (typeof selector === "string") return parseLabelSelector(selector);
  if (typeof selector !== "object" || selector === null) {
    throw new TypeError(`label selector must be a string or an object, got ${typeof selector}`);
  }
  if (isStructured(selector)) return labelSelectorFromStructured(selector);
  return labelSelectorFromStructured({
    matchLabels: selector as Record<string, string>,
  });
}

/**
 * Formats a selector for the `labelSelector` query parameter. Strings are
 * validated and returned in canonical form; a plain record means
 * `matchLabels`.
 *
 * @param selector The selector in any form.
 * @returns The canonical query-string form (`""` for an empty selector).
 * @throws {TypeError} When the selector is invalid.
 *
 * @example Formatting a structured selector
 * ```ts
 * import { formatLabelSelector } from "@kubesnap/kubesnap";
 * const q = formatLabelSelector({
 *   matchLabels: { app: "web" },
 *   matchExpressions: [{ key: "env", operator: "In", values: ["prod", "dev"] }],
 * });
 * console.log(q); // "app=web,env in (dev,prod)"
 * ```
 */
export function formatLabelSelector(
  selector: string | LabelSelector | Readonly<Record<string, string>>,
): string {
  return compileLabelSelector(selector).toString();
}

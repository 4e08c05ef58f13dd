/**
 * Scalar resolution as kubectl reads kubeconfigs: sigs.k8s.io/yaml's
 * `YAMLToJSON` decodes with go-yaml v2 (YAML 1.1 rules: `yes`/`on`/`y` are
 * booleans, `0o17`, `017`, `0x1F` and `0b101` are integers, `_` separates
 * digits, timestamps stay strings), then turns every mapping key into a
 * string (`strconv` formatting; floats with float32 precision).
 *
 * @module
 */

/** A resolved scalar: its value and the YAML type it resolved to. */
export interface YamlScalar {
  readonly kind: "null" | "bool" | "int" | "float" | "str";
  readonly value: null | boolean | number | string;
  /** For ints: the exact decimal digits (keys keep all of them). */
  readonly digits?: string;
}

const BOOLS: ReadonlyMap<string, boolean> = new Map([
  ..."y Y yes Yes YES true True TRUE on On ON".split(" ").map((s) => [s, true] as const),
  ..."n N no No NO false False FALSE off Off OFF".split(" ").map((s) => [s, false] as const),
]);
const NULLS: ReadonlySet<string> = new Set(["", "~", "null", "Null", "NULL"]);
const SPECIAL_FLOATS: ReadonlyMap<string, number> = new Map([
  ...".nan .NaN .NAN".split(" ").map((s) => [s, NaN] as const),
  ...".inf .Inf .INF +.inf +.Inf +.INF".split(" ").map((s) => [s, Infinity] as const),
  ...("-.inf -.Inf -.INF".split(" ").map((s) => [s, -Infinity] as const)),
]);
/** go-yaml's `yamlStyleFloat`. */
const YAML_FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** What Go's `strconv.ParseFloat` accepts in decimal (hex floats are not reached here). */
const GO_FLOAT_RE =
  /^[-+]?(?:[0-9]+(?:_[0-9]+)*\.?(?:[0-9]+(?:_[0-9]+)*)?|\.[0-9]+(?:_[0-9]+)*)(?:[eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)` (`unsigned`: `ParseUint`), or undefined. */
function parseGoInt(s: string, unsigned: boolean): bigint | undefined {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] as string;
  if (unsigned && sign !== "") return undefined;
  let body = m[2] as string;
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  else if (/^0[oO]/.test(body)) body = `0o${body.slice(2)}`;
  let n = BigInt(body.toLowerCase());
  if (sign === "-") n = -n;
  if (unsigned) return n <= UINT64_MAX ? n : undefined;
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

function int(n: bigint): YamlScalar {
  return { kind: "int", value: Number(n), digits: n.toString() };
}

/** Go's `strconv.ParseFloat(s, 64)` for a decimal text: undefined when invalid or out of range. */
function parseGoFloat(s: string): number | undefined {
  if (!GO_FLOAT_RE.test(s)) return undefined;
  const f = Number(s.replaceAll("_", ""));
  return Number.isFinite(f) ? f : undefined;
}

/**
 * Resolves an untagged plain scalar the way go-yaml v2 does.
 *
 * @param raw The scalar's text.
 * @returns Its type and value.
 */
export function resolvePlain(raw: string): YamlScalar {
  const first = raw[0];
  if (first === undefined || (first.charCodeAt(0) < 0x80 && /[-+0-9yYnNtTfFoO~.]/.test(first))) {
    if (NULLS.has(raw)) return { kind: "null", value: null };
    const bool = BOOLS.get(raw);
    if (bool !== undefined) return { kind: "bool", value: bool };
    const special = SPECIAL_FLOATS.get(raw);
    if (special !== undefined) return { kind: "float", value: special };
    if (first === ".") {
      const f = parseGoFloat(raw);
      if (f !== undefined) return { kind: "float", value: f };
    } else if (first !== undefined && /[-+0-9]/.test(first)) {
      // Timestamps (2001-12-14) resolve to strings when decoded into interface{}.
      const plain = raw.replaceAll("_", "");
      const i = parseGoInt(plain, false) ?? parseGoInt(plain, true);
      if (i !== undefined) return int(i);
      if (YAML_FLOAT_RE.test(plain)) {
        const f = parseGoFloat(plain);
        if (f !== undefined) return { kind: "float", value: f };
      }
      if (plain.startsWith("-0b")) {
        const b = /^-0b([01]+)$/.exec(plain);
        if (b) {
          const n = -BigInt(`0b${b[1]}`);
          if (n >= INT64_MIN) return int(n);
        }
      }
    }
  }
  return { kind: "str", value: raw };
}

/** The tags go-yaml v2 resolves; other tags leave a scalar a string. */
const RESOLVABLE: ReadonlySet<string> = new Set([
  "tag:yaml.org,2002:str",
  "tag:yaml.org,2002:bool",
  "tag:yaml.org,2002:int",
  "tag:yaml.org,2002:float",
  "tag:yaml.org,2002:null",
  "tag:yaml.org,2002:timestamp",
]);

/**
 * Resolves a tagged scalar (`!!int "1"`) the way go-yaml v2 does.
 *
 * @param tag The tag, in its long form (`tag:yaml.org,2002:int`).
 * @param raw The scalar's text (plain or quoted).
 * @returns The scalar, or a message when the text does not fit the tag.
 */
export function resolveTagged(tag: string, raw: string): YamlScalar | { readonly error: string } {
  if (!RESOLVABLE.has(tag) || tag === "tag:yaml.org,2002:str") return { kind: "str", value: raw };
  const short = tag.slice("tag:yaml.org,2002:".length);
  const resolved = resolvePlain(raw);
  if (short === "timestamp") {
    return /^[0-9]{4}-/.test(raw) ? { kind: "str", value: raw } : { error: `not a !!timestamp` };
  }
  if (resolved.kind === short) return resolved;
  if (short === "float" && resolved.kind === "int") return { kind: "float", value: resolved.value };
  return { error: `a !!${resolved.kind} value cannot be decoded as a !!${short}` };
}

/**
 * The string sigs.k8s.io/yaml makes of a mapping key.
 *
 * @param key The resolved key.
 * @returns The key text, or undefined when JSON cannot hold the key (null).
 */
export function keyString(key: YamlScalar): string | undefined {
  switch (key.kind) {
    case "str":
      return key.value as string;
    case "bool":
      return key.value ? "true" : "false";
    case "int":
      // Keys beyond int64 (uint64) are not converted by sigs.k8s.io/yaml.
      return key.digits !== undefined && BigInt(key.digits) <= INT64_MAX ? key.digits : undefined;
    case "float":
      return formatFloat32(key.value as number);
    case "null":
      return undefined;
  }
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 32)` with YAML's names for infinities and NaN. */
export function formatFloat32(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (f === Infinity) return ".inf";
  if (f === -Infinity) return "-.inf";
  const single = Math.fround(f);
  if (single === 0) return Object.is(single, -0) ? "-0" : "0";
  if (!Number.isFinite(single)) return single > 0 ? ".inf" : "-.inf";
  // The shortest decimal that reads back as the same float32.
  let digits = "";
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const [mantissa, e] = Math.abs(single).toExponential(p - 1).split("e") as [string, string];
    if (Math.fround(Number(`${mantissa}e${e}`)) === Math.abs(single)) {
      digits = mantissa.replace(".", "").replace(/0+$/, "") || "0";
      exp = Number(e);
      break;
    }
  }
  const sign = single < 0 ? "-" : "";
  if (exp < -4 || exp >= 6) {
    // %e: Go writes at least two exponent digits.
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`)
 * of the kinds the fake serves into the JSON objects the JSON API would have
 * carried, by walking the generated table in `_protobuf_schema.ts`.
 *
 * A body is the 4 bytes `k8s\0` then a `runtime.Unknown` message whose
 * `typeMeta` names the kind and whose `raw` bytes hold the object (see
 * "Protobuf encoding" in the Kubernetes API concepts documentation and
 * apimachinery's `pkg/runtime/serializer/protobuf`).
 *
 * JSON shape, as `encoding/json` writes the Go types: fields in struct
 * order; zero scalars left out unless the Go field is a pointer (on the
 * wire only when set) or has no `omitempty`; nested messages kept even when empty
 * (`emptyDir: {}`); `int64` as numbers; `bytes` as base64; maps as objects;
 * `Time` as RFC 3339 seconds, `MicroTime` with microseconds; `Duration` as
 * Go's duration string; `IntOrString` as a number or a string;
 * `RawExtension` and `FieldsV1` as the JSON they hold.
 *
 * @module
 */

import { PROTOBUF_KINDS, PROTOBUF_MESSAGES, type ProtobufField } from "./_protobuf_schema.ts";

/** A body that is not a Kubernetes protobuf object of a known kind. */
export class ProtobufDecodeError extends Error {
  /** @param message What is wrong, with the offset where it applies. */
  constructor(message: string) {
    super(message);
    this.name = "ProtobufDecodeError";
  }
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const FLAG_REPEATED = 1;
const FLAG_MAP = 2;
const FLAG_KEEP_ZERO = 4;
const FLAG_INLINE = 8;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A cursor over a protobuf message. */
class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  fail(what: string): never {
    throw new ProtobufDecodeError(`${what} at byte ${this.pos}`);
  }

  /** A varint as its low and high 32 bits (unsigned). */
  varint(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.bytes[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    this.fail("varint longer than 10 bytes");
  }

  /** A non-negative varint that fits a JS number (tags and lengths). */
  uint(): number {
    const [lo, hi] = this.varint();
    if (hi > 0x1fffff) this.fail("varint too large");
    return hi * 0x1_0000_0000 + lo;
  }

  take(n: number): [number, number] {
    const start = this.pos;
    if (n > this.end - start) this.fail("truncated field");
    this.pos += n;
    return [start, this.pos];
  }

  skip(wire: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        this.take(8);
        return;
      case 2:
        this.take(this.uint());
        return;
      case 5:
        this.take(4);
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }
}

function int64Of([lo, hi]: [number, number]): number {
  return hi >= 0x8000_0000 ? (hi - 0x1_0000_0000) * 0x1_0000_0000 + lo : hi * 0x1_0000_0000 + lo;
}

const VARINT_SCALARS: Readonly<Record<string, (v: [number, number]) => unknown>> = {
  bool: ([lo, hi]) => lo !== 0 || hi !== 0,
  int32: ([lo]) => lo | 0,
  uint32: ([lo]) => lo,
  int64: int64Of,
  uint64: ([lo, hi]) => hi * 0x1_0000_0000 + lo,
};

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Reads one scalar of `type` with wire type `wire` at the reader's position. */
function scalar(r: Reader, type: string, wire: number): unknown {
  const varint = VARINT_SCALARS[type];
  if (varint !== undefined) {
    if (wire !== 0) r.fail(`wire type ${wire} for ${type}`);
    return varint(r.varint());
  }
  if (type === "string" || type === "bytes") {
    if (wire !== 2) r.fail(`wire type ${wire} for ${type}`);
    const [start, end] = r.take(r.uint());
    const bytes = r.bytes.subarray(start, end);
    if (type === "bytes") return base64(bytes);
    try {
      return utf8.decode(bytes);
    } catch {
      return r.fail("string that is not UTF-8");
    }
  }
  const view = new DataView(r.bytes.buffer, r.bytes.byteOffset);
  if (type === "double" || type === "fixed64" || type === "sfixed64") {
    if (wire !== 1) r.fail(`wire type ${wire} for ${type}`);
    const [start] = r.take(8);
    if (type === "double") return view.getFloat64(start, true);
    const lo = view.getUint32(start, true);
    const hi = view.getUint32(start + 4, true);
    return type === "fixed64" ? hi * 0x1_0000_0000 + lo : int64Of([lo, hi]);
  }
  if (type === "float" || type === "fixed32" || type === "sfixed32") {
    if (wire !== 5) r.fail(`wire type ${wire} for ${type}`);
    const [start] = r.take(4);
    if (type === "float") return view.getFloat32(start, true);
    return type === "fixed32" ? view.getUint32(start, true) : view.getInt32(start, true);
  }
  return r.fail(`unsupported scalar type ${type}`);
}

function isScalar(type: string): boolean {
  return !type.startsWith("=") && !type.includes(".");
}

/** Reads the sub-message bytes of a length-delimited field. */
function subReader(r: Reader, wire: number): Reader {
  if (wire !== 2) r.fail(`wire type ${wire} for a message`);
  const [start, end] = r.take(r.uint());
  return new Reader(r.bytes, start, end);
}

/** Field number → raw values of a message, unparsed beyond the wire. */
function fieldsOf(r: Reader): Map<number, { wire: number; start: number }[]> {
  const out = new Map<number, { wire: number; start: number }[]>();
  while (r.pos < r.end) {
    const tag = r.uint();
    const number = Math.floor(tag / 8);
    const wire = tag & 7;
    if (number === 0) r.fail("field number 0");
    const start = r.pos;
    r.skip(wire);
    let list = out.get(number);
    if (list === undefined) out.set(number, list = []);
    list.push({ wire, start });
  }
  return out;
}

const RFC3339_TRIM = /\.\d{3}Z$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Go's `time.Duration.String()` of a count of nanoseconds. */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  let u = Math.abs(ns);
  const sign = ns < 0 ? "-" : "";
  const frac = (value: number, unit: number, digits: number): string => {
    const whole = Math.floor(value / unit);
    const rest = value - whole * unit;
    if (rest === 0) return String(whole);
    return `${whole}.${pad(rest, digits).replace(/0+$/, "")}`;
  };
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${frac(u, 1e3, 3)}µs`;
  if (u < 1e9) return `${sign}${frac(u, 1e6, 6)}ms`;
  const hours = Math.floor(u / 3.6e12);
  u -= hours * 3.6e12;
  const minutes = Math.floor(u / 6e10);
  u -= minutes * 6e10;
  let text = `${frac(u, 1e9, 9)}s`;
  if (hours > 0 || minutes > 0) text = `${minutes}m${text}`;
  if (hours > 0) text = `${hours}h${text}`;
  return sign + text;
}

/** Reads one field of a special message; undefined for a zero Time. */
function special(r: Reader, type: string): unknown {
  const fields = fieldsOf(r);
  const get = (n: number, t: string): unknown => {
    const last = fields.get(n)?.at(-1);
    if (last === undefined) return undefined;
    const at = new Reader(r.bytes, last.start, r.end);
    return scalar(at, t, last.wire);
  };
  switch (type) {
    case "=Quantity":
      return (get(1, "string") as string | undefined) ?? "0";
    case "=Time":
    case "=MicroTime": {
      const seconds = (get(1, "int64") as number | undefined) ?? 0;
      const nanos = (get(2, "int32") as number | undefined) ?? 0;
      if (seconds === 0 && nanos === 0) return undefined;
      const iso = new Date(seconds * 1000).toISOString();
      if (type === "=Time") return iso.replace(RFC3339_TRIM, "Z");
      return iso.replace(RFC3339_TRIM, `.${pad(Math.floor(nanos / 1000), 6)}Z`);
    }
    case "=Duration":
      return goDuration((get(1, "int64") as number | undefined) ?? 0);
    case "=IntOrString":
      return get(1, "int64") === 1
        ? (get(3, "string") as string | undefined) ?? ""
        : (get(2, "int32") as number | undefined) ?? 0;
    case "=RawExtension":
    case "=FieldsV1": {
      const raw = get(1, "bytes") as string | undefined;
      if (raw === undefined || raw === "") return undefined;
      const text = utf8.decode(Uint8Array.from(atob(raw), (c) => c.charCodeAt(0)));
      try {
        return JSON.parse(text);
      } catch {
        return r.fail(`${type.slice(1)} that is not JSON`);
      }
    }
    default:
      return r.fail(`unknown special type ${type}`);
  }
}

/** One value of a (non-map) field. */
function value(r: Reader, type: string, wire: number): unknown {
  if (isScalar(type)) return scalar(r, type, wire);
  const sub = subReader(r, wire);
  return type.startsWith("=") ? special(sub, type) : message(sub, type);
}

function isZero(v: unknown): boolean {
  return v === "" || v === 0 || v === false;
}

const indexCache = new Map<string, readonly ProtobufField[]>();

function schemaOf(name: string): readonly ProtobufField[] {
  let fields = indexCache.get(name);
  if (fields === undefined) {
    fields = PROTOBUF_MESSAGES[name];
    if (fields === undefined) throw new ProtobufDecodeError(`no schema for message ${name}`);
    indexCache.set(name, fields);
  }
  return fields;
}

/** Decodes a message of schema `name` into its JSON object. */
function message(r: Reader, name: string): Record<string, unknown> {
  const schema = schemaOf(name);
  const raw = fieldsOf(new Reader(r.bytes, r.pos, r.end));
  const out: Record<string, unknown> = {};
  for (const [number, jsonName, type, flags = 0] of schema) {
    const entries = raw.get(number);
    if (entries === undefined) continue;
    const at = (start: number) => new Reader(r.bytes, start, r.end);
    if (flags & FLAG_MAP) {
      const map: Record<string, unknown> = {};
      for (const e of entries) {
        const entry = fieldsOf(subReader(at(e.start), e.wire));
        const key = entry.get(1)?.at(-1);
        const val = entry.get(2)?.at(-1);
        const k = key === undefined ? "" : scalar(at(key.start), "string", key.wire) as string;
        map[k] = val === undefined
          ? (isScalar(type) ? (type === "string" || type === "bytes" ? "" : 0) : {})
          : value(at(val.start), type, val.wire);
      }
      out[jsonName] = map;
    } else if (flags & FLAG_REPEATED) {
      const list: unknown[] = [];
      for (const e of entries) {
        if (e.wire === 2 && isScalar(type) && type !== "string" && type !== "bytes") {
          // A packed run of numbers.
          const sub = subReader(at(e.start), e.wire);
          const wire = type === "double" || type.endsWith("fixed64")
            ? 1
            : type === "float" || type.endsWith("fixed32")
            ? 5
            : 0;
          while (sub.pos < sub.end) list.push(scalar(sub, type, wire));
        } else list.push(value(at(e.start), type, e.wire));
      }
      out[jsonName] = list;
    } else {
      const e = entries.at(-1)!;
      const v = value(at(e.start), type, e.wire);
      if (v === undefined) continue;
      if (flags & FLAG_INLINE) {
        Object.assign(out, v);
        continue;
      }
      if (!(flags & FLAG_KEEP_ZERO) && isScalar(type) && isZero(v)) continue;
      out[jsonName] = v;
    }
  }
  return out;
}

/** Whether `bytes` start with the Kubernetes protobuf magic number `k8s\0`. */
export function hasProtobufMagic(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Decodes a Kubernetes protobuf body into the JSON object of its kind:
 * `kind` and `apiVersion` first, as the JSON API writes them.
 *
 * @throws {ProtobufDecodeError} on a missing magic number, a malformed
 * message, a content encoding, or a kind without a schema.
 */
export function decodeProtobufObject(bytes: Uint8Array): Record<string, unknown> {
  if (!hasProtobufMagic(bytes)) {
    throw new ProtobufDecodeError('the body does not start with the protobuf magic "k8s\\x00"');
  }
  const envelope = fieldsOf(new Reader(bytes, MAGIC.length));
  /** The last value of a string field of a parsed message. */
  const text = (fields: ReturnType<typeof fieldsOf>, n: number): string => {
    const e = fields.get(n)?.at(-1);
    return e === undefined ? "" : scalar(new Reader(bytes, e.start), "string", e.wire) as string;
  };
  const encoding = text(envelope, 3);
  if (encoding !== "") {
    throw new ProtobufDecodeError(`unsupported contentEncoding ${JSON.stringify(encoding)}`);
  }
  let apiVersion = "";
  let kind = "";
  const typeMeta = envelope.get(1)?.at(-1);
  if (typeMeta !== undefined) {
    const tm = fieldsOf(subReader(new Reader(bytes, typeMeta.start), typeMeta.wire));
    apiVersion = text(tm, 1);
    kind = text(tm, 2);
  }
  const name = PROTOBUF_KINDS[`${apiVersion}/${kind}`];
  if (name === undefined) {
    throw new ProtobufDecodeError(
      `no protobuf schema for kind ${JSON.stringify(kind)} in ${JSON.stringify(apiVersion)}`,
    );
  }
  const raw = envelope.get(2)?.at(-1);
  const body = raw === undefined
    ? {}
    : message(subReader(new Reader(bytes, raw.start), raw.wire), name);
  return { kind, apiVersion, ...body };
}

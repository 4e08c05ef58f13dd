/**
 * Normalises server answers so that a fake and a real kube-apiserver can be compared: uids,
 * timestamps and generated name suffixes become placeholders, and resourceVersions become
 * tokens that keep their relations (the same value gets the same token; a list or bookmark
 * resourceVersion that is at least every resourceVersion seen so far is `latest`).
 *
 * @module
 */

// deno-lint-ignore no-explicit-any -- answers are arbitrary JSON
type Json = any;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const GENERATED_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/** Maps the resourceVersions of one scenario on one target to tokens. */
export class ResourceVersionTokens {
  readonly #tokens = new Map<string, string>();
  #max = -1;

  /** An object's resourceVersion: `rvN` in order of first appearance. */
  object(rv: unknown): string {
    if (typeof rv !== "string" || !/^\d+$/.test(rv)) return `<not an rv: ${JSON.stringify(rv)}>`;
    let token = this.#tokens.get(rv);
    if (token === undefined) {
      const older = Number(rv) < this.#max;
      token = `rv${this.#tokens.size + 1}${older ? "(older than an rv seen before)" : ""}`;
      this.#tokens.set(rv, token);
    }
    this.#max = Math.max(this.#max, Number(rv));
    return token;
  }

  /**
   * A list's or bookmark's resourceVersion: `latest` when at least every resourceVersion seen,
   * else the token of an object resourceVersion, else `older`. (A real server's list
   * resourceVersion is etcd's revision, which other writers such as lease updates move on.)
   */
  list(rv: unknown): string {
    if (typeof rv !== "string" || !/^\d+$/.test(rv)) return `<not an rv: ${JSON.stringify(rv)}>`;
    if (Number(rv) >= this.#max) {
      this.#max = Number(rv);
      return "latest";
    }
    return this.#tokens.get(rv) ?? "older";
  }

  /** The numeric value of the largest resourceVersion seen. */
  get max(): number {
    return this.#max;
  }
}

/** Replaces what differs between any two servers in an object, a list or a Status. */
export function normaliseAnswer(value: Json, rvs: ResourceVersionTokens): Json {
  if (typeof value === "string") return value.replace(UUID_ANYWHERE, "<uid>");
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => normaliseAnswer(v, rvs));
  const isList = typeof value.kind === "string" && value.kind.endsWith("List") &&
    Array.isArray(value.items);
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "metadata" && v !== null && typeof v === "object") {
      out[key] = isList ? normaliseListMeta(v, rvs) : normaliseObjectMeta(v, rvs);
    } else {
      out[key] = normaliseAnswer(v, rvs);
    }
  }
  return out;
}

function normaliseListMeta(meta: Json, rvs: ResourceVersionTokens): Json {
  const out: Record<string, Json> = { ...meta };
  if ("resourceVersion" in out) out.resourceVersion = rvs.list(out.resourceVersion);
  if (typeof out.continue === "string") out.continue = "<continue token>";
  return out;
}

/** Normalises `metadata` of one object. */
export function normaliseObjectMeta(meta: Json, rvs: ResourceVersionTokens): Json {
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(meta as Record<string, Json>)) {
    switch (key) {
      case "resourceVersion":
        out[key] = rvs.object(v);
        break;
      case "uid":
        out[key] = typeof v === "string" && UUID.test(v) ? "<uid>" : v;
        break;
      case "creationTimestamp":
      case "deletionTimestamp":
        out[key] = typeof v === "string" && TIME.test(v) ? "<time>" : v;
        break;
      case "name": {
        const prefix = meta.generateName;
        out[key] = typeof prefix === "string" && typeof v === "string" && v.startsWith(prefix) &&
            GENERATED_SUFFIX.test(v.slice(prefix.length))
          ? `${prefix}<generated>`
          : v;
        break;
      }
      case "managedFields":
        out[key] = Array.isArray(v) ? v.map(normaliseManagedFieldsEntry) : v;
        break;
      default:
        out[key] = v;
    }
  }
  return out;
}

function normaliseManagedFieldsEntry(entry: Json): Json {
  const out: Record<string, Json> = { ...entry };
  if (typeof out.time === "string" && TIME.test(out.time)) out.time = "<time>";
  // What a manager owns depends on the server's defaulting; who and how are compared.
  if ("fieldsV1" in out) out.fieldsV1 = "<fields>";
  return out;
}

/** Differences between two normalised answers, as `path: fake ≠ real` lines keyed by path. */
export function differences(fake: Json, real: Json, path = ""): Map<string, string> {
  const found = new Map<string, string>();
  walk(fake, real, path, found);
  return found;
}

function walk(a: Json, b: Json, path: string, found: Map<string, string>): void {
  if (a === b) return;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  const sameKind = !bothObjects || Array.isArray(a) || Array.isArray(b) || a.kind === b.kind;
  if (bothObjects && sameKind && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a)) {
      if (a.length !== b.length) {
        found.set(`${path}.length`, `${a.length} ≠ ${b.length}: ${show(a)} ≠ ${show(b)}`);
        return;
      }
      a.forEach((v: Json, i: number) => walk(v, b[i], `${path}[${i}]`, found));
      return;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) walk(a[key], b[key], path === "" ? key : `${path}.${key}`, found);
    return;
  }
  found.set(path, `${show(a)} ≠ ${show(b)}`);
}

function show(value: Json): string {
  const text = value === undefined ? "(absent)" : JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

/**
 * Query parameters of list and watch requests: parsing, Kubernetes' boolean
 * rules, and the validation of `ListOptions` (422 / 400 as a real server).
 *
 * @module
 */

import {
  type FieldMatcher,
  normalizeFieldSelector,
  parseFieldSelector,
  unsupportedFieldLabel,
} from "../api/field_selector.ts";
import { type LabelMatcher, parseLabelSelector } from "../api/label_selector.ts";
import type { ResourceDescriptor } from "../api/resource.ts";
import {
  badRequest,
  failure,
  type FieldError,
  forbiddenField,
  invalidListOptions,
  notSupportedField,
  StatusError,
} from "./_status.ts";

/** Kinds outside the core group whose field selectors have their own conversion function. */
const OWN_FIELD_LABEL_CONVERSIONS: ReadonlySet<string> = new Set([
  "ReplicaSet",
  "Job",
  "CertificateSigningRequest",
  "Event",
]);

/** Parsed, validated list/watch options. */
export interface ListOptions {
  /** Whether this is a watch. */
  watch: boolean;
  /** `resourceVersion` as sent (`""` when absent). */
  resourceVersion: string;
  /** Parsed resourceVersion; undefined for `""`. */
  rv: number | undefined;
  /** `resourceVersionMatch` (`""` when absent). */
  resourceVersionMatch: string;
  /** `sendInitialEvents`, undefined when absent. */
  sendInitialEvents: boolean | undefined;
  /** `allowWatchBookmarks`. */
  allowWatchBookmarks: boolean;
  /** `timeoutSeconds`, undefined when absent. */
  timeoutSeconds: number | undefined;
  /** `limit`; 0 means no limit. */
  limit: number;
  /** `continue` token (`""` when absent). */
  continueToken: string;
  /** Label selector, undefined when empty. */
  labelSelector: LabelMatcher | undefined;
  /** Field selector, undefined when empty. */
  fieldSelector: FieldMatcher | undefined;
}

/**
 * Kubernetes' query boolean: absent is undefined, `0`/`false` (any case) is
 * false, anything else (even an empty value) is true.
 */
export function queryBool(params: URLSearchParams, name: string): boolean | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  return !(value === "0" || value.toLowerCase() === "false");
}

function queryInt(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === "") return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw new StatusError(
      badRequest(`${name}: Invalid value: ${JSON.stringify(value)}: must be an integer`),
    );
  }
  return Number(value);
}

/** Parses a resourceVersion string; throws 400 for anything but a non-negative integer. */
export function parseResourceVersion(value: string): number {
  if (!/^\d+$/.test(value) || value.length > 19) {
    throw new StatusError(
      badRequest(
        `invalid resource version: resourceVersion: Invalid value: ${
          JSON.stringify(value)
        }: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`,
      ),
    );
  }
  return Number(value);
}

/**
 * kube-apiserver's wording (apimachinery `labels/selector.go`) of the two parse errors tests
 * meet most: a token where an operator belongs, and one where a value belongs.
 */
function labelParseMessage(message: string): string {
  const found = /found '([^']*)', expected (one of|a label value)/.exec(message);
  if (found === null) return message;
  return found[2] === "one of"
    ? `found '${found[1]}', expected: in, notin, =, ==, !=, gt, lt`
    : `found '${found[1]}', expected: identifier`;
}

/**
 * A watch gets the parse error as an untyped 500 (the watch cache reports it as an internal
 * error, without reason), a list the 400 of {@linkcode parseResourceVersion}.
 */
function watchAwareResourceVersion(value: string, watch: boolean): number {
  try {
    return parseResourceVersion(value);
  } catch (err) {
    if (!watch || !(err instanceof StatusError)) throw err;
    const status = failure(
      500,
      "",
      (err.status.message ?? "").replace(/^invalid resource version: /, ""),
    );
    delete status.reason;
    throw new StatusError(status);
  }
}

/** Context the validation needs. */
export interface ListOptionsContext {
  /** Whether the request is a watch. */
  watch: boolean;
  /** The resource (for field-selector support). */
  resource: ResourceDescriptor;
  /** Whether streaming lists (`sendInitialEvents`) are supported. */
  streamingLists: boolean;
}

/**
 * Parses and validates list/watch query parameters as kube-apiserver does
 * (§1.2–1.4 of the protocol notes). Throws a {@linkcode StatusError}: 400
 * for unparsable values and selectors, 422 for invalid combinations.
 */
export function parseListOptions(
  params: URLSearchParams,
  context: ListOptionsContext,
): ListOptions {
  const { watch, resource, streamingLists } = context;
  const resourceVersion = params.get("resourceVersion") ?? "";
  const resourceVersionMatch = params.get("resourceVersionMatch") ?? "";
  const continueToken = params.get("continue") ?? "";
  const sendInitialEvents = queryBool(params, "sendInitialEvents");

  const errors: FieldError[] = [];
  const rvm = "resourceVersionMatch";
  if (watch) {
    if (sendInitialEvents !== undefined) {
      if (!streamingLists) {
        errors.push(
          forbiddenField(
            "sendInitialEvents",
            "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
          ),
        );
      } else if (resourceVersionMatch !== "NotOlderThan") {
        errors.push(
          forbiddenField(
            rvm,
            "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
          ),
        );
      }
    }
    if (resourceVersionMatch !== "") {
      if (sendInitialEvents === undefined) {
        errors.push(
          forbiddenField(
            rvm,
            "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
          ),
        );
      }
      if (resourceVersionMatch !== "NotOlderThan") {
        errors.push(notSupportedField(rvm, resourceVersionMatch, ["NotOlderThan"]));
      }
      if (continueToken !== "") {
        errors.push(
          forbiddenField(rvm, "resourceVersionMatch is forbidden when continue is provided"),
        );
      }
    }
  } else {
    if (resourceVersionMatch !== "") {
      if (resourceVersion === "") {
        errors.push(
          forbiddenField(
            rvm,
            "resourceVersionMatch is forbidden unless resourceVersion is provided",
          ),
        );
      }
      if (continueToken !== "") {
        errors.push(
          forbiddenField(rvm, "resourceVersionMatch is forbidden when continue is provided"),
        );
      }
      if (resourceVersionMatch !== "Exact" && resourceVersionMatch !== "NotOlderThan") {
        errors.push(notSupportedField(rvm, resourceVersionMatch, ["Exact", "NotOlderThan", ""]));
      }
      if (resourceVersionMatch === "Exact" && resourceVersion === "0") {
        errors.push(
          forbiddenField(rvm, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'),
        );
      }
    }
    if (sendInitialEvents !== undefined) {
      errors.push(forbiddenField("sendInitialEvents", "sendInitialEvents is forbidden for list"));
    }
  }
  if (errors.length > 0) throw new StatusError(invalidListOptions(errors));

  const rv = resourceVersion === "" ? undefined : watchAwareResourceVersion(resourceVersion, watch);

  let labelSelector: LabelMatcher | undefined;
  const labelText = params.get("labelSelector");
  if (labelText !== null && labelText !== "") {
    try {
      const matcher = parseLabelSelector(labelText);
      if (!matcher.empty) labelSelector = matcher;
    } catch (err) {
      throw new StatusError(
        badRequest(
          `unable to parse requirement: ${
            labelParseMessage(err instanceof Error ? err.message : String(err))
          }`,
        ),
      );
    }
  }

  let fieldSelector: FieldMatcher | undefined;
  const fieldText = params.get("fieldSelector");
  if (fieldText !== null && fieldText !== "") {
    let matcher: FieldMatcher;
    try {
      matcher = parseFieldSelector(fieldText);
    } catch (err) {
      const term = fieldText.split(",").find((t) => !t.includes("="));
      throw new StatusError(
        badRequest(
          term !== undefined
            ? `invalid selector: '${fieldText}'; can't understand '${term}'`
            : `invalid field selector: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    }
    const unsupported = unsupportedFieldLabel(resource.kind, resource.namespaced, matcher);
    if (unsupported !== undefined) {
      // Kinds with their own field label conversion name the label; the rest share apimachinery's default.
      throw new StatusError(
        badRequest(
          resource.group === "" && resource.kind !== "ConfigMap" ||
            OWN_FIELD_LABEL_CONVERSIONS.has(resource.kind)
            ? `field label not supported: ${unsupported}`
            : `"${unsupported}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
        ),
      );
    }
    if (!matcher.empty) fieldSelector = normalizeFieldSelector(resource.kind, matcher);
  }

  const limit = Math.max(0, queryInt(params, "limit") ?? 0);
  const timeoutSeconds = queryInt(params, "timeoutSeconds");

  return {
    watch,
    resourceVersion,
    rv,
    resourceVersionMatch,
    sendInitialEvents,
    allowWatchBookmarks: queryBool(params, "allowWatchBookmarks") ?? false,
    timeoutSeconds,
    limit,
    continueToken,
    labelSelector,
    fieldSelector,
  };
}

/** What a continue token carries. */
export interface ContinueToken {
  /** Snapshot resourceVersion; -1 means "continue at the latest, inconsistently". */
  rv: number;
  /** Continue with keys at or after this one (the last key returned plus a NUL). */
  start: string;
}

function base64UrlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function base64UrlDecode(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError("illegal base64 data");
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") +
    "===".slice(0, (4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** Encodes a continue token: base64url of `{"v":"meta.k8s.io/v1","rv":…,"start":…}`. */
export function encodeContinue(token: ContinueToken): string {
  return base64UrlEncode(
    JSON.stringify({ v: "meta.k8s.io/v1", rv: token.rv, start: token.start }),
  );
}

/** Decodes a continue token; throws 400 `invalid continue token: …` when malformed. */
export function decodeContinue(text: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(base64UrlDecode(text));
  } catch {
    throw new StatusError(
      badRequest("invalid continue token: continue key is not valid: illegal base64 data or JSON"),
    );
  }
  const value = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (
    typeof parsed !== "object" || parsed === null || value.v !== "meta.k8s.io/v1" ||
    typeof value.rv !== "number" || !Number.isInteger(value.rv) ||
    typeof value.start !== "string" || value.start === "" || value.rv === 0
  ) {
    throw new StatusError(
      badRequest(
        "invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
      ),
    );
  }
  const start = value.start;
  if (start.includes("..") || start.startsWith("/")) {
    throw new StatusError(
      badRequest("invalid continue token: continue key is not valid: path traversal attempt"),
    );
  }
  return { rv: value.rv, start };
}

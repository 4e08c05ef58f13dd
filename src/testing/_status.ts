/**
 * Builders for the `metav1.Status` bodies the fake apiserver returns, with
 * the messages, reasons and details a real kube-apiserver uses.
 *
 * @module
 */

import type { Status, StatusCause, StatusDetails } from "../api/meta.ts";
import type { ResourceDescriptor } from "../api/resource.ts";

/**
 * A request failed with a Status. Thrown inside the server and turned into
 * an HTTP response (or an {@linkcode ApiError} by the direct API).
 */
export class StatusError extends Error {
  /** The Status body. */
  readonly status: Status;
  /** Extra response headers, such as `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: Status, headers?: Record<string, string>) {
    headers ??= {};
    super(status.message ?? `status ${status.code}`);
    this.name = "StatusError";
    this.status = status;
    this.headers = headers;
  }
}

/** Builds a failure Status. */
export function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): Status {
  const status: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
  };
  if (details !== undefined) status.details = details;
  status.code = code;
  return status;
}

/** `pods` or `deployments.apps`: how messages name a resource. */
export function qualifiedResource(resource: ResourceDescriptor): string {
  return resource.group === "" ? resource.plural : `${resource.plural}.${resource.group}`;
}

function resourceDetails(resource: ResourceDescriptor, name: string): StatusDetails {
  const details: StatusDetails = { name };
  if (resource.group !== "") details.group = resource.group;
  details.kind = resource.plural;
  return details;
}

/** 404: `pods "x" not found`. */
export function notFound(resource: ResourceDescriptor, name: string): Status {
  return failure(
    404,
    "NotFound",
    `${qualifiedResource(resource)} "${name}" not found`,
    resourceDetails(resource, name),
  );
}

/** 404 for a path under a known API prefix that names no resource. */
export function resourceNotFound(): Status {
  return failure(404, "NotFound", "the server could not find the requested resource", {});
}

/** 409: `pods "x" already exists`. */
export function alreadyExists(resource: ResourceDescriptor, name: string): Status {
  return failure(
    409,
    "AlreadyExists",
    `${qualifiedResource(resource)} "${name}" already exists`,
    resourceDetails(resource, name),
  );
}

/** The default detail of a resourceVersion conflict. */
export const OBJECT_MODIFIED =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 409: `Operation cannot be fulfilled on pods "x": …`. */
export function conflict(
  resource: ResourceDescriptor,
  name: string,
  detail: string = OBJECT_MODIFIED,
): Status {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${detail}`,
    resourceDetails(resource, name),
  );
}

/** One field validation error, as Kubernetes' `field.Error`. */
export interface FieldError {
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueForbidden`, `FieldValueNotSupported`, `FieldValueTooLong`. */
  type:
    | "FieldValueInvalid"
    | "FieldValueRequired"
    | "FieldValueForbidden"
    | "FieldValueNotSupported"
    | "FieldValueTooLong";
  /** Path such as `metadata.name`. */
  field: string;
  /** The offending value, for invalid / not-supported errors (numbers print bare, as Go's %v). */
  value?: string | number;
  /** Explanation. */
  detail: string;
  /** Supported values, for not-supported errors. */
  supported?: readonly string[];
}

function fieldErrorBody(err: FieldError): string {
  switch (err.type) {
    case "FieldValueInvalid":
      return `Invalid value: ${
        typeof err.value === "number" ? String(err.value) : JSON.stringify(err.value ?? "")
      }: ${err.detail}`;
    case "FieldValueRequired":
      return err.detail === "" ? "Required value" : `Required value: ${err.detail}`;
    case "FieldValueForbidden":
      return `Forbidden: ${err.detail}`;
    case "FieldValueTooLong":
      return `Too long: ${err.detail}`;
    case "FieldValueNotSupported":
      return `Unsupported value: ${JSON.stringify(err.value ?? "")}: supported values: ${
        (err.supported ?? []).map((v) => JSON.stringify(v)).join(", ")
      }`;
  }
}

/** Builds a FieldError of type Invalid. */
export function invalidField(field: string, value: string | number, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, value, detail };
}

/** Builds a FieldError of type Required. */
export function requiredField(field: string, detail: string): FieldError {
  return { type: "FieldValueRequired", field, detail };
}

/** Builds a FieldError of type Forbidden. */
export function forbiddenField(field: string, detail: string): FieldError {
  return { type: "FieldValueForbidden", field, detail };
}

/** Builds a FieldError of type NotSupported. */
export function notSupportedField(
  field: string,
  value: string,
  supported: readonly string[],
): FieldError {
  return { type: "FieldValueNotSupported", field, value, detail: "", supported };
}

/**
 * 422: `Pod "x" is invalid: metadata.name: Required value: …`. `group` and
 * `kind` name the kind (`ListOptions` in `meta.k8s.io` for list options).
 */
export function invalid(
  group: string,
  kind: string,
  name: string,
  errors: readonly FieldError[],
): Status {
  const qualifiedKind = group === "" ? kind : `${kind}.${group}`;
  const parts = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const aggregate = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const causes: StatusCause[] = errors.map((e) => ({
    reason: e.type,
    message: fieldErrorBody(e),
    field: e.field,
  }));
  // Go's omitempty: an unnamed object (list options, a create without a name) has no name.
  const details: StatusDetails = name === "" ? {} : { name };
  if (group !== "") details.group = group;
  details.kind = kind;
  details.causes = causes;
  return failure(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${aggregate}`, details);
}

/** 422 for list/watch options (`ListOptions.meta.k8s.io "" is invalid: …`). */
export function invalidListOptions(errors: readonly FieldError[]): Status {
  return invalid("meta.k8s.io", "ListOptions", "", errors);
}

/** 400 BadRequest with a message. */
export function badRequest(message: string): Status {
  return failure(400, "BadRequest", message);
}

/** 410 Expired; `continueToken` goes into `metadata.continue`. */
export function expired(message: string, continueToken?: string): Status {
  const status = failure(410, "Expired", message);
  if (continueToken !== undefined) status.metadata = { continue: continueToken };
  return status;
}

/** Message of a 410 for an Exact list at a compacted resourceVersion. */
export const EXPIRED_LIST = "The resourceVersion for the provided list is too old.";

/** Message of a 410 for a continue token whose snapshot was compacted. */
export const EXPIRED_CONTINUE = "The provided continue parameter is too old " +
  "to display a consistent list result. You can start a new list without " +
  "the continue parameter, or use the continue token in this response to " +
  "retrieve the remainder of the results. Continuing with the provided " +
  "token results in an inconsistent list - objects that were created, " +
  "modified, or deleted between the time the first chunk was returned " +
  "and now may show up in the list.";

/** In-stream 410 of a watch whose resourceVersion is older than the history. */
export function tooOldResourceVersion(requested: number, oldest: number): Status {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

/** 504 for a resourceVersion newer than the server has (with `retryAfterSeconds: 1`). */
export function tooLargeResourceVersion(requested: number, current: number): Status {
  return failure(
    504,
    "Timeout",
    `Timeout: Too large resource version: ${requested}, current: ${current}`,
    {
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
      retryAfterSeconds: 1,
    },
  );
}

/** 405. */
export function methodNotAllowed(): Status {
  return failure(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
    {},
  );
}

/** 406 for an Accept header the server cannot satisfy. */
export function notAcceptable(accepted: readonly string[]): Status {
  return failure(
    406,
    "NotAcceptable",
    `only the following media types are accepted: ${accepted.join(", ")}`,
  );
}

/** 415 for a body media type the server does not read. */
export function unsupportedMediaType(_mediaType: string, accepted: readonly string[]): Status {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${
      accepted.join(", ")
    }`,
  );
}

/** 415 for a PATCH whose content type is no patch type (kube-apiserver's bare message). */
export function unsupportedPatchType(): Status {
  return failure(415, "UnsupportedMediaType", "415: Unsupported Media Type", {});
}

/** 413 for a body over the size limit. */
export function entityTooLarge(limit: number): Status {
  return failure(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`);
}

/** 401. */
export function unauthorized(): Status {
  return failure(401, "Unauthorized", "Unauthorized");
}

/** 500. */
export function internalError(message: string): Status {
  return failure(500, "InternalError", `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/**
 * The Status of an error no handler expected: 500 InternalError, except that
 * running out of stack on a deeply nested body (which JavaScript engines'
 * own JSON serialisers can, below the nesting a real server accepts) is the
 * client's 400.
 */
export function unexpectedError(err: unknown): StatusError {
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new StatusError(
      badRequest("the request nests objects or arrays too deeply for the fake apiserver"),
    );
  }
  return new StatusError(
    internalError(err instanceof Error ? `${err.name}: ${err.message}` : "unexpected error"),
  );
}

/** Success Status returned by deletes of resources that do not return the object. */
export function success(
  resource: ResourceDescriptor,
  name: string,
  uid: string | undefined,
): Status {
  const details = resourceDetails(resource, name);
  if (uid !== undefined) details.uid = uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}

/** The reason Kubernetes uses for an HTTP status code, and a default message. */
export function defaultsForCode(code: number): { reason: string; message: string } {
  switch (code) {
    case 400:
      return {
        reason: "BadRequest",
        message: "the server rejected our request for an unknown reason",
      };
    case 401:
      return { reason: "Unauthorized", message: "Unauthorized" };
    case 403:
      return { reason: "Forbidden", message: "forbidden" };
    case 404:
      return { reason: "NotFound", message: "the server could not find the requested resource" };
    case 405:
      return {
        reason: "MethodNotAllowed",
        message: "the server does not allow this method on the requested resource",
      };
    case 409:
      return { reason: "Conflict", message: "the server reported a conflict" };
    case 410:
      return { reason: "Expired", message: "the resource requested is no longer available" };
    case 422:
      return {
        reason: "Invalid",
        message: "the server rejected our request due to an error in our request",
      };
    case 429:
      return { reason: "TooManyRequests", message: "Too many requests, please try again later." };
    case 500:
      return {
        reason: "InternalError",
        message: "an error on the server has prevented the request from succeeding",
      };
    case 503:
      return {
        reason: "ServiceUnavailable",
        message: "the server is currently unable to handle the request",
      };
    case 504:
      return {
        reason: "Timeout",
        message:
          "the server was unable to return a response in the time allotted, but may still be processing the request",
      };
    default:
      return { reason: "", message: `an error on the server (status ${code})` };
  }
}

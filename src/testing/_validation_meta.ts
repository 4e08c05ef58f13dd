/**
 * Validation of labels, annotations and ConfigMap/Secret keys with the rules and messages of
 * kube-apiserver (`apimachinery/pkg/util/validation` and `api/validation/objectmeta.go`).
 *
 * @module
 */

import type { ObjectMeta } from "../api/meta.ts";
import { type FieldError, invalidField } from "./_status.ts";

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY_MESSAGE =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** Bytes of all annotations together that a real server accepts. */
const TOTAL_ANNOTATION_BYTES = 256 * 1024;

const utf8 = new TextEncoder();

/** The problems of a qualified name (label or annotation key), as their detail messages. */
export function qualifiedNameProblems(key: string): string[] {
  const parts = key.split("/");
  let name: string;
  const problems: string[] = [];
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) problems.push("prefix part must be non-empty");
    else {
      if (prefix.length > 253) problems.push("prefix part must be no more than 253 bytes");
      if (!SUBDOMAIN.test(prefix)) problems.push(`prefix part ${SUBDOMAIN_MESSAGE}`);
    }
  } else {
    return [
      `a qualified name ${QUALIFIED_NAME_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) problems.push("name part must be non-empty");
  else {
    if (name.length > 63) problems.push("name part must be no more than 63 bytes");
    if (!QUALIFIED_NAME.test(name)) problems.push(`name part ${QUALIFIED_NAME_MESSAGE}`);
  }
  return problems;
}

/** Field errors of `metadata.labels` and `metadata.annotations`, in a real server's order. */
export function validateLabelsAndAnnotations(meta: ObjectMeta): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const problem of qualifiedNameProblems(key)) {
      errors.push(invalidField("metadata.labels", key, problem));
    }
    if (typeof value !== "string") continue;
    if (value.length > 63) {
      errors.push(invalidField("metadata.labels", value, "must be no more than 63 bytes"));
    }
    if (!LABEL_VALUE.test(value)) {
      errors.push(invalidField("metadata.labels", value, LABEL_VALUE_MESSAGE));
    }
  }
  let total = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    for (const problem of qualifiedNameProblems(key.toLowerCase())) {
      errors.push(invalidField("metadata.annotations", key, problem));
    }
    total += utf8.encode(key).length + utf8.encode(typeof value === "string" ? value : "").length;
  }
  if (total > TOTAL_ANNOTATION_BYTES) {
    errors.push({
      type: "FieldValueTooLong",
      field: "metadata.annotations",
      detail: `may not be more than ${TOTAL_ANNOTATION_BYTES} bytes`,
    });
  }
  return errors;
}

/** Field errors of the keys of a ConfigMap's or Secret's `data` (and `binaryData`). */
export function validateDataKeys(
  body: Record<string, unknown>,
  fields: readonly string[],
): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of fields) {
    const data = body[field];
    if (typeof data !== "object" || data === null || Array.isArray(data)) continue;
    for (const key of Object.keys(data)) {
      if (key.length > 253) {
        errors.push(invalidField(`${field}[${key}]`, key, "must be no more than 253 bytes"));
      }
      if (!CONFIG_KEY.test(key)) {
        errors.push(invalidField(`${field}[${key}]`, key, CONFIG_KEY_MESSAGE));
      } else if (key === "." || key === "..") {
        errors.push(invalidField(`${field}[${key}]`, key, `must not be '${key}'`));
      } else if (key.startsWith("..")) {
        errors.push(invalidField(`${field}[${key}]`, key, "must not start with '..'"));
      }
    }
  }
  return errors;
}

/**
 * Field errors of a write's content: labels and annotations, and the data keys of the kinds
 * that hold config keys (`fields`, when given).
 */
export function validateContent(
  meta: ObjectMeta,
  input: Record<string, unknown>,
  dataFields: readonly string[] | undefined,
): FieldError[] {
  const errors = validateLabelsAndAnnotations(meta);
  if (dataFields !== undefined) errors.push(...validateDataKeys(input, dataFields));
  return errors;
}

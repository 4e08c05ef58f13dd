/**
 * Object names, checked as the core validation does: DNS-1123 subdomains by
 * default, DNS-1123 labels for namespaces and DNS-1035 labels for services.
 *
 * @module
 */

import type { ResourceTable } from "./_object_store.ts";
import { type FieldError, invalidField } from "./_status.ts";

/** A name rule: its pattern, its longest length and the message of a mismatch. */
interface NameRule {
  readonly pattern: RegExp;
  readonly maxLength: number;
  readonly message: string;
}

const SUBDOMAIN: NameRule = {
  pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
  maxLength: 253,
  message:
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
};

/** The DNS-1123 label rule (namespace names, and the namespace of an object). */
export const DNS1123_LABEL: NameRule = {
  pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  maxLength: 63,
  message:
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
};

const DNS1035_LABEL: NameRule = {
  pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
  maxLength: 63,
  message:
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
};

/** Built-in resources whose names follow another rule than DNS-1123 subdomains. */
const NAME_RULES: Readonly<Record<string, NameRule>> = {
  "/namespaces": DNS1123_LABEL,
  "/services": DNS1035_LABEL,
};

/** Field errors of an object name (length first, then characters, as the real messages come). */
export function validateName(table: ResourceTable, name: string): FieldError[] {
  const rule = NAME_RULES[table.id] ?? SUBDOMAIN;
  const field = "metadata.name";
  const errors: FieldError[] = [];
  if (name.length > rule.maxLength) {
    errors.push(invalidField(field, name, `must be no more than ${rule.maxLength} characters`));
  }
  if (!rule.pattern.test(name)) errors.push(invalidField(field, name, rule.message));
  return errors;
}

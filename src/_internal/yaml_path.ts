/**
 * Key paths into a parsed YAML document, and how error messages show them
 * without repeating a key that may be a credential pasted in the wrong place.
 *
 * @module
 */

/** A key path into a parsed document: mapping keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/**
 * Whether a key may appear in a message: at most 64 characters of
 * `[A-Za-z0-9_./-]` without a run of 16 or more letters and digits. Field and
 * entry names pass (`client-key-data`, `kind-kind`, `example.com/ext`);
 * tokens, base64 data and other long random runs do not.
 *
 * @param key A mapping key.
 * @returns True when the key can be shown.
 */
export function isShowableKey(key: string): boolean {
  return /^[A-Za-z0-9_./-]{1,64}$/.test(key) && !/[A-Za-z0-9]{16}/.test(key);
}

/**
 * Formats a key path for messages: `clusters[0].cluster["x.y"]`. A key that
 * {@linkcode isShowableKey} rejects is written `[<hidden key>]`; a path deeper
 * than 24 keeps its first 8 and last 4 parts.
 *
 * @param path The key path.
 * @returns A readable path, or `(document)` for the root.
 */
export function formatYamlPath(path: YamlPath): string {
  let out = "";
  // A deep path (an error in deeply nested input) keeps its first and last parts.
  const parts = path.length > 24
    ? [...path.slice(0, 8), `…${path.length - 12} more…`, ...path.slice(-4)]
    : path;
  for (const [i, part] of parts.entries()) {
    if (parts !== path && i === 8) {
      out += `.${part}`;
      continue;
    }
    if (typeof part === "number") out += `[${part}]`;
    else if (!isShowableKey(part)) out += "[<hidden key>]";
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === "" ? "(document)" : out;
}

/**
 * Keeping credentials out of errors. A server, a proxy in front of it or a
 * credential plugin may echo what it was sent (`upstream error for Bearer
 * …`); everything the client reports passes through one
 * {@linkcode SecretRedactor}, which knows the credential values the client
 * sent and also recognises credential-shaped text (an `Authorization` value,
 * a PEM private key).
 *
 * @module
 */

/**
 * What a removed secret is replaced with.
 *
 * @example The marker
 * ```ts
 * import { REDACTED } from "./secret_redaction.ts";
 * console.log(REDACTED); // "[redacted]"
 * ```
 */
export const REDACTED: string = "[redacted]";

const REDACTED_PRIVATE_KEY = "[redacted private key]";
/** Secrets shorter than this are removed only where they appear as a whole credential. */
const MIN_BARE_SECRET_LENGTH = 4;
/** Credential values remembered (each with its derived forms); rotated tokens push out old ones. */
const MAX_REMEMBERED = 8;
/** Nesting followed inside error properties, causes and Status objects. */
const MAX_DEPTH = 32;

const BEARER = /\b(Bearer)(\s+)[^\s"'`,;<>]+/gi;
const BASIC = /\b(Basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})/gi;
/** An `Authorization:` header value; its scheme (`Bearer`, `Basic`, …) is kept. */
const AUTHORIZATION_HEADER =
  /\b((?:Proxy-)?Authorization\s*[:=]\s*)(?:([A-Za-z][\w-]*)(\s+))?[^\s"'`,;<>]+/gi;
const PEM_PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/** A JSON Web Token (service-account and OIDC tokens), or an EKS `k8s-aws-v1.` token. */
const TOKEN_LIKE = /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*|\bk8s-aws-v1\.[\w-]{16,}/g;
/** Base64 of `-----BEGIN`: the start of a `client-key-data` value. */
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;
/**
 * A JSON member whose name says it holds a secret: `"token": "…"`,
 * `"clientKeyData": "…"`, also inside a JSON string (`\"token\":\"…\"`).
 */
const JSON_SECRET_MEMBER =
  /((\\*)"[\w.-]*(?:token|password|passwd|secret|credential|key)[\w.-]*\2"\s*:\s*)\2"[^\r\n]*?(?<!\\)\2"/gi;
/**
 * `token: …`, `password=…` and the like, as plugins print them; a value that
 * is itself such a name (`secret: token: …`) is left for the next match.
 */
const SECRET_PAIR =
  /\b([\w.-]*(?:token|password|passwd|secret|apikey|api[_-]key|key[_-]?data)[\w.-]*)(\s*[:=]\s*)(?![\w.-]*(?:token|password|passwd|secret)[\w.-]*\s*[:=])("[^"\r\n]*"|'[^'\r\n]*'|[^\s"',;&]+)/gi;

/**
 * Removes credentials from text, values and errors. It knows the
 * credential values it was told about ({@linkcode SecretRedactor.addAuthorization},
 * {@linkcode SecretRedactor.addSecret}) in every form they take in text (the
 * bearer token; the Basic base64, `user:password` and password; JSON- and
 * URL-escaped), and it also removes any `Bearer …` or `Basic …` value, any
 * `Authorization:` header value, anything shaped like a JSON Web Token and any
 * PEM private key (also base64-encoded, as in `client-key-data`).
 *
 * @example Removing a token a proxy echoed
 * ```ts
 * import { SecretRedactor } from "./secret_redaction.ts";
 * const redactor = new SecretRedactor();
 * redactor.addAuthorization("Bearer sekret-token-123");
 * console.log(redactor.redactText("upstream said: invalid sekret-token-123"));
 * // "upstream said: invalid [redacted]"
 * ```
 */
export class SecretRedactor {
  /** Remembered credentials, newest last; each entry lists its forms. */
  #entries: { readonly key: string; readonly forms: readonly string[] }[] = [];
  /** Every form of every remembered credential, longest first. */
  #forms: string[] = [];

  /**
   * Remembers an `Authorization` header value the client sent: the whole
   * value, a bearer token, or for Basic the base64, `user:password` and
   * password.
   *
   * @param value The header value.
   */
  addAuthorization(value: string): void {
    const match = /^\s*([A-Za-z][\w-]*)\s+(\S+)\s*$/.exec(value);
    if (!match) {
      this.#remember(value, [value], []);
      return;
    }
    const credential = match[2]!;
    const whole = [credential];
    const bare: string[] = [];
    if (match[1]!.toLowerCase() === "basic") {
      const decoded = decodeBase64Text(credential);
      if (decoded !== undefined) {
        whole.push(decoded);
        const colon = decoded.indexOf(":");
        if (colon !== -1) bare.push(decoded.slice(colon + 1));
      }
    }
    this.#remember(value, whole, bare);
  }

  /**
   * Remembers one more secret value (such as a client key).
   *
   * @param value The secret.
   */
  addSecret(value: string): void {
    this.#remember(value, [value], []);
  }

  /**
   * Text with every known secret and every credential-shaped value replaced
   * by {@linkcode REDACTED}.
   *
   * @param text Any text.
   * @returns The text without credentials.
   */
  redactText(text: string): string {
    let result = text;
    for (const form of this.#forms) {
      if (result.includes(form)) result = result.split(form).join(REDACTED);
    }
    return redactCredentialPatterns(result);
  }

  /**
   * A copy of a JSON-like value (a `Status`) with {@linkcode SecretRedactor.redactText}
   * applied to every string, keys included; the value itself when nothing
   * changed. Nesting deeper than 32 levels is replaced by {@linkcode REDACTED}.
   *
   * @typeParam V The value's type.
   * @param value The value.
   * @returns The redacted value.
   */
  redactValue<V>(value: V): V {
    return this.#value(value, 0) as V;
  }

  /**
   * Removes credentials from an error in place: its message, stack, own
   * enumerable properties (an `ApiError`'s `status`) and, recursively, its
   * `cause` chain. A thrown string is returned redacted.
   *
   * @param err Any thrown value.
   * @returns The same error (or the redacted string).
   */
  redactError(err: unknown): unknown {
    return this.#error(err, 0);
  }

  /**
   * @param key The credential as sent.
   * @param whole Forms removed wherever they appear, however short.
   * @param bare Parts (a password) removed only when long enough not to be an ordinary word.
   */
  #remember(key: string, whole: readonly string[], bare: readonly string[]): void {
    if (key === "" || this.#entries.some((entry) => entry.key === key)) return;
    const forms = [...whole, ...bare.filter((part) => part.length >= MIN_BARE_SECRET_LENGTH)];
    this.#entries.push({ key, forms: withEscapedForms(forms) });
    if (this.#entries.length > MAX_REMEMBERED) this.#entries.shift();
    const all = new Set<string>();
    for (const entry of this.#entries) for (const form of entry.forms) all.add(form);
    this.#forms = [...all].sort((a, b) => b.length - a.length);
  }

  #value(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.redactText(value);
    if (typeof value !== "object" || value === null) return value;
    if (depth >= MAX_DEPTH) return REDACTED;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = this.#value(value[i], depth + 1);
        if (item !== value[i]) copy ??= value.slice();
        if (copy) copy[i] = item;
      }
      return copy ?? value;
    }
    let copy: Record<string, unknown> | undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [key, item] of entries) {
      const newKey = this.redactText(key);
      const newItem = this.#value(item, depth + 1);
      if (newKey !== key || newItem !== item) {
        copy ??= Object.fromEntries(entries);
        if (newKey !== key) delete copy[key];
        copy[newKey] = newItem;
      }
    }
    return copy ?? value;
  }

  #error(err: unknown, depth: number): unknown {
    if (!(err instanceof Error)) return this.#value(err, depth);
    if (depth >= MAX_DEPTH) return err;
    const target = err as unknown as Record<string, unknown>;
    const set = (key: string, value: unknown) => {
      if (target[key] === value) return;
      try {
        Object.defineProperty(err, key, { value, writable: true, configurable: true });
      } catch {
        // A frozen error cannot be changed; its properties were checked as far as possible.
      }
    };
    set("message", this.redactText(err.message));
    if (typeof err.stack === "string") set("stack", this.redactText(err.stack));
    for (const key of Object.keys(err)) set(key, this.#value(target[key], depth + 1));
    if ("cause" in err) set("cause", this.#error(err.cause, depth + 1));
    if (err instanceof AggregateError && Array.isArray(err.errors)) {
      set("errors", err.errors.map((item: unknown) => this.#error(item, depth + 1)));
    }
    return err;
  }
}

/**
 * Removes what looks like a credential without knowing its value: `Bearer`
 * and `Basic` values, `Authorization:` header values, JSON Web Tokens and EKS
 * tokens, and PEM private keys (also base64-encoded).
 *
 * @param text Any text.
 * @returns The text without those values.
 *
 * @example A header quoted in an error page
 * ```ts
 * import { redactCredentialPatterns } from "./secret_redaction.ts";
 * console.log(redactCredentialPatterns("rejected Authorization: Bearer abc.def"));
 * // "rejected Authorization: Bearer [redacted]"
 * ```
 */
export function redactCredentialPatterns(text: string): string {
  let result = text;
  if (/authorization/i.test(result)) {
    result = result.replace(AUTHORIZATION_HEADER, `$1$2$3${REDACTED}`);
  }
  if (/bearer/i.test(result)) result = result.replace(BEARER, `$1$2${REDACTED}`);
  if (/basic/i.test(result)) {
    result = result.replace(BASIC, (whole, scheme: string, space: string, value: string) => {
      const decoded = decodeBase64Text(value);
      return decoded !== undefined && decoded.includes(":")
        ? `${scheme}${space}${REDACTED}`
        : whole;
    });
  }
  if (result.includes("eyJ") || result.includes("k8s-aws-v1.")) {
    result = result.replace(TOKEN_LIKE, REDACTED);
  }
  if (result.includes("PRIVATE KEY-----")) {
    result = result.replace(PEM_PRIVATE_KEY, REDACTED_PRIVATE_KEY);
  }
  if (result.includes("LS0tLS1CRUdJTi")) {
    result = result.replace(BASE64_PEM, (value) => {
      const decoded = decodeBase64Text(value.slice(0, value.length - (value.length % 4)));
      return decoded === undefined || decoded.includes("PRIVATE KEY")
        ? REDACTED_PRIVATE_KEY
        : value;
    });
  }
  return result;
}

/**
 * What {@linkcode redactCredentialPatterns} removes, plus anything a
 * credential plugin may print next to a secret's name: JSON members such as
 * an ExecCredential's `"token"` and `"clientKeyData"`, and `token: …`,
 * `password=…`, `secret: …` pairs.
 *
 * @param text Output of a credential plugin.
 * @returns The output without credentials.
 *
 * @example A plugin's debug line
 * ```ts
 * import { redactCredentialOutput } from "./secret_redaction.ts";
 * console.log(redactCredentialOutput("refresh failed, cached token: abc123"));
 * // "refresh failed, cached token: [redacted]"
 * ```
 */
export function redactCredentialOutput(text: string): string {
  let result = redactCredentialPatterns(text);
  result = result.replace(JSON_SECRET_MEMBER, `$1$2"${REDACTED}$2"`);
  result = result.replace(
    SECRET_PAIR,
    (whole, key: string, separator: string, value: string) =>
      value === REDACTED || value === `"${REDACTED}"` ? whole : `${key}${separator}${REDACTED}`,
  );
  return result;
}

/**
 * A URL (or text holding one) without the `user:password@` part of its
 * authority, so that it can be quoted in an error.
 *
 * @param text A URL or any text.
 * @returns The text with user information replaced by {@linkcode REDACTED}.
 *
 * @example Quoting a server URL
 * ```ts
 * import { redactUrlUserInfo } from "./secret_redaction.ts";
 * console.log(redactUrlUserInfo("https://admin:pa55word@[::1")); // "https://[redacted]@[::1"
 * ```
 */
export function redactUrlUserInfo(text: string): string {
  return text.replace(/(\/\/)[^/?#\s]*@/g, `$1${REDACTED}@`);
}

/** The forms with their JSON-escaped and URL-encoded spellings. */
function withEscapedForms(forms: readonly string[]): string[] {
  const result = new Set<string>();
  for (const form of forms) {
    if (form === "") continue;
    result.add(form);
    result.add(JSON.stringify(form).slice(1, -1));
    result.add(encodeURIComponent(form));
  }
  return [...result];
}

/** Base64 decoded as UTF-8 text, or undefined when it is not. */
function decodeBase64Text(value: string): string | undefined {
  try {
    const binary = atob(value);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

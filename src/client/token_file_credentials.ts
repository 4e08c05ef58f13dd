/**
 * A bearer token read from a file that rotates, such as a projected
 * service-account token (`tokenFile` in a kubeconfig, or the in-cluster
 * token).
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { readTextFile } from "../runtime/files.ts";
import type { AuthorizationOptions, CredentialProvider } from "./credentials.ts";

/**
 * The default age after which a token file is read again: one minute.
 *
 * @example The re-read interval
 * ```ts
 * import { TOKEN_FILE_MAX_AGE_MS } from "@kubesnap/kubesnap";
 * console.log(TOKEN_FILE_MAX_AGE_MS / 1000, "seconds"); // 60 "seconds"
 * ```
 */
export const TOKEN_FILE_MAX_AGE_MS: number = 60_000;

/** Options of {@linkcode TokenFileCredentials}. */
export interface TokenFileCredentialsOptions {
  /**
   * Read the file again once the token is this old (milliseconds).
   *
   * @default {60000}
   */
  maxAgeMs?: number | undefined;
  /**
   * The clock, in milliseconds.
   *
   * @default {Date.now}
   */
  now?: (() => number) | undefined;
  /**
   * Reads the file; injectable for runtimes without file access and for tests.
   *
   * @default {the runtime's file reader}
   */
  readTextFile?: ((path: string) => Promise<string>) | undefined;
}

/**
 * Sends `Authorization: Bearer <token>` with the token read from a file. The
 * file is read on first use, again once the token is older than `maxAgeMs`,
 * and again when the server answered 401 (`refresh`). Concurrent callers share
 * one read. When a later read fails, the last good token keeps being used (and
 * the read is retried on the next request), as kubelet-rotated files can be
 * briefly missing.
 *
 * @example A rotating token
 * ```ts
 * import { TokenFileCredentials } from "@kubesnap/kubesnap";
 * let contents = "first-token\n";
 * const credentials = new TokenFileCredentials("/var/run/secrets/token", {
 *   readTextFile: () => Promise.resolve(contents),
 * });
 * console.log(await credentials.authorization({})); // "Bearer first-token"
 * contents = "second-token";
 * console.log(await credentials.authorization({ refresh: true })); // "Bearer second-token"
 * ```
 */
export class TokenFileCredentials implements CredentialProvider {
  /** The token file's path. */
  readonly path: string;
  #maxAgeMs: number;
  #now: () => number;
  #read: (path: string) => Promise<string>;
  #token: string | undefined;
  #readAt = 0;
  #reading: Promise<string> | undefined;

  /**
   * Creates the provider; nothing is read until the first request.
   *
   * @param path The token file.
   * @param options Maximum age, clock and file reader.
   */
  constructor(path: string, options?: TokenFileCredentialsOptions) {
    options ??= {};
    if (path === "") throw new TypeError("the token file path is empty");
    const maxAgeMs = options.maxAgeMs ?? TOKEN_FILE_MAX_AGE_MS;
    if (!(maxAgeMs >= 0)) throw new RangeError(`maxAgeMs must be >= 0, got ${maxAgeMs}`);
    this.path = path;
    this.#maxAgeMs = maxAgeMs;
    this.#now = options.now ?? Date.now;
    this.#read = options.readTextFile ??
      ((p) => readTextFile(p, { purpose: "token file" }));
  }

  /**
   * Returns `Bearer <token>`, reading the file when the token is stale or
   * `refresh` is set.
   *
   * @param options Abort signal and refresh flag.
   * @returns The header value.
   * @throws {KubeConfigError} When the file cannot be read (and no earlier token exists) or is empty.
   */
  async authorization(options?: AuthorizationOptions): Promise<string | undefined> {
    options ??= {};
    options.signal?.throwIfAborted();
    const fresh = this.#token !== undefined && this.#now() - this.#readAt < this.#maxAgeMs;
    if (fresh && !options.refresh) return `Bearer ${this.#token}`;
    this.#reading ??= this.#load().finally(() => {
      this.#reading = undefined;
    });
    let token: string;
    try {
      token = await this.#reading;
    } catch (err) {
      if (this.#token === undefined) throw err;
      token = this.#token;
    }
    options.signal?.throwIfAborted();
    return `Bearer ${token}`;
  }

  async #load(): Promise<string> {
    const text = await this.#read(this.path);
    const token = text.trim();
    if (token === "") throw new KubeConfigError(`token file ${this.path} is empty`);
    this.#token = token;
    this.#readAt = this.#now();
    return token;
  }
}

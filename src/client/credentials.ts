/**
 * The seam between the REST client and every way of authenticating.
 *
 * @module
 */

/** Options of {@linkcode CredentialProvider.authorization}. */
export interface AuthorizationOptions {
  /** Aborts a credential fetch in progress (for example a running exec plugin). */
  signal?: AbortSignal | undefined;
  /**
   * True after the server answered 401 with the previous value: drop any
   * cached credential and obtain a fresh one.
   */
  refresh?: boolean | undefined;
}

/**
 * Supplies the `Authorization` header for each request. Implementations
 * cache what is expensive (exec plugins) and re-read what rotates (token
 * files); the client calls {@linkcode CredentialProvider.authorization} before
 * every request and once more with `refresh: true` after a 401.
 *
 * @example A static bearer token
 * ```ts
 * import type { CredentialProvider } from "@kubesnap/kubesnap";
 * const provider: CredentialProvider = {
 *   authorization: () => Promise.resolve("Bearer my-token"),
 * };
 * console.log(await provider.authorization({}));
 * ```
 */
export interface CredentialProvider {
  /**
   * Returns the `Authorization` header value (such as `Bearer …` or
   * `Basic …`), or `undefined` to send none.
   *
   * @param options Abort signal, and whether a fresh credential is required.
   * @returns The header value, or undefined.
   */
  authorization(options: AuthorizationOptions): Promise<string | undefined>;
}

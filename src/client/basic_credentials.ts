/**
 * HTTP basic authentication (`username` and `password` of a kubeconfig user).
 *
 * @module
 */

import type { AuthorizationOptions, CredentialProvider } from "./credentials.ts";

/**
 * Sends `Authorization: Basic …` built from a user name and password. The
 * password is kept in a private field and never appears in messages.
 *
 * @example Basic authentication
 * ```ts
 * import { BasicCredentials } from "@kubesnap/kubesnap";
 * const credentials = new BasicCredentials("admin", "s3cret");
 * console.log(await credentials.authorization({})); // "Basic YWRtaW46czNjcmV0"
 * ```
 */
export class BasicCredentials implements CredentialProvider {
  #header: string;

  /**
   * Creates the provider.
   *
   * @param username The user name (must not contain `:`).
   * @param password The password.
   * @throws {TypeError} When the user name contains a colon.
   */
  constructor(username: string, password: string) {
    if (username.includes(":")) {
      throw new TypeError("a basic-auth user name cannot contain a colon");
    }
    const bytes = new TextEncoder().encode(`${username}:${password}`);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    this.#header = `Basic ${btoa(binary)}`;
  }

  /**
   * Returns the `Basic` header value; it never changes.
   *
   * @param options Abort signal (checked on entry).
   * @returns The header value.
   */
  authorization(options?: AuthorizationOptions): Promise<string | undefined> {
    options ??= {};
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return Promise.resolve(this.#header);
  }
}

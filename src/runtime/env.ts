/**
 * Environment variables, through `Deno.env` when the runtime has it. Other
 * runtimes have no environment here: {@linkcode getEnv} returns undefined.
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { denoNamespace, isPermissionError } from "./_deno.ts";

/** Options of {@linkcode getEnv}. */
export interface GetEnvOptions {
  /**
   * Every variable the caller is about to read, named in the permission error
   * so that one `--allow-env` flag covers them all.
   *
   * @default {[name]}
   */
  names?: readonly string[] | undefined;
}

/**
 * Reads an environment variable.
 *
 * @param name The variable's name.
 * @param options Names to list in a permission error.
 * @returns Its value, or undefined when unset or when the runtime has no environment access.
 * @throws {KubeConfigError} When Deno runs without permission to read it, naming the `--allow-env` flag.
 *
 * @example Reading a variable
 * ```ts
 * import { getEnv } from "./env.ts";
 * console.log(typeof (getEnv("KUBESNAP_EXAMPLE_UNSET") ?? "unset")); // "string"
 * ```
 */
export function getEnv(name: string, options?: GetEnvOptions): string | undefined {
  options ??= {};
  const deno = denoNamespace();
  if (!deno?.env) return undefined;
  try {
    return deno.env.get(name);
  } catch (err) {
    if (isPermissionError(err)) {
      const names = options.names && options.names.length > 0 ? options.names : [name];
      throw new KubeConfigError(
        `reading the environment variable ${name} needs permission: run Deno with --allow-env=${
          names.join(",")
        } (or --allow-env)`,
      );
    }
    throw err;
  }
}

/**
 * Whether this runtime gives access to environment variables (Deno does).
 *
 * @returns True when {@linkcode getEnv} can read the environment.
 *
 * @example
 * ```ts
 * import { envAvailable } from "./env.ts";
 * console.log(envAvailable()); // true on Deno
 * ```
 */
export function envAvailable(): boolean {
  return denoNamespace()?.env !== undefined;
}

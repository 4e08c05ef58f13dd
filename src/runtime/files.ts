/**
 * Reading kubeconfig, certificate and service-account files, and the path
 * arithmetic that resolves file references against the file naming them.
 *
 * Reading goes through `Deno.readTextFile` when the runtime has it; missing
 * permissions become a {@linkcode KubeConfigError} naming the `--allow-read`
 * flag. The path helpers are plain string functions that work everywhere and
 * understand both POSIX and Windows paths.
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { denoNamespace, isNotFoundError, isPermissionError } from "./_deno.ts";
import { getEnv } from "./env.ts";

/** Options of {@linkcode readTextFile}. */
export interface ReadTextFileOptions {
  /** Aborts the read. */
  signal?: AbortSignal | undefined;
  /**
   * What the file is, for error messages (such as `"certificate-authority"`).
   *
   * @default {"file"}
   */
  purpose?: string | undefined;
}

function requireDeno(path: string, purpose: string): typeof Deno {
  const deno = denoNamespace();
  if (!deno?.readTextFile) {
    throw new KubeConfigError(
      `cannot read ${purpose} ${path}: this runtime has no file access; pass the data itself (for example certificate-authority-data, or the kubeconfig text to parseKubeConfig)`,
    );
  }
  return deno;
}

function readError(err: unknown, path: string, purpose: string): KubeConfigError {
  if (isPermissionError(err)) {
    return new KubeConfigError(
      `reading ${purpose} ${path} needs permission: run Deno with --allow-read=${path} (or --allow-read)`,
    );
  }
  if (isNotFoundError(err)) return new KubeConfigError(`${purpose} ${path} does not exist`);
  const errors = denoNamespace()?.errors;
  if (errors && err instanceof errors.PermissionDenied) {
    return new KubeConfigError(`the operating system denied reading ${purpose} ${path}`);
  }
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new KubeConfigError(`cannot read ${purpose} ${path} (${reason})`);
}

/**
 * Reads a UTF-8 text file.
 *
 * @param path The file's path.
 * @param options Abort signal and a description for errors.
 * @returns The file's text.
 * @throws {KubeConfigError} When the file is missing or unreadable, or permission is missing (naming `--allow-read`).
 *
 * @example Reading a file that does not exist
 * ```ts
 * import { readTextFile } from "./files.ts";
 * try {
 *   await readTextFile("/nonexistent/kubesnap/config", { purpose: "kubeconfig" });
 * } catch (err) {
 *   console.log((err as Error).message); // "kubeconfig /nonexistent/kubesnap/config does not exist" (or a permission hint)
 * }
 * ```
 */
export async function readTextFile(
  path: string,
  options?: ReadTextFileOptions,
): Promise<string> {
  options ??= {};
  const purpose = options.purpose ?? "file";
  const deno = requireDeno(path, purpose);
  options.signal?.throwIfAborted();
  try {
    return options.signal
      ? await deno.readTextFile(path, { signal: options.signal })
      : await deno.readTextFile(path);
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw readError(err, path, purpose);
  }
}

/**
 * Reads a UTF-8 text file, or returns undefined when it does not exist.
 *
 * @param path The file's path.
 * @param options Abort signal and a description for errors.
 * @returns The file's text, or undefined.
 * @throws {KubeConfigError} When the file exists but cannot be read, or permission is missing.
 *
 * @example Optional files
 * ```ts
 * import { readTextFileIfExists } from "./files.ts";
 * console.log(await readTextFileIfExists("/nonexistent/kubesnap/config").catch(() => undefined)); // undefined
 * ```
 */
export async function readTextFileIfExists(
  path: string,
  options?: ReadTextFileOptions,
): Promise<string | undefined> {
  options ??= {};
  const purpose = options.purpose ?? "file";
  const deno = requireDeno(path, purpose);
  options.signal?.throwIfAborted();
  try {
    return options.signal
      ? await deno.readTextFile(path, { signal: options.signal })
      : await deno.readTextFile(path);
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (isNotFoundError(err)) return undefined;
    throw readError(err, path, purpose);
  }
}

/**
 * Reads a UTF-8 text file synchronously.
 *
 * @param path The file's path.
 * @param options A description for errors.
 * @returns The file's text.
 * @throws {KubeConfigError} When the file is missing or unreadable, or permission is missing (naming `--allow-read`).
 *
 * @example Reading a certificate
 * ```ts
 * import { readTextFileSync } from "./files.ts";
 * try {
 *   readTextFileSync("/nonexistent/ca.crt", { purpose: "certificate-authority" });
 * } catch (err) {
 *   console.log((err as Error).name); // "KubeConfigError"
 * }
 * ```
 */
export function readTextFileSync(
  path: string,
  options: Pick<ReadTextFileOptions, "purpose"> = {},
): string {
  const purpose = options.purpose ?? "file";
  const deno = requireDeno(path, purpose);
  try {
    return deno.readTextFileSync(path);
  } catch (err) {
    throw readError(err, path, purpose);
  }
}

/**
 * Reads a UTF-8 text file synchronously, or returns undefined when it does not exist.
 *
 * @param path The file's path.
 * @param options A description for errors.
 * @returns The file's text, or undefined.
 * @throws {KubeConfigError} When the file exists but cannot be read, or permission is missing.
 *
 * @example An optional namespace file
 * ```ts
 * import { readTextFileSyncIfExists } from "./files.ts";
 * console.log(readTextFileSyncIfExists("/nonexistent/kubesnap/namespace")); // undefined
 * ```
 */
export function readTextFileSyncIfExists(
  path: string,
  options: Pick<ReadTextFileOptions, "purpose"> = {},
): string | undefined {
  const purpose = options.purpose ?? "file";
  const deno = requireDeno(path, purpose);
  try {
    return deno.readTextFileSync(path);
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw readError(err, path, purpose);
  }
}

/**
 * Whether the program runs on Windows (Deno only; false elsewhere).
 *
 * @returns True on Windows.
 *
 * @example
 * ```ts
 * import { isWindows } from "./files.ts";
 * console.log(typeof isWindows()); // "boolean"
 * ```
 */
export function isWindows(): boolean {
  return denoNamespace()?.build?.os === "windows";
}

/**
 * The separator of path lists such as `$KUBECONFIG`: `;` on Windows, `:` elsewhere.
 *
 * @returns The separator.
 *
 * @example Splitting $KUBECONFIG
 * ```ts
 * import { pathListSeparator } from "./files.ts";
 * console.log("/a/config:/b/config".split(pathListSeparator()).length); // 2 (on POSIX)
 * ```
 */
export function pathListSeparator(): string {
  return isWindows() ? ";" : ":";
}

/**
 * The user's home directory: `%USERPROFILE%` on Windows (or `%HOMEDRIVE%%HOMEPATH%`), `$HOME` elsewhere.
 *
 * @returns The directory, or undefined when unknown.
 * @throws {KubeConfigError} When Deno runs without permission to read the variable.
 *
 * @example
 * ```ts
 * import { homeDir } from "./files.ts";
 * console.log(homeDir() !== ""); // true
 * ```
 */
export function homeDir(): string | undefined {
  if (isWindows()) {
    const names = ["USERPROFILE", "HOMEDRIVE", "HOMEPATH", "HOME"];
    const profile = getEnv("USERPROFILE", { names });
    if (profile) return profile;
    const drive = getEnv("HOMEDRIVE", { names });
    const path = getEnv("HOMEPATH", { names });
    if (drive && path) return drive + path;
    return getEnv("HOME", { names }) || undefined;
  }
  return getEnv("HOME") || undefined;
}

const WINDOWS_ABSOLUTE = /^(?:[A-Za-z]:[\\/]|\\\\|\/\/)/;

function usesBackslashes(path: string): boolean {
  return /^[A-Za-z]:/.test(path) || (path.includes("\\") && !path.includes("/"));
}

/**
 * Whether a path is absolute: `/x` on POSIX, `C:\x`, `C:/x` or `\\server\share` on Windows.
 *
 * @param path The path.
 * @returns True when absolute.
 *
 * @example
 * ```ts
 * import { isAbsolutePath } from "./files.ts";
 * console.log(isAbsolutePath("/etc/kubernetes/admin.conf"), isAbsolutePath("ca.crt")); // true false
 * ```
 */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith("/") || WINDOWS_ABSOLUTE.test(path);
}

/**
 * The directory part of a path (`.` when it has none).
 *
 * @param path A file path.
 * @returns Its directory.
 *
 * @example
 * ```ts
 * import { dirname } from "./files.ts";
 * console.log(dirname("/home/me/.kube/config")); // "/home/me/.kube"
 * ```
 */
export function dirname(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/[\\/]+$/, "") : path;
  const index = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  if (index < 0) return ".";
  if (index === 0) return trimmed.slice(0, 1);
  if (/^[A-Za-z]:$/.test(trimmed.slice(0, index))) return trimmed.slice(0, index + 1);
  return trimmed.slice(0, index);
}

/**
 * Resolves `path` against the directory `base` unless it is absolute (or
 * empty). `.` and `..` segments of the relative part are folded.
 *
 * @param base The directory to resolve against.
 * @param path A relative or absolute path.
 * @returns The resolved path.
 *
 * @example Paths relative to the kubeconfig that names them
 * ```ts
 * import { resolvePath } from "./files.ts";
 * console.log(resolvePath("/home/me/.kube", "../.minikube/ca.crt")); // "/home/me/.minikube/ca.crt"
 * ```
 */
export function resolvePath(base: string, path: string): string {
  if (path === "" || isAbsolutePath(path)) return path;
  const sep = usesBackslashes(base) ? "\\" : "/";
  const root = /^[\\/]{2}/.test(base) ? sep + sep : /^[\\/]/.test(base) ? sep : "";
  const relative = base === "." ? [] : base.split(/[\\/]/).filter((p) => p !== "");
  for (const part of path.split(/[\\/]/)) {
    if (part === "" || part === ".") continue;
    if (part === ".." && relative.length > 0 && relative[relative.length - 1] !== "..") {
      // Never climb above a drive letter.
      if (!(relative.length === 1 && /^[A-Za-z]:$/.test(relative[0] ?? ""))) relative.pop();
    } else if (part === ".." && root !== "") {
      // Above the root stays at the root.
    } else {
      relative.push(part);
    }
  }
  const joined = relative.join(sep);
  if (root !== "") return root + joined;
  return joined === "" ? "." : joined;
}

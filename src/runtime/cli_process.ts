/**
 * What a command-line program gets from the runtime it runs in: its arguments, temporary
 * files, termination signals and exit, through the `Deno` namespace when the
 * runtime has it. Command-line entry points outside `src/runtime/` use this
 * instead of touching `Deno` themselves.
 *
 * @module
 */

import { denoNamespace } from "./_deno.ts";

/** What a command-line program needs from the runtime it runs in. */
export interface CliProcess {
  /** Command-line arguments, without the program name. */
  readonly args: readonly string[];
  /** Reads a UTF-8 text file. */
  readTextFile(path: string): Promise<string>;
  /** Writes a UTF-8 text file, replacing it. */
  writeTextFile(path: string, data: string): Promise<void>;
  /** Creates an empty temporary file and returns its path. */
  makeTempFile(options: { prefix: string; suffix: string }): Promise<string>;
  /** Removes a file. */
  remove(path: string): Promise<void>;
  /** Calls `handler` when the program receives `signal`. */
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  /** Stops calling `handler` for `signal`. */
  removeSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  /** Ends the program with an exit code. */
  exit(code: number): never;
}

/**
 * The running program's adapter, or undefined on runtimes without the `Deno`
 * namespace (browsers, workers, Node without a shim).
 *
 * @returns The adapter, or undefined.
 *
 * @example Reading the arguments
 * ```ts
 * import { cliProcess } from "./cli_process.ts";
 * console.log(Array.isArray(cliProcess()?.args)); // true on Deno
 * ```
 */
export function cliProcess(): CliProcess | undefined {
  const deno = denoNamespace();
  if (deno === undefined) return undefined;
  return {
    args: deno.args,
    readTextFile: (path) => deno.readTextFile(path),
    writeTextFile: (path, data) => deno.writeTextFile(path, data),
    makeTempFile: (options) => deno.makeTempFile(options),
    remove: (path) => deno.remove(path),
    addSignalListener: (signal, handler) => deno.addSignalListener(signal, handler),
    removeSignalListener: (signal, handler) => deno.removeSignalListener(signal, handler),
    exit: (code) => deno.exit(code),
  };
}

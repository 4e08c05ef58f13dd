/**
 * Running a command and capturing its output, through `Deno.Command` when the
 * runtime has it. Used by exec credential plugins.
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { denoNamespace, isNotFoundError, isPermissionError } from "./_deno.ts";

/** Options of {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** Arguments after the command. @default {[]} */
  args?: readonly string[] | undefined;
  /** Variables added to (or replacing those of) the inherited environment. @default {{}} */
  env?: Readonly<Record<string, string>> | undefined;
  /** Working directory. @default {the current directory} */
  cwd?: string | undefined;
  /** Kills the command (SIGTERM) and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Added to the error when the command is not found (how to install it). */
  notFoundHint?: string | undefined;
}

/** What a finished command produced. */
export interface CommandOutput {
  /** Exit code (128 + signal number when killed by a signal). */
  code: number;
  /** Standard output, decoded as UTF-8. */
  stdout: string;
  /** Standard error, decoded as UTF-8. */
  stderr: string;
}

/**
 * Runs a command to completion with standard input closed, capturing its
 * standard output and error.
 *
 * @param command The program: a name looked up on `PATH`, or a path.
 * @param options Arguments, environment, abort signal and an install hint.
 * @returns Exit code and output.
 * @throws {KubeConfigError} When the command does not exist, permission is missing (naming `--allow-run`), or the runtime cannot run commands.
 *
 * @example Running a missing command
 * ```ts
 * import { runCommand } from "./command.ts";
 * try {
 *   await runCommand("kubesnap-no-such-command", { notFoundHint: "install it first" });
 * } catch (err) {
 *   console.log((err as Error).name); // "KubeConfigError"
 * }
 * ```
 */
export async function runCommand(
  command: string,
  options?: RunCommandOptions,
): Promise<CommandOutput> {
  options ??= {};
  const signal = options.signal;
  signal?.throwIfAborted();
  const deno = denoNamespace();
  if (!deno?.Command) {
    throw new KubeConfigError(
      `cannot run ${
        JSON.stringify(command)
      }: this runtime cannot start processes; supply credentials another way (a token, or your own credential provider)`,
    );
  }
  const commandOptions: Deno.CommandOptions = {
    args: [...(options.args ?? [])],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  };
  if (options.env) commandOptions.env = { ...options.env };
  if (options.cwd !== undefined) commandOptions.cwd = options.cwd;
  if (signal) commandOptions.signal = signal;
  let output: Deno.CommandOutput;
  try {
    output = await new deno.Command(command, commandOptions).output();
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (isPermissionError(err)) {
      throw new KubeConfigError(
        `running ${
          JSON.stringify(command)
        } needs permission: run Deno with --allow-run=${command} (or --allow-run)`,
      );
    }
    if (isNotFoundError(err)) {
      const hint = options.notFoundHint?.trim();
      throw new KubeConfigError(
        `command ${JSON.stringify(command)} was not found${hint ? `. ${hint}` : ""}`,
      );
    }
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new KubeConfigError(`cannot run ${JSON.stringify(command)} (${reason})`);
  }
  if (signal?.aborted) throw signal.reason;
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Exec credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`),
 * such as `aws eks get-token`, `gke-gcloud-auth-plugin` or `kubelogin`.
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { type CommandOutput, runCommand, type RunCommandOptions } from "../runtime/command.ts";
import type { AuthorizationOptions, CredentialProvider } from "./credentials.ts";
import { redactCredentialOutput, SecretRedactor } from "./secret_redaction.ts";

/**
 * The exec credential API versions kubesnap speaks.
 *
 * @example Checking a plugin's apiVersion
 * ```ts
 * import { EXEC_CREDENTIAL_API_VERSIONS } from "@kubesnap/kubesnap";
 * console.log(EXEC_CREDENTIAL_API_VERSIONS.includes("client.authentication.k8s.io/v1")); // true
 * ```
 */
export const EXEC_CREDENTIAL_API_VERSIONS: readonly string[] = [
  "client.authentication.k8s.io/v1",
  "client.authentication.k8s.io/v1beta1",
];

/** The cluster details passed to a plugin when `provideClusterInfo` is set (wire names). */
export interface ExecClusterInfo {
  /** The API server URL. */
  server: string;
  /** TLS server name override. */
  "tls-server-name"?: string | undefined;
  /** Whether certificate verification is off. */
  "insecure-skip-tls-verify"?: boolean | undefined;
  /** Base64 of the PEM certificate authorities. */
  "certificate-authority-data"?: string | undefined;
  /** The cluster's proxy URL. */
  "proxy-url"?: string | undefined;
  /** Whether response compression is off. */
  "disable-compression"?: boolean | undefined;
  /** The cluster's `client.authentication.k8s.io/exec` extension, if any. */
  config?: unknown;
}

/** A client certificate returned by a plugin (PEM). */
export interface ExecClientCertificate {
  /** PEM certificate chain. */
  readonly cert: string;
  /** PEM private key. */
  readonly key: string;
}

/** Runs a command; the shape of the runtime's `runCommand`, injectable for tests. */
export type CommandRunner = (command: string, options: RunCommandOptions) => Promise<CommandOutput>;

/** Options of {@linkcode ExecCredentials}. */
export interface ExecCredentialsOptions {
  /** The plugin program (a name looked up on `PATH`, or a path). */
  command: string;
  /** Its arguments. @default {[]} */
  args?: readonly string[] | undefined;
  /** Environment variables added for the plugin. @default {[]} */
  env?: readonly { readonly name: string; readonly value: string }[] | undefined;
  /** `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`. */
  apiVersion: string;
  /** Shown when the command is not found. */
  installHint?: string | undefined;
  /** Pass `cluster` to the plugin in `KUBERNETES_EXEC_INFO`. @default {false} */
  provideClusterInfo?: boolean | undefined;
  /** The cluster's details, sent when `provideClusterInfo` is set. */
  cluster?: ExecClusterInfo | undefined;
  /**
   * The plugin's `interactiveMode`. kubesnap never gives a plugin a terminal,
   * so `Always` is refused.
   *
   * @default {"IfAvailable"}
   */
  interactiveMode?: "Never" | "IfAvailable" | "Always" | undefined;
  /**
   * Accept plugins that return a client certificate. Only possible when the
   * certificate can be applied to the connection (kubesnap builds the TLS
   * client itself); otherwise such output is reported as an error.
   *
   * @default {false}
   */
  acceptClientCertificate?: boolean | undefined;
  /** The clock, in milliseconds. @default {Date.now} */
  now?: (() => number) | undefined;
  /** Runs the plugin. @default {the runtime's runCommand} */
  run?: CommandRunner | undefined;
}

interface Credential {
  readonly token: string | undefined;
  readonly certificate: ExecClientCertificate | undefined;
  readonly expiresAt: number | undefined;
}

interface Run {
  readonly promise: Promise<Credential>;
  readonly controller: AbortController;
  waiters: number;
}

const MAX_STDERR_CHARS = 600;
const MAX_STDERR_LINES = 8;

/**
 * Obtains credentials by running an exec plugin, like kubectl does: the
 * plugin gets `KUBERNETES_EXEC_INFO` (API version, `interactive: false`, and
 * the cluster when `provideClusterInfo` is set) and prints an
 * `ExecCredential`. Its token is cached until `status.expirationTimestamp`
 * (forever without one) and the plugin runs again after a 401 (`refresh`).
 * Concurrent callers share one run; if every caller waiting for a run aborts,
 * the plugin is killed.
 *
 * Errors name the command, its exit code and a summary of its standard error;
 * they never contain the plugin's output or a token.
 *
 * @example A plugin that prints a token
 * ```ts
 * import { ExecCredentials } from "@kubesnap/kubesnap";
 * const credentials = new ExecCredentials({
 *   command: "example-plugin",
 *   apiVersion: "client.authentication.k8s.io/v1",
 *   // A stand-in runner; by default the command really runs.
 *   run: () =>
 *     Promise.resolve({
 *       code: 0,
 *       stderr: "",
 *       stdout: JSON.stringify({
 *         apiVersion: "client.authentication.k8s.io/v1",
 *         kind: "ExecCredential",
 *         status: { token: "abc" },
 *       }),
 *     }),
 * });
 * console.log(await credentials.authorization({})); // "Bearer abc"
 * ```
 */
export class ExecCredentials implements CredentialProvider {
  /** The plugin program. */
  readonly command: string;
  #args: readonly string[];
  #env: Record<string, string>;
  #apiVersion: string;
  #installHint: string | undefined;
  #cluster: ExecClusterInfo | undefined;
  #acceptCertificate: boolean;
  #now: () => number;
  #run: CommandRunner;
  #cached: Credential | undefined;
  #pending: Run | undefined;
  /** Secrets seen so far, removed from any stderr we quote. */
  #redactor: SecretRedactor = new SecretRedactor();

  /**
   * Creates the provider; the plugin does not run until the first request.
   *
   * @param options The plugin's configuration.
   * @throws {KubeConfigError} For an unsupported API version or `interactiveMode: Always`.
   */
  constructor(options: ExecCredentialsOptions) {
    if (!options.command) throw new KubeConfigError("the exec plugin has no command");
    if (!EXEC_CREDENTIAL_API_VERSIONS.includes(options.apiVersion)) {
      throw new KubeConfigError(
        `exec plugin ${JSON.stringify(options.command)} uses apiVersion ${
          JSON.stringify(options.apiVersion)
        }; supported are ${EXEC_CREDENTIAL_API_VERSIONS.join(" and ")}`,
      );
    }
    if (options.interactiveMode === "Always") {
      throw new KubeConfigError(
        `exec plugin ${
          JSON.stringify(options.command)
        } requires an interactive terminal (interactiveMode: Always), which kubesnap never provides`,
      );
    }
    this.command = options.command;
    this.#args = [...(options.args ?? [])];
    this.#env = {};
    for (const { name, value } of options.env ?? []) this.#env[name] = value;
    this.#apiVersion = options.apiVersion;
    this.#installHint = options.installHint;
    this.#cluster = options.provideClusterInfo ? options.cluster : undefined;
    if (options.provideClusterInfo && !options.cluster) {
      throw new TypeError("provideClusterInfo needs the cluster's details");
    }
    this.#acceptCertificate = options.acceptClientCertificate ?? false;
    this.#now = options.now ?? Date.now;
    this.#run = options.run ?? runCommand;
  }

  /**
   * Returns `Bearer <token>` from the cached or a fresh `ExecCredential`, or
   * undefined when the plugin returned only a client certificate.
   *
   * @param options Abort signal and refresh flag.
   * @returns The header value, or undefined.
   * @throws {KubeConfigError} When the plugin is missing, fails, or prints something that is not a usable ExecCredential.
   */
  async authorization(options?: AuthorizationOptions): Promise<string | undefined> {
    options ??= {};
    options.signal?.throwIfAborted();
    if (options.refresh && this.#pending === undefined) this.#cached = undefined;
    const cached = this.#cached;
    if (cached && (cached.expiresAt === undefined || this.#now() < cached.expiresAt)) {
      return header(cached);
    }
    return header(await this.#wait(options.signal));
  }

  /**
   * The client certificate from the plugin's latest credential, if it returned
   * one (for the TLS client).
   *
   * @returns The certificate and key, or undefined.
   */
  clientCertificate(): ExecClientCertificate | undefined {
    return this.#cached?.certificate;
  }

  async #wait(signal: AbortSignal | undefined): Promise<Credential> {
    let run = this.#pending;
    if (!run) {
      const controller = new AbortController();
      const promise = this.#execute(controller.signal).then((credential) => {
        this.#cached = credential;
        return credential;
      });
      const created: Run = { promise, controller, waiters: 0 };
      run = created;
      this.#pending = created;
      // Nobody may be waiting any more when it settles.
      promise.catch(() => {}).finally(() => {
        if (this.#pending === created) this.#pending = undefined;
      });
    }
    run.waiters++;
    if (!signal) {
      try {
        return await run.promise;
      } finally {
        run.waiters--;
      }
    }
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([run.promise, aborted]);
    } catch (err) {
      if (signal.aborted && run.waiters === 1) {
        // The last caller gave up: stop the plugin and let it exit before returning.
        if (this.#pending === run) this.#pending = undefined;
        run.controller.abort(signal.reason);
        await run.promise.catch(() => {});
      }
      throw err;
    } finally {
      run.waiters--;
      signal.removeEventListener("abort", onAbort);
    }
  }

  async #execute(signal: AbortSignal): Promise<Credential> {
    const info: Record<string, unknown> = {
      apiVersion: this.#apiVersion,
      kind: "ExecCredential",
      spec: this.#cluster ? { interactive: false, cluster: this.#cluster } : { interactive: false },
    };
    const env = { ...this.#env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
    const runOptions: RunCommandOptions = { args: this.#args, env, signal };
    if (this.#installHint) runOptions.notFoundHint = this.#installHint;
    const output = await this.#run(this.command, runOptions);
    const name = JSON.stringify(this.command);
    if (output.code !== 0) {
      throw new KubeConfigError(
        `exec plugin ${name} failed with exit code ${output.code}${
          this.#stderrSummary(output.stderr)
        }`,
      );
    }
    return this.#parse(output);
  }

  #parse(output: CommandOutput): Credential {
    const name = JSON.stringify(this.command);
    const stdout = output.stdout;
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch {
      throw new KubeConfigError(
        `exec plugin ${name} printed output that is not JSON (${stdout.length} characters)${
          this.#stderrSummary(output.stderr)
        }`,
      );
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new KubeConfigError(`exec plugin ${name} printed JSON that is not an ExecCredential`);
    }
    const credential = parsed as Record<string, unknown>;
    if (credential.kind !== "ExecCredential") {
      throw new KubeConfigError(
        `exec plugin ${name} printed JSON whose kind is not "ExecCredential"`,
      );
    }
    if (credential.apiVersion !== this.#apiVersion) {
      const got = typeof credential.apiVersion === "string" &&
          /^[\w./-]{1,100}$/.test(credential.apiVersion)
        ? JSON.stringify(credential.apiVersion)
        : "another apiVersion";
      throw new KubeConfigError(
        `exec plugin ${name} is configured for ${
          JSON.stringify(this.#apiVersion)
        } but returned ${got}`,
      );
    }
    const status = credential.status;
    if (typeof status !== "object" || status === null || Array.isArray(status)) {
      throw new KubeConfigError(`exec plugin ${name} returned an ExecCredential without status`);
    }
    const s = status as Record<string, unknown>;
    const token = typeof s.token === "string" && s.token !== "" ? s.token : undefined;
    if (s.token !== undefined && typeof s.token !== "string") {
      throw new KubeConfigError(`exec plugin ${name} returned a status.token that is not a string`);
    }
    if (token !== undefined) this.#remember(token);
    let certificate: ExecClientCertificate | undefined;
    const certData = s.clientCertificateData;
    const keyData = s.clientKeyData;
    if (certData !== undefined || keyData !== undefined) {
      if (typeof keyData === "string") this.#remember(keyData);
      if (typeof certData !== "string" || typeof keyData !== "string" || !certData || !keyData) {
        throw new KubeConfigError(
          `exec plugin ${name} returned only one of clientCertificateData and clientKeyData`,
        );
      }
      certificate = { cert: certData, key: keyData };
      if (!this.#acceptCertificate && token === undefined) {
        throw new KubeConfigError(
          `exec plugin ${name} returned a client certificate, which kubesnap can only use when it builds the TLS client itself ` +
            "(no fetch passed in, on Deno); pass a fetch that presents the certificate, or use a plugin that returns a token",
        );
      }
      if (!this.#acceptCertificate) certificate = undefined;
    }
    if (token === undefined && certificate === undefined) {
      throw new KubeConfigError(
        `exec plugin ${name} returned neither status.token nor a client certificate`,
      );
    }
    let expiresAt: number | undefined;
    if (s.expirationTimestamp !== undefined && s.expirationTimestamp !== null) {
      expiresAt = typeof s.expirationTimestamp === "string"
        ? Date.parse(s.expirationTimestamp)
        : NaN;
      if (Number.isNaN(expiresAt)) {
        throw new KubeConfigError(
          `exec plugin ${name} returned an expirationTimestamp that is not an RFC 3339 time`,
        );
      }
    }
    return { token, certificate, expiresAt };
  }

  #remember(secret: string): void {
    this.#redactor.addSecret(secret);
  }

  /**
   * The last lines of stderr, shortened, with any secret seen before and
   * anything credential-shaped (an ExecCredential's token or key, `token: …`
   * pairs, bearer values, PEM keys) removed.
   */
  #stderrSummary(stderr: string): string {
    let text = redactCredentialOutput(this.#redactor.redactText(stderr)).trim();
    if (text === "") return "";
    const lines = text.split("\n");
    if (lines.length > MAX_STDERR_LINES) text = lines.slice(-MAX_STDERR_LINES).join("\n");
    if (text.length > MAX_STDERR_CHARS) text = `…${text.slice(-MAX_STDERR_CHARS)}`;
    return `: ${text}`;
  }
}

function header(credential: Credential): string | undefined {
  return credential.token === undefined ? undefined : `Bearer ${credential.token}`;
}

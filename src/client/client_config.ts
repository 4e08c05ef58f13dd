/**
 * Turning configuration into {@linkcode KubeClientOptions}: a kubeconfig
 * context, the in-cluster service account, or whichever of the two is found
 * first ({@linkcode autoDetectClientOptions}).
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { envAvailable, getEnv } from "../runtime/env.ts";
import {
  homeDir as runtimeHomeDir,
  isWindows,
  readTextFileIfExists,
  readTextFileSync,
  readTextFileSyncIfExists,
  resolvePath,
} from "../runtime/files.ts";
import { createTlsFetch, type TlsFetch, type TlsFetchOptions } from "../runtime/tls_fetch.ts";
import { BasicCredentials } from "./basic_credentials.ts";
import { type ExecClusterInfo, ExecCredentials } from "./exec_credentials.ts";
import type { FetchFunction, KubeClientOptions } from "./kube_client_options.ts";
import {
  type KubeConfig,
  type KubeConfigCluster,
  type KubeConfigUser,
  mergeKubeConfigs,
  parseKubeConfig,
} from "./kube_config.ts";
import { TokenFileCredentials } from "./token_file_credentials.ts";

/**
 * Where a pod's service-account token, CA and namespace are mounted.
 *
 * @example The token path inside a pod
 * ```ts
 * import { SERVICE_ACCOUNT_DIR } from "@kubesnap/kubesnap";
 * console.log(`${SERVICE_ACCOUNT_DIR}/token`);
 * ```
 */
export const SERVICE_ACCOUNT_DIR: string = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Options of {@linkcode kubeConfigToClientOptions}. */
export interface KubeConfigClientOptions {
  /**
   * The context to use.
   *
   * @default {the kubeconfig's current-context}
   */
  context?: string | undefined;
  /**
   * A `fetch` that carries the TLS settings itself. When given, the cluster's
   * certificate authority, client certificate, proxy and
   * `insecure-skip-tls-verify` are not applied by kubesnap: this fetch is
   * used as is. Required on runtimes without `Deno.createHttpClient` when
   * the cluster needs such settings.
   */
  fetch?: FetchFunction | undefined;
}

/** Options of {@linkcode inClusterClientOptions}. */
export interface InClusterClientOptions {
  /** A `fetch` that trusts the cluster's CA itself; by default one is built from `ca.crt`. */
  fetch?: FetchFunction | undefined;
  /**
   * Reads environment variables.
   *
   * @default {the environment of the runtime}
   */
  env?: ((name: string) => string | undefined) | undefined;
  /**
   * The directory holding `token`, `ca.crt` and `namespace`.
   *
   * @default {"/var/run/secrets/kubernetes.io/serviceaccount"}
   */
  serviceAccountDir?: string | undefined;
}

/** Options of {@linkcode autoDetectClientOptions}. */
export interface AutoDetectClientOptions extends InClusterClientOptions {
  /**
   * A kubeconfig context to use. When given, the in-cluster configuration is
   * not considered.
   *
   * @default {the kubeconfig's current-context}
   */
  context?: string | undefined;
  /**
   * The home directory holding `.kube/config`.
   *
   * @default {$HOME, or %USERPROFILE% on Windows}
   */
  homeDir?: string | undefined;
  /**
   * Kubeconfig files to read, like kubectl's `--kubeconfig`: they replace `$KUBECONFIG` and
   * `~/.kube/config`, and the in-cluster configuration is not considered. Several files are
   * merged as `$KUBECONFIG` merges them; a file that does not exist is a {@linkcode KubeConfigError}.
   */
  kubeconfig?: string | readonly string[] | undefined;
}

const IN_CLUSTER_ENV = ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "POD_NAMESPACE"];
const AUTO_DETECT_ENV = [...IN_CLUSTER_ENV, "KUBECONFIG", "HOME"];

/**
 * Builds client options from one context of a kubeconfig: the cluster's URL
 * and TLS settings, and the user's credentials. Precedence follows kubectl:
 * `tokenFile` over `token`; `-data` fields over their file counterparts.
 *
 * - `token` → a static bearer token; `tokenFile` → {@linkcode TokenFileCredentials};
 *   `username`/`password` → {@linkcode BasicCredentials}; `exec` →
 *   {@linkcode ExecCredentials} (client certificates from the plugin are applied
 *   when kubesnap builds the TLS client).
 * - Certificate authority, client certificate and key, and `proxy-url` go into a
 *   `fetch` built with `Deno.createHttpClient` (released by `onClose`).
 * - `insecure-skip-tls-verify` and a `tls-server-name` differing from the URL's
 *   host cannot be done by `Deno.createHttpClient` and are refused with an
 *   explanation, unless a `fetch` is passed in.
 * - `auth-provider` (the removed in-tree gcp/azure/oidc providers) is refused:
 *   use an exec plugin.
 * - `as`, `as-uid`, one `as-groups` entry and one value per `as-user-extra` key
 *   become impersonation headers.
 *
 * Files named by the kubeconfig are read now, synchronously.
 *
 * @param kc The kubeconfig.
 * @param options The context, and a `fetch` to use instead of building one.
 * @returns Options for `new KubeClient(...)`.
 * @throws {KubeConfigError} For a missing context, cluster or user, conflicting or unsupported settings, and unreadable files.
 *
 * @example A token user
 * ```ts
 * import { kubeConfigToClientOptions, parseKubeConfig } from "@kubesnap/kubesnap";
 * const kc = parseKubeConfig(`
 * clusters:
 * - name: local
 *   cluster: {server: "http://127.0.0.1:8080"}
 * users:
 * - name: me
 *   user: {token: abc}
 * contexts:
 * - name: local
 *   context: {cluster: local, user: me, namespace: dev}
 * current-context: local
 * `);
 * const options = kubeConfigToClientOptions(kc);
 * console.log(options.server, options.namespace); // "http://127.0.0.1:8080" "dev"
 * ```
 */
export function kubeConfigToClientOptions(
  kc: KubeConfig,
  options?: KubeConfigClientOptions,
): KubeClientOptions {
  options ??= {};
  const contextName = options.context || kc["current-context"];
  const contextNames = kc.contexts.map((c) => c.name);
  if (!contextName) {
    throw new KubeConfigError(
      contextNames.length === 0
        ? "the kubeconfig defines no contexts"
        : `the kubeconfig has no current-context; choose one of the contexts ${
          listNames(contextNames)
        } with the context option`,
    );
  }
  const context = kc.contexts.find((c) => c.name === contextName)?.context;
  if (!context) {
    throw new KubeConfigError(
      `context ${JSON.stringify(contextName)} is not defined in the kubeconfig${
        contextNames.length > 0 ? ` (defined: ${listNames(contextNames)})` : ""
      }`,
    );
  }
  const clusterName = context.cluster;
  if (!clusterName) {
    throw new KubeConfigError(`context ${JSON.stringify(contextName)} names no cluster`);
  }
  const cluster = kc.clusters.find((c) => c.name === clusterName)?.cluster;
  if (!cluster) {
    throw new KubeConfigError(
      `context ${JSON.stringify(contextName)} names cluster ${
        JSON.stringify(clusterName)
      }, which is not defined in the kubeconfig`,
    );
  }
  let user: KubeConfigUser = {};
  const userName = context.user;
  if (userName) {
    const found = kc.users.find((u) => u.name === userName)?.user;
    if (!found) {
      throw new KubeConfigError(
        `context ${JSON.stringify(contextName)} names user ${
          JSON.stringify(userName)
        }, which is not defined in the kubeconfig`,
      );
    }
    user = found;
  }
  const clusterLabel = `cluster ${JSON.stringify(clusterName)}`;
  const userLabel = `user ${JSON.stringify(userName ?? "")}`;

  const server = checkServer(cluster, clusterLabel);
  const result: KubeClientOptions = { server: (cluster.server ?? "").replace(/\/+$/, "") };
  if (context.namespace) result.namespace = context.namespace;

  if (user["auth-provider"]) {
    throw new KubeConfigError(
      `${userLabel} uses the auth-provider ${
        JSON.stringify(user["auth-provider"].name)
      }, which kubesnap does not support (Kubernetes removed the in-tree auth providers); ` +
        "configure an exec credential plugin instead (for GKE gke-gcloud-auth-plugin, for AKS kubelogin, for OIDC kubelogin/oidc-login)",
    );
  }
  const hasToken = Boolean(user.token || user.tokenFile);
  const hasBasic = Boolean(user.username || user.password);
  if (hasToken && hasBasic) {
    throw new KubeConfigError(
      `${userLabel} sets both a bearer token and a username/password; only one is allowed`,
    );
  }
  if (hasBasic && (user.username ?? "").includes(":")) {
    // RFC 7617: the user-id of Basic authentication cannot contain a colon.
    throw new KubeConfigError(
      `${userLabel} has a username containing ":", which basic authentication cannot send`,
    );
  }

  const tls = tlsSettings(cluster, user, server, clusterLabel, userLabel);
  const secrets = [tls.options.key, user["client-key-data"]].filter((s): s is string => !!s);
  if (secrets.length > 0) result.secrets = secrets;
  let exec: ExecCredentials | undefined;
  if (user.tokenFile) {
    result.credentials = new TokenFileCredentials(user.tokenFile);
  } else if (user.token) {
    result.token = user.token;
  } else if (hasBasic) {
    result.credentials = new BasicCredentials(user.username ?? "", user.password ?? "");
  } else if (user.exec) {
    exec = new ExecCredentials({
      command: user.exec.command,
      args: user.exec.args,
      env: user.exec.env,
      apiVersion: user.exec.apiVersion,
      installHint: user.exec.installHint,
      provideClusterInfo: user.exec.provideClusterInfo,
      cluster: user.exec.provideClusterInfo ? execClusterInfo(cluster, tls, server) : undefined,
      interactiveMode: user.exec.interactiveMode,
      acceptClientCertificate: options.fetch === undefined,
    });
    result.credentials = exec;
  }

  const headers = impersonationHeaders(user, userLabel);
  if (headers) result.headers = headers;

  if (options.fetch) {
    result.fetch = options.fetch;
  } else if (exec) {
    // Also without TLS settings: the plugin may return a client certificate.
    const rotating = new ExecTlsFetch(tls.needed ? tls.options : {}, exec);
    result.fetch = (request) => rotating.fetch(request);
    result.onClose = () => rotating.close();
  } else if (tls.needed) {
    const built = createTlsFetch(tls.options);
    result.fetch = built.fetch;
    result.onClose = built.close;
  }
  return result;
}

/**
 * Builds client options from the service account mounted into a pod:
 * `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (IPv6 hosts in
 * brackets), the token file (re-read at least every minute, as it rotates),
 * `ca.crt`, and the namespace from `$POD_NAMESPACE` or the `namespace` file.
 *
 * @param options A `fetch` to use, and (for tests) the environment and the service-account directory.
 * @returns Options for `new KubeClient(...)`.
 * @throws {KubeConfigError} When not in a pod (variables unset, no token file), or when permissions are missing.
 *
 * @example Outside a pod
 * ```ts
 * import { inClusterClientOptions } from "@kubesnap/kubesnap";
 * try {
 *   inClusterClientOptions({ env: () => undefined });
 * } catch (err) {
 *   console.log((err as Error).message); // "not running in a Kubernetes pod: ..."
 * }
 * ```
 */
export function inClusterClientOptions(options?: InClusterClientOptions): KubeClientOptions {
  options ??= {};
  const env = options.env ??
    ((name: string) => getEnv(name, { names: IN_CLUSTER_ENV }));
  const host = env("KUBERNETES_SERVICE_HOST");
  const port = env("KUBERNETES_SERVICE_PORT");
  if (!host || !port) {
    throw new KubeConfigError(
      "not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set",
    );
  }
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenPath = resolvePath(dir, "token");
  // Fail now, not at the first request, when the token is not mounted.
  readTextFileSync(tokenPath, { purpose: "service-account token" });
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const result: KubeClientOptions = {
    server: `https://${hostPart}:${port}`,
    credentials: new TokenFileCredentials(tokenPath),
  };
  const namespace = env("POD_NAMESPACE") ||
    readTextFileSyncIfExists(resolvePath(dir, "namespace"), {
      purpose: "service-account namespace",
    })?.trim();
  if (namespace) result.namespace = namespace;
  if (options.fetch) {
    result.fetch = options.fetch;
  } else {
    const ca = readTextFileSyncIfExists(resolvePath(dir, "ca.crt"), {
      purpose: "service-account CA",
    });
    if (ca !== undefined) {
      const built = createTlsFetch({ caCerts: [ca] });
      result.fetch = built.fetch;
      result.onClose = built.close;
    }
  }
  return result;
}

/**
 * Finds the configuration the way client tools do: the pod's service account
 * when `KUBERNETES_SERVICE_HOST`/`_PORT` are set and a token is mounted (unless
 * a `context` is asked for); else the files listed in `$KUBECONFIG` (separated
 * by `:`, or `;` on Windows; missing ones skipped; merged with the first file
 * winning per name); else `~/.kube/config`.
 *
 * @param options Context, fetch, and (for tests) environment, service-account and home directories.
 * @returns Options for `new KubeClient(...)`.
 * @throws {KubeConfigError} When nothing is found (naming every place looked at), a file is invalid, or a permission is missing (naming the `--allow-*` flag).
 *
 * @example Choosing a context from the kubeconfig files
 * ```ts
 * import { autoDetectClientOptions } from "@kubesnap/kubesnap";
 * try {
 *   const options = await autoDetectClientOptions({ context: "kind-kind" });
 *   console.log(options.server);
 * } catch (err) {
 *   console.log((err as Error).name); // "KubeConfigError" when there is no such kubeconfig
 * }
 * ```
 */
export async function autoDetectClientOptions(
  options?: AutoDetectClientOptions,
): Promise<KubeClientOptions> {
  options ??= {};
  if (!options.env && !envAvailable()) {
    throw new KubeConfigError(
      "cannot detect the Kubernetes configuration: this runtime gives no access to environment variables and files; " +
        "pass the kubeconfig text to parseKubeConfig and a fetch to kubeConfigToClientOptions instead",
    );
  }
  const env = options.env ?? ((name: string) => getEnv(name, { names: AUTO_DETECT_ENV }));
  const looked: string[] = [];
  if (options.kubeconfig !== undefined) {
    const files = typeof options.kubeconfig === "string"
      ? [options.kubeconfig]
      : [...options.kubeconfig];
    if (files.length === 0) throw new KubeConfigError("the kubeconfig option names no file");
    const given: KubeConfig[] = [];
    for (const path of files) {
      const text = await readTextFileIfExists(path, { purpose: "kubeconfig" });
      if (text === undefined) throw new KubeConfigError(`kubeconfig ${path} does not exist`);
      given.push(parseKubeConfig(text, { path }));
    }
    const config = given.length === 1 ? given[0] as KubeConfig : mergeKubeConfigs(given);
    return kubeConfigToClientOptions(config, { context: options.context, fetch: options.fetch });
  }
  if (options.context === undefined) {
    const host = env("KUBERNETES_SERVICE_HOST");
    const port = env("KUBERNETES_SERVICE_PORT");
    if (host && port) {
      const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
      const token = await readTextFileIfExists(resolvePath(dir, "token"), {
        purpose: "service-account token",
      });
      if (token !== undefined) return inClusterClientOptions({ ...options, env });
      looked.push(`KUBERNETES_SERVICE_HOST is set but ${resolvePath(dir, "token")} does not exist`);
    } else {
      looked.push("not in a pod (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset)");
    }
  }
  const kubeconfigVar = env("KUBECONFIG");
  let paths: string[];
  if (kubeconfigVar) {
    const separator = isWindows() ? ";" : ":";
    paths = [...new Set(kubeconfigVar.split(separator).filter((p) => p.trim() !== ""))];
  } else {
    const home = options.homeDir ??
      (options.env ? env(isWindows() ? "USERPROFILE" : "HOME") : runtimeHomeDir());
    if (!home) {
      throw new KubeConfigError(
        `no Kubernetes configuration found: ${
          [...looked, "$KUBECONFIG is not set", "the home directory is unknown"].join("; ")
        }`,
      );
    }
    paths = [resolvePath(resolvePath(home, ".kube"), "config")];
  }
  const configs: KubeConfig[] = [];
  for (const path of paths) {
    const text = await readTextFileIfExists(path, { purpose: "kubeconfig" });
    if (text !== undefined) configs.push(parseKubeConfig(text, { path }));
  }
  if (configs.length === 0) {
    const where = kubeconfigVar
      ? `none of the files in $KUBECONFIG exist (${paths.join(", ")})`
      : `${paths[0]} does not exist and $KUBECONFIG is not set`;
    throw new KubeConfigError(
      `no Kubernetes configuration found: ${[...looked, where].join("; ")}`,
    );
  }
  const merged = configs.length === 1 ? configs[0] as KubeConfig : mergeKubeConfigs(configs);
  return kubeConfigToClientOptions(merged, { context: options.context, fetch: options.fetch });
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 10).map((n) => JSON.stringify(n)).join(", ");
  return names.length > 10 ? `${shown}, …` : shown;
}

function checkServer(cluster: KubeConfigCluster, label: string): URL {
  const server = cluster.server;
  if (!server) throw new KubeConfigError(`${label} has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeConfigError(`${label} has a server that is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new KubeConfigError(`${label} has a server URL that is neither https nor http`);
  }
  if (url.username || url.password) {
    throw new KubeConfigError(
      `${label} has a server URL with credentials in it; move them to the user`,
    );
  }
  return url;
}

/** Decodes base64 PEM data from a `-data` field; never quotes the value. */
function decodeData(data: string, what: string): string {
  let binary: string;
  try {
    binary = atob(data.replace(/\s+/g, ""));
  } catch {
    throw new KubeConfigError(`${what} is not valid base64`);
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new KubeConfigError(`${what} does not decode to PEM text`);
  }
}

interface TlsSettings {
  /** Whether any setting needs a dedicated HTTP client. */
  readonly needed: boolean;
  readonly options: TlsFetchOptions;
  /** The CA PEM, for exec plugins' cluster info. */
  readonly caPem: string | undefined;
}

function tlsSettings(
  cluster: KubeConfigCluster,
  user: KubeConfigUser,
  server: URL,
  clusterLabel: string,
  userLabel: string,
): TlsSettings {
  const options: TlsFetchOptions = {};
  let caPem: string | undefined;
  if (cluster["certificate-authority-data"]) {
    caPem = decodeData(
      cluster["certificate-authority-data"],
      `certificate-authority-data of ${clusterLabel}`,
    );
  } else if (cluster["certificate-authority"]) {
    caPem = readTextFileSync(cluster["certificate-authority"], {
      purpose: `certificate-authority of ${clusterLabel}`,
    });
  }
  const insecure = cluster["insecure-skip-tls-verify"] === true;
  if (insecure && caPem !== undefined) {
    throw new KubeConfigError(
      `${clusterLabel} sets both insecure-skip-tls-verify and a certificate authority; remove one of them`,
    );
  }
  let cert: string | undefined;
  if (user["client-certificate-data"]) {
    cert = decodeData(user["client-certificate-data"], `client-certificate-data of ${userLabel}`);
  } else if (user["client-certificate"]) {
    cert = readTextFileSync(user["client-certificate"], {
      purpose: `client-certificate of ${userLabel}`,
    });
  }
  let key: string | undefined;
  if (user["client-key-data"]) {
    key = decodeData(user["client-key-data"], `client-key-data of ${userLabel}`);
  } else if (user["client-key"]) {
    key = readTextFileSync(user["client-key"], { purpose: `client-key of ${userLabel}` });
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw new KubeConfigError(
      cert === undefined
        ? `${userLabel} has a client key but no client certificate`
        : `${userLabel} has a client certificate but no client key`,
    );
  }
  if (caPem !== undefined) options.caCerts = [caPem];
  if (cert !== undefined && key !== undefined) {
    options.cert = cert;
    options.key = key;
  }
  if (insecure) options.insecureSkipTlsVerify = true;
  const serverName = cluster["tls-server-name"];
  const host = server.hostname.replace(/^\[|\]$/g, "");
  if (serverName && serverName !== host) options.serverName = serverName;
  if (cluster["proxy-url"]) options.proxyUrl = cluster["proxy-url"];
  const https = server.protocol === "https:";
  const needed = options.proxyUrl !== undefined ||
    (https &&
      (options.caCerts !== undefined || options.cert !== undefined || insecure ||
        options.serverName !== undefined));
  if (!https) {
    // Plain HTTP: certificates and TLS names do not apply.
    delete options.caCerts;
    delete options.cert;
    delete options.key;
    delete options.serverName;
    delete options.insecureSkipTlsVerify;
  }
  return { needed, options, caPem };
}

function execClusterInfo(
  cluster: KubeConfigCluster,
  tls: TlsSettings,
  server: URL,
): ExecClusterInfo {
  const info: ExecClusterInfo = { server: cluster.server ?? server.href };
  if (cluster["tls-server-name"]) info["tls-server-name"] = cluster["tls-server-name"];
  if (cluster["insecure-skip-tls-verify"]) info["insecure-skip-tls-verify"] = true;
  if (tls.caPem !== undefined) {
    const bytes = new TextEncoder().encode(tls.caPem);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    info["certificate-authority-data"] = btoa(binary);
  }
  if (cluster["proxy-url"]) info["proxy-url"] = cluster["proxy-url"];
  if (cluster["disable-compression"]) info["disable-compression"] = true;
  const extension = cluster.extensions?.find((e) => e.name === "client.authentication.k8s.io/exec");
  if (extension) info.config = extension.extension;
  return info;
}

function impersonationHeaders(
  user: KubeConfigUser,
  label: string,
): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  if (user.as) headers["Impersonate-User"] = user.as;
  if (user["as-uid"]) headers["Impersonate-Uid"] = user["as-uid"];
  const groups = user["as-groups"] ?? [];
  if (groups.length > 1) {
    throw new KubeConfigError(
      `${label} impersonates ${groups.length} groups; kubesnap can send only one Impersonate-Group header`,
    );
  }
  if (groups[0]) headers["Impersonate-Group"] = groups[0];
  for (const [key, values] of Object.entries(user["as-user-extra"] ?? {})) {
    if (values.length > 1) {
      throw new KubeConfigError(
        `${label} impersonates several values of the extra field ${
          JSON.stringify(key)
        }; kubesnap can send only one`,
      );
    }
    if (values[0] !== undefined) {
      headers[`Impersonate-Extra-${encodeURIComponent(key)}`] = values[0];
    }
  }
  if (Object.keys(headers).length > 0 && !user.as) {
    throw new KubeConfigError(
      `${label} sets impersonation fields without "as" (the user to impersonate)`,
    );
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/**
 * The fetch of an exec-plugin user: the cluster's TLS settings plus the client
 * certificate the plugin returned, rebuilt when the plugin returns a new one.
 * The previous HTTP client stays open (for requests still streaming on it)
 * until the next rotation or close.
 */
class ExecTlsFetch {
  #base: TlsFetchOptions;
  #exec: ExecCredentials;
  #current: { tls: TlsFetch | undefined; cert: string | undefined; key: string | undefined };
  #previous: TlsFetch | undefined;
  #closed = false;

  constructor(base: TlsFetchOptions, exec: ExecCredentials) {
    this.#base = base;
    this.#exec = exec;
    const needed = Object.keys(base).length > 0;
    // Settings the runtime cannot honour fail now rather than at the first request.
    this.#current = {
      tls: needed ? createTlsFetch(base) : undefined,
      cert: undefined,
      key: undefined,
    };
  }

  fetch(request: Request): Promise<Response> {
    if (this.#closed) return Promise.reject(new TypeError("the client has been closed"));
    const certificate = this.#exec.clientCertificate();
    const current = this.#current;
    if (certificate && (certificate.cert !== current.cert || certificate.key !== current.key)) {
      const tls = createTlsFetch({ ...this.#base, cert: certificate.cert, key: certificate.key });
      this.#previous?.close();
      this.#previous = current.tls;
      this.#current = { tls, cert: certificate.cert, key: certificate.key };
    }
    const tls = this.#current.tls;
    return tls ? tls.fetch(request) : fetch(request);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#previous?.close();
    this.#current.tls?.close();
  }
}

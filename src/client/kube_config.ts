/**
 * Kubeconfig files: their types (with the wire field names), a parser for
 * YAML and JSON kubeconfigs that checks their shape, and the merge of several
 * files the way `$KUBECONFIG` lists them.
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { formatYamlPath, readYaml, type YamlPath } from "../_internal/yaml_reader.ts";
import { dirname, isAbsolutePath, resolvePath } from "../runtime/files.ts";

/** A parsed kubeconfig. Lists are always present (possibly empty). */
export interface KubeConfig {
  /** Usually `v1`. */
  apiVersion?: string | undefined;
  /** Usually `Config`. */
  kind?: string | undefined;
  /** Client preferences (unused by kubesnap, kept for completeness). */
  preferences?: KubeConfigPreferences | undefined;
  /** Named API servers. */
  clusters: KubeConfigNamedCluster[];
  /** Named (cluster, user, namespace) triples. */
  contexts: KubeConfigNamedContext[];
  /** Named credentials. */
  users: KubeConfigNamedUser[];
  /** The context used when none is asked for. */
  "current-context"?: string | undefined;
  /** Extensions: opaque data keyed by name. */
  extensions?: KubeConfigNamedExtension[] | undefined;
}

/** `preferences` of a kubeconfig. */
export interface KubeConfigPreferences {
  /** Whether kubectl colours its output. */
  colors?: boolean | undefined;
  /** Extensions. */
  extensions?: KubeConfigNamedExtension[] | undefined;
}

/** One entry of an `extensions` list. */
export interface KubeConfigNamedExtension {
  /** The extension's name. */
  name: string;
  /** Its data, any shape. */
  extension: unknown;
}

/** One entry of `clusters`. */
export interface KubeConfigNamedCluster {
  /** The cluster's name, referred to by contexts. */
  name: string;
  /** How to reach the cluster. */
  cluster: KubeConfigCluster;
}

/** How to reach an API server. */
export interface KubeConfigCluster {
  /** The server's URL, such as `https://10.0.0.1:6443`. */
  server?: string | undefined;
  /** Name to verify the server's certificate against instead of the URL's host. */
  "tls-server-name"?: string | undefined;
  /** Do not verify the server's certificate. */
  "insecure-skip-tls-verify"?: boolean | undefined;
  /** Path of a PEM file of certificate authorities. */
  "certificate-authority"?: string | undefined;
  /** Base64 of PEM certificate authorities; wins over `certificate-authority`. */
  "certificate-authority-data"?: string | undefined;
  /** Proxy for requests to this cluster (`http`, `https`, `socks5`). */
  "proxy-url"?: string | undefined;
  /** Ask the server not to compress responses. */
  "disable-compression"?: boolean | undefined;
  /** Extensions (such as `client.authentication.k8s.io/exec` data for exec plugins). */
  extensions?: KubeConfigNamedExtension[] | undefined;
}

/** One entry of `contexts`. */
export interface KubeConfigNamedContext {
  /** The context's name. */
  name: string;
  /** What the context combines. */
  context: KubeConfigContext;
}

/** A cluster, a user and a default namespace. */
export interface KubeConfigContext {
  /** Name of a cluster in `clusters`. */
  cluster?: string | undefined;
  /** Name of a user in `users`; empty for anonymous access. */
  user?: string | undefined;
  /** Default namespace. */
  namespace?: string | undefined;
  /** Extensions. */
  extensions?: KubeConfigNamedExtension[] | undefined;
}

/** One entry of `users`. */
export interface KubeConfigNamedUser {
  /** The user's name, referred to by contexts. */
  name: string;
  /** The credentials. */
  user: KubeConfigUser;
}

/** Credentials for an API server (client-go's `AuthInfo`). */
export interface KubeConfigUser {
  /** Path of a PEM client certificate. */
  "client-certificate"?: string | undefined;
  /** Base64 of a PEM client certificate; wins over `client-certificate`. */
  "client-certificate-data"?: string | undefined;
  /** Path of the PEM private key of the client certificate. */
  "client-key"?: string | undefined;
  /** Base64 of the PEM private key; wins over `client-key`. */
  "client-key-data"?: string | undefined;
  /** A static bearer token. */
  token?: string | undefined;
  /** Path of a file holding a bearer token, re-read as it rotates; wins over `token`. */
  tokenFile?: string | undefined;
  /** User to impersonate. */
  as?: string | undefined;
  /** UID to impersonate. */
  "as-uid"?: string | undefined;
  /** Groups to impersonate. */
  "as-groups"?: string[] | undefined;
  /** Extra fields to impersonate. */
  "as-user-extra"?: Record<string, string[]> | undefined;
  /** Basic-auth user name. */
  username?: string | undefined;
  /** Basic-auth password. */
  password?: string | undefined;
  /** A legacy in-tree auth provider (`gcp`, `azure`, `oidc`): not supported, use `exec`. */
  "auth-provider"?: KubeConfigAuthProvider | undefined;
  /** An exec credential plugin. */
  exec?: KubeConfigExec | undefined;
  /** Extensions. */
  extensions?: KubeConfigNamedExtension[] | undefined;
}

/** A legacy auth provider entry. */
export interface KubeConfigAuthProvider {
  /** Its name, such as `gcp` or `oidc`. */
  name: string;
  /** Its settings (may hold tokens). */
  config?: Record<string, string> | undefined;
}

/** An exec credential plugin (`client.authentication.k8s.io`). */
export interface KubeConfigExec {
  /** The program; a relative path containing a separator is relative to the kubeconfig. */
  command: string;
  /** Its arguments. */
  args?: string[] | undefined;
  /** Environment variables added for the plugin. */
  env?: KubeConfigExecEnvVar[] | undefined;
  /** `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`. */
  apiVersion: string;
  /** Shown when the command is missing. */
  installHint?: string | undefined;
  /** Pass the cluster's details to the plugin in `KUBERNETES_EXEC_INFO`. */
  provideClusterInfo?: boolean | undefined;
  /** `Never`, `IfAvailable` or `Always`; kubesnap never gives the plugin a terminal. */
  interactiveMode?: "Never" | "IfAvailable" | "Always" | undefined;
}

/** One environment variable of an exec plugin. */
export interface KubeConfigExecEnvVar {
  /** Variable name. */
  name: string;
  /** Its value. */
  value: string;
}

/** Options of {@linkcode parseKubeConfig}. */
export interface ParseKubeConfigOptions {
  /**
   * The file the text came from: named in errors, and relative file references
   * (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`,
   * and an exec `command` containing a path separator) are resolved against
   * its directory.
   */
  path?: string | undefined;
}

/** Fields whose plain YAML values resolve to booleans; every other kubeconfig scalar stays a string. */
const BOOLEAN_FIELDS: ReadonlySet<string> = new Set([
  "insecure-skip-tls-verify",
  "disable-compression",
  "provideClusterInfo",
  "colors",
]);

/**
 * Parses a kubeconfig written in YAML or JSON and checks its shape. Unknown
 * fields are ignored; fields of the wrong type, unnamed or duplicate entries
 * and malformed YAML throw a {@linkcode KubeConfigError} naming the key and
 * line. No message ever quotes a value.
 *
 * @param text The kubeconfig text.
 * @param options The file it came from, to resolve relative paths.
 * @returns The kubeconfig.
 * @throws {KubeConfigError} When the text is not a valid kubeconfig.
 *
 * @example Parsing a kubeconfig
 * ```ts
 * import { parseKubeConfig } from "@kubesnap/kubesnap";
 * const kc = parseKubeConfig(`
 * apiVersion: v1
 * kind: Config
 * clusters:
 * - name: dev
 *   cluster:
 *     server: https://127.0.0.1:6443
 *     certificate-authority: ca.crt
 * contexts:
 * - name: dev
 *   context: {cluster: dev, user: me, namespace: team-a}
 * current-context: dev
 * users:
 * - name: me
 *   user:
 *     token: abc
 * `, { path: "/home/me/.kube/config" });
 * console.log(kc.clusters[0]?.cluster["certificate-authority"]); // "/home/me/.kube/ca.crt"
 * console.log(kc["current-context"]); // "dev"
 * ```
 */
export function parseKubeConfig(text: string, options?: ParseKubeConfigOptions): KubeConfig {
  options ??= {};
  if (typeof text !== "string") throw new TypeError("parseKubeConfig expects the kubeconfig text");
  const source = options.path ? `kubeconfig ${options.path}` : "kubeconfig";
  const doc = readYaml(text, {
    source,
    keepString: (path) => {
      if (path.includes("extension")) return false;
      const last = path[path.length - 1];
      return !(typeof last === "string" && BOOLEAN_FIELDS.has(last));
    },
  });
  const checker = new Checker(source, doc.lineOf);
  const config = checker.config(doc.value);
  if (options.path) resolveFileReferences(config, dirname(options.path));
  return config;
}

/**
 * Merges kubeconfigs the way kubectl merges the files of `$KUBECONFIG`: for
 * every cluster, context, user and extension name the first file defining it
 * wins, and so does the first `current-context` and `preferences`.
 *
 * @param configs The kubeconfigs, highest priority first.
 * @returns The merged kubeconfig (sharing entries with the inputs).
 *
 * @example Two files
 * ```ts
 * import { mergeKubeConfigs, parseKubeConfig } from "@kubesnap/kubesnap";
 * const a = parseKubeConfig("clusters:\n- name: c\n  cluster: {server: https://a.example}\n");
 * const b = parseKubeConfig("clusters:\n- name: c\n  cluster: {server: https://b.example}\ncurrent-context: x\n");
 * const merged = mergeKubeConfigs([a, b]);
 * console.log(merged.clusters[0]?.cluster.server, merged["current-context"]); // "https://a.example" "x"
 * ```
 */
export function mergeKubeConfigs(configs: readonly KubeConfig[]): KubeConfig {
  const merged: KubeConfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [],
    contexts: [],
    users: [],
  };
  const firstByName = <T extends { name: string }>(lists: (readonly T[] | undefined)[]): T[] => {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const list of lists) {
      for (const entry of list ?? []) {
        if (seen.has(entry.name)) continue;
        seen.add(entry.name);
        out.push(entry);
      }
    }
    return out;
  };
  merged.clusters = firstByName(configs.map((c) => c.clusters));
  merged.contexts = firstByName(configs.map((c) => c.contexts));
  merged.users = firstByName(configs.map((c) => c.users));
  const extensions = firstByName(configs.map((c) => c.extensions));
  if (extensions.length > 0) merged.extensions = extensions;
  const current = configs.find((c) => c["current-context"])?.["current-context"];
  if (current) merged["current-context"] = current;
  const preferences = configs.find((c) => c.preferences !== undefined)?.preferences;
  if (preferences !== undefined) merged.preferences = preferences;
  return merged;
}

function resolveFileReferences(config: KubeConfig, base: string): void {
  for (const { cluster } of config.clusters) {
    const ca = cluster["certificate-authority"];
    if (ca) cluster["certificate-authority"] = resolvePath(base, ca);
  }
  for (const { user } of config.users) {
    for (const key of ["client-certificate", "client-key", "tokenFile"] as const) {
      const value = user[key];
      if (value) user[key] = resolvePath(base, value);
    }
    // A bare command name is looked up on PATH; only paths are relative to the file.
    const command = user.exec?.command;
    if (user.exec && command && /[\\/]/.test(command) && !isAbsolutePath(command)) {
      user.exec.command = resolvePath(base, command);
    }
  }
}

type Json = Record<string, unknown>;

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

/** Checks the shape of a parsed kubeconfig, naming the key and line of anything wrong. */
class Checker {
  #source: string;
  #lineOf: (path: YamlPath) => number | undefined;

  constructor(source: string, lineOf: (path: YamlPath) => number | undefined) {
    this.#source = source;
    this.#lineOf = lineOf;
  }

  fail(path: YamlPath, message: string): never {
    let line: number | undefined;
    for (let n = path.length; n > 0 && line === undefined; n--) {
      line = this.#lineOf(path.slice(0, n));
    }
    throw new KubeConfigError(
      `${this.#source}: ${formatYamlPath(path)} ${message}${
        line === undefined ? "" : ` (line ${line})`
      }`,
    );
  }

  config(value: unknown): KubeConfig {
    if (value === null || value === undefined) {
      return { clusters: [], contexts: [], users: [] };
    }
    const root = this.object(value, []);
    const config: KubeConfig = {
      clusters: this.namedList(root, [], "clusters", "cluster", (v, p) => this.cluster(v, p)),
      contexts: this.namedList(root, [], "contexts", "context", (v, p) => this.context(v, p)),
      users: this.namedList(root, [], "users", "user", (v, p) => this.user(v, p)),
    };
    this.copyString(root, [], "apiVersion", config);
    this.copyString(root, [], "kind", config);
    this.copyString(root, [], "current-context", config);
    if (root.preferences !== undefined && root.preferences !== null) {
      const prefs = this.object(root.preferences, ["preferences"]);
      const preferences: KubeConfigPreferences = {};
      this.copyBoolean(prefs, ["preferences"], "colors", preferences);
      this.copyExtensions(prefs, ["preferences"], preferences);
      config.preferences = preferences;
    }
    this.copyExtensions(root, [], config);
    return config;
  }

  object(value: unknown, path: YamlPath): Json {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path, `must be a mapping, not ${typeName(value)}`);
    }
    return value as Json;
  }

  list(value: unknown, path: YamlPath): unknown[] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) this.fail(path, `must be a list, not ${typeName(value)}`);
    return value;
  }

  string(value: unknown, path: YamlPath): string {
    if (value === undefined) this.fail(path, "is missing");
    if (typeof value !== "string") this.fail(path, `must be a string, not ${typeName(value)}`);
    return value;
  }

  copyString<K extends string>(
    from: Json,
    path: YamlPath,
    key: K,
    to: { [P in K]?: string | undefined },
  ): void {
    const value = from[key];
    if (value === undefined || value === null) return;
    to[key] = this.string(value, [...path, key]);
  }

  copyBoolean<K extends string>(
    from: Json,
    path: YamlPath,
    key: K,
    to: { [P in K]?: boolean | undefined },
  ): void {
    const value = from[key];
    if (value === undefined || value === null) return;
    if (typeof value !== "boolean") {
      this.fail([...path, key], `must be true or false, not ${typeName(value)}`);
    }
    to[key] = value;
  }

  stringList(value: unknown, path: YamlPath): string[] {
    return this.list(value, path).map((item, i) => this.string(item, [...path, i]));
  }

  namedList<T, K extends string>(
    root: Json,
    parent: YamlPath,
    key: string,
    inner: K,
    convert: (value: Json, path: YamlPath) => T,
  ): ({ name: string } & { [P in K]: T })[] {
    const path = [...parent, key];
    const seen = new Set<string>();
    return this.list(root[key], path).map((item, i) => {
      const itemPath = [...path, i];
      const entry = this.object(item, itemPath);
      const name = entry.name;
      if (name === undefined || name === null || name === "") {
        this.fail(itemPath, "has no name");
      }
      const nameString = this.string(name, [...itemPath, "name"]);
      if (seen.has(nameString)) {
        this.fail([...itemPath, "name"], `repeats the name ${JSON.stringify(nameString)}`);
      }
      seen.add(nameString);
      const innerValue = entry[inner];
      if (innerValue === undefined || innerValue === null) {
        this.fail(itemPath, `has no "${inner}"`);
      }
      const converted = convert(this.object(innerValue, [...itemPath, inner]), [
        ...itemPath,
        inner,
      ]);
      return { name: nameString, [inner]: converted } as { name: string } & { [P in K]: T };
    });
  }

  copyExtensions(
    from: Json,
    path: YamlPath,
    to: { extensions?: KubeConfigNamedExtension[] | undefined },
  ): void {
    if (from.extensions === undefined || from.extensions === null) return;
    const p = [...path, "extensions"];
    const seen = new Set<string>();
    to.extensions = this.list(from.extensions, p).map((item, i) => {
      const entry = this.object(item, [...p, i]);
      const name = this.string(entry.name, [...p, i, "name"]);
      if (seen.has(name)) this.fail([...p, i, "name"], `repeats the name ${JSON.stringify(name)}`);
      seen.add(name);
      return { name, extension: entry.extension ?? null };
    });
  }

  cluster(value: Json, path: YamlPath): KubeConfigCluster {
    const cluster: KubeConfigCluster = {};
    for (
      const key of [
        "server",
        "tls-server-name",
        "certificate-authority",
        "certificate-authority-data",
        "proxy-url",
      ] as const
    ) {
      this.copyString(value, path, key, cluster);
    }
    this.copyBoolean(value, path, "insecure-skip-tls-verify", cluster);
    this.copyBoolean(value, path, "disable-compression", cluster);
    this.copyExtensions(value, path, cluster);
    return cluster;
  }

  context(value: Json, path: YamlPath): KubeConfigContext {
    const context: KubeConfigContext = {};
    for (const key of ["cluster", "user", "namespace"] as const) {
      this.copyString(value, path, key, context);
    }
    this.copyExtensions(value, path, context);
    return context;
  }

  user(value: Json, path: YamlPath): KubeConfigUser {
    const user: KubeConfigUser = {};
    for (
      const key of [
        "client-certificate",
        "client-certificate-data",
        "client-key",
        "client-key-data",
        "token",
        "tokenFile",
        "as",
        "as-uid",
        "username",
        "password",
      ] as const
    ) {
      this.copyString(value, path, key, user);
    }
    if (value["as-groups"] !== undefined && value["as-groups"] !== null) {
      user["as-groups"] = this.stringList(value["as-groups"], [...path, "as-groups"]);
    }
    if (value["as-user-extra"] !== undefined && value["as-user-extra"] !== null) {
      const p = [...path, "as-user-extra"];
      const extra = this.object(value["as-user-extra"], p);
      const out: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(extra)) {
        Object.defineProperty(out, k, {
          value: this.stringList(v, [...p, k]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      user["as-user-extra"] = out;
    }
    if (value["auth-provider"] !== undefined && value["auth-provider"] !== null) {
      const p = [...path, "auth-provider"];
      const provider = this.object(value["auth-provider"], p);
      const authProvider: KubeConfigAuthProvider = {
        name: this.string(provider.name, [...p, "name"]),
      };
      if (provider.config !== undefined && provider.config !== null) {
        const config = this.object(provider.config, [...p, "config"]);
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(config)) {
          Object.defineProperty(out, k, {
            value: this.string(v, [...p, "config", k]),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        authProvider.config = out;
      }
      user["auth-provider"] = authProvider;
    }
    if (value.exec !== undefined && value.exec !== null) {
      user.exec = this.exec(this.object(value.exec, [...path, "exec"]), [...path, "exec"]);
    }
    this.copyExtensions(value, path, user);
    return user;
  }

  exec(value: Json, path: YamlPath): KubeConfigExec {
    if (value.command === undefined || value.command === null || value.command === "") {
      this.fail(path, "has no command");
    }
    if (value.apiVersion === undefined || value.apiVersion === null || value.apiVersion === "") {
      this.fail(path, "has no apiVersion");
    }
    const exec: KubeConfigExec = {
      command: this.string(value.command, [...path, "command"]),
      apiVersion: this.string(value.apiVersion, [...path, "apiVersion"]),
    };
    if (value.args !== undefined && value.args !== null) {
      exec.args = this.stringList(value.args, [...path, "args"]);
    }
    if (value.env !== undefined && value.env !== null) {
      const p = [...path, "env"];
      exec.env = this.list(value.env, p).map((item, i) => {
        const entry = this.object(item, [...p, i]);
        return {
          name: this.string(entry.name, [...p, i, "name"]),
          value: entry.value === null || entry.value === undefined
            ? ""
            : this.string(entry.value, [...p, i, "value"]),
        };
      });
    }
    this.copyString(value, path, "installHint", exec);
    this.copyBoolean(value, path, "provideClusterInfo", exec);
    if (value.interactiveMode !== undefined && value.interactiveMode !== null) {
      const mode = this.string(value.interactiveMode, [...path, "interactiveMode"]);
      if (mode !== "Never" && mode !== "IfAvailable" && mode !== "Always") {
        this.fail(
          [...path, "interactiveMode"],
          'must be "Never", "IfAvailable" or "Always"',
        );
      }
      exec.interactiveMode = mode;
    }
    return exec;
  }
}

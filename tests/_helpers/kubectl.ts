/**
 * Runs the fake-apiserver CLI as a child process (over TLS with a token when
 * `openssl` is available) and kubectl against it, for the kubectl tests.
 *
 * @module
 */

import { fail } from "./assert.ts";
import { generateTestCertificates } from "./fake_server_tls.ts";
import { createTlsFetch, type TlsFetch } from "../../src/runtime/tls_fetch.ts";

const CLI = new URL("../../src/testing/fake_apiserver_cli.ts", import.meta.url).pathname;

/** Whether kubectl is on PATH. */
export async function hasKubectl(): Promise<boolean> {
  try {
    const out = await new Deno.Command("kubectl", {
      args: ["version", "--client"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Reads a child's stdout line by line. */
export class LineReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly lines: string[] = [];
  #pending: Promise<ReadableStreamReadResult<string>> | undefined;
  #buffer = "";

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Waits for a line matching `pattern`; returns it. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.lines.find((l) => pattern.test(l));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) fail(`no line matching ${pattern} in:\n${this.lines.join("\n")}`);
      this.#pending ??= this.#reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const result = await Promise.race([
        this.#pending,
        new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), left))),
      ]);
      clearTimeout(timer);
      if (result === "timeout") continue;
      this.#pending = undefined;
      if (result.done) {
        fail(`stream ended without a line matching ${pattern}:\n${this.lines.join("\n")}`);
      }
      this.#buffer += result.value;
      const parts = this.#buffer.split("\n");
      this.#buffer = parts.pop()!;
      this.lines.push(...parts);
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    await this.#pending?.catch(() => {});
  }
}

/** What kubectl printed and how it exited. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running fake-apiserver CLI and a kubeconfig for it. */
export interface KubectlHarness {
  /** The server URL. */
  url: string;
  /** The kubeconfig path the CLI wrote. */
  kubeconfig: string;
  /** Whether the server runs over TLS (with token `kubectl-token`). */
  tls: boolean;
  /** A scratch directory (removed on close). */
  dir: string;
  /** Environment for kubectl: KUBECONFIG and a scratch HOME. */
  env: Record<string, string>;
  /** Runs kubectl; fails the test when it exits non-zero. */
  kubectl(...args: string[]): Promise<string>;
  /** Runs kubectl and returns its exit code and output whatever they are. */
  kubectlResult(args: string[], stdin?: string): Promise<KubectlResult>;
  /** A request to the server (authenticated, over TLS when it serves TLS). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server; resolves to its exit code. */
  close(): Promise<number>;
}

/** Starts the CLI with `extraArgs`; undefined when kubectl is missing. */
export async function startKubectlHarness(
  extraArgs: string[] = [],
): Promise<KubectlHarness | undefined> {
  if (!(await hasKubectl())) return undefined;
  const dir = await Deno.makeTempDir({ prefix: "kubectl-fake-" });
  const certs = await generateTestCertificates();
  const args = [
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    CLI,
    "--port",
    "0",
    ...extraArgs,
  ];
  let tlsFetch: TlsFetch | undefined;
  if (certs !== undefined) {
    await Deno.writeTextFile(`${dir}/cert.pem`, certs.cert + certs.ca);
    await Deno.writeTextFile(`${dir}/key.pem`, certs.key);
    args.push("--token", "kubectl-token", "--cert", `${dir}/cert.pem`, "--key", `${dir}/key.pem`);
    tlsFetch = createTlsFetch({ caCerts: [certs.ca] });
  }
  const server = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .spawn();
  const out = new LineReader(server.stdout);
  const close = async (): Promise<number> => {
    server.kill("SIGTERM");
    await out.waitFor(/^fake-apiserver stopped$/).catch(() => {});
    await out.close();
    const status = await server.status;
    tlsFetch?.close();
    await Deno.remove(dir, { recursive: true });
    return status.code;
  };
  try {
    const url = (await out.waitFor(/^fake-apiserver listening on /)).split(" ").pop()!;
    const kubeconfig = (await out.waitFor(/^kubeconfig: /)).slice("kubeconfig: ".length);
    const env = { KUBECONFIG: kubeconfig, HOME: dir };
    const kubectlResult = async (kargs: string[], stdin?: string): Promise<KubectlResult> => {
      const child = new Deno.Command("kubectl", {
        args: kargs,
        env,
        stdin: stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      if (stdin !== undefined) {
        const writer = child.stdin.getWriter();
        await writer.write(new TextEncoder().encode(stdin));
        await writer.close();
      }
      const res = await child.output();
      return {
        code: res.code,
        stdout: new TextDecoder().decode(res.stdout),
        stderr: new TextDecoder().decode(res.stderr),
      };
    };
    return {
      url,
      kubeconfig,
      tls: certs !== undefined,
      dir,
      env,
      kubectlResult,
      async kubectl(...kargs: string[]): Promise<string> {
        const res = await kubectlResult(kargs);
        if (res.code !== 0) {
          fail(`kubectl ${kargs.join(" ")} failed (${res.code}):\n${res.stdout}\n${res.stderr}`);
        }
        return res.stdout;
      },
      fetch(path: string, init: RequestInit = {}): Promise<Response> {
        const headers = new Headers(init.headers);
        if (tlsFetch !== undefined) headers.set("Authorization", "Bearer kubectl-token");
        const request = new Request(`${url}${path}`, { ...init, headers });
        return tlsFetch !== undefined ? tlsFetch.fetch(request) : fetch(request);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A test against the fake-apiserver CLI with kubectl: starts it with
 * `extraArgs`, runs `body`, stops it and checks that it exited with 0. Without
 * kubectl on the PATH the test says so and passes.
 */
export function kubectlTest(
  name: string,
  extraArgs: string[],
  body: (h: KubectlHarness, t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test({
    name,
    async fn(t) {
      const h = await startKubectlHarness(extraArgs);
      if (h === undefined) {
        console.log("kubectl is not on PATH: skipping the kubectl test");
        return;
      }
      let code: number | undefined;
      try {
        await body(h, t);
      } finally {
        code = await h.close();
      }
      if (code !== 0) throw new Error(`the fake-apiserver CLI exited with ${code}`);
    },
  });
}

import { assertEquals, assertStringIncludes, assertThrows } from "../_helpers/assert.ts";
import { kubeconfigFor, parseCliArgs, seedPod } from "../../src/testing/fake_apiserver_cli.ts";

Deno.test("parseCliArgs reads every flag, in both --flag value and --flag=value forms", () => {
  assertEquals(
    parseCliArgs([
      "--port",
      "8080",
      "--hostname=0.0.0.0",
      "--seed-pods",
      "5",
      "--token=t",
      "--bookmark-interval-ms",
      "100",
      "--history",
      "50",
      "--no-streaming-lists",
      "--cors",
      "--no-namespace-controller",
      "--cert",
      "c.pem",
      "--key",
      "k.pem",
    ]),
    {
      port: 8080,
      hostname: "0.0.0.0",
      seedPods: 5,
      token: "t",
      bookmarkIntervalMs: 100,
      history: 50,
      streamingLists: false,
      cors: true,
      namespaceController: false,
      cert: "c.pem",
      key: "k.pem",
      help: false,
    },
  );
  assertEquals(parseCliArgs(["--help"]).help, true);
  assertEquals(parseCliArgs(["-h"]).help, true);
  assertEquals(parseCliArgs([]).port, 0);
  assertEquals(parseCliArgs([]).namespaceController, true);
});

Deno.test("parseCliArgs rejects unknown flags, bad numbers and a lone --cert", () => {
  assertThrows(() => parseCliArgs(["--verbose"]), TypeError, "unknown argument");
  assertThrows(
    () => parseCliArgs(["--port", "x"]),
    TypeError,
    "--port needs a non-negative integer",
  );
  assertThrows(() => parseCliArgs(["--seed-pods"]), TypeError, "--seed-pods");
  assertThrows(() => parseCliArgs(["--cert", "c.pem"]), TypeError, "together");
});

Deno.test("kubeconfigFor writes the server, the token and the trusted certificate", () => {
  const plain = kubeconfigFor("http://127.0.0.1:1", undefined);
  assertStringIncludes(plain, "    server: http://127.0.0.1:1\n");
  assertStringIncludes(plain, "current-context: fake\n");
  assertStringIncludes(plain, "  user: {}\n");
  const tls = kubeconfigFor("https://127.0.0.1:2", "tok", "PEM");
  assertStringIncludes(tls, `    certificate-authority-data: ${btoa("PEM")}\n`);
  assertStringIncludes(tls, '    token: "tok"\n');
});

Deno.test("seedPod builds deterministic, distinct pods", () => {
  assertEquals(seedPod(3), seedPod(3));
  assertEquals(seedPod(12).metadata?.name, "pod-00012");
  assertEquals(seedPod(12).status?.podIP, "10.0.0.12");
  assertEquals(seedPod(12).status?.podIPs, [{ ip: "10.0.0.12" }]);
});

const CLI = new URL("../../src/testing/fake_apiserver_cli.ts", import.meta.url).pathname;

/** Runs the CLI to its end (with a deadline) and returns its exit code and output. */
async function runCli(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(30_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("the CLI prints its usage for --help and exits 0", async () => {
  const { code, stdout, stderr } = await runCli("--help");
  assertEquals(code, 0, stderr);
  assertStringIncludes(stdout, "usage: fake-apiserver");
  assertStringIncludes(stdout, "--seed-pods N");
  assertEquals(stderr, "");
});

Deno.test("the CLI says an unknown flag is unknown and exits 2", async () => {
  const { code, stderr } = await runCli("--verbose");
  assertEquals(code, 2);
  assertStringIncludes(stderr, 'fake-apiserver: unknown argument "--verbose"');
});

Deno.test("the CLI says a busy port is busy, in one line, and exits 1", async () => {
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    const { code, stdout, stderr } = await runCli("--port", String(port));
    assertEquals(code, 1, stdout);
    assertEquals(
      stderr.trim(),
      `fake-apiserver: port ${port} on 127.0.0.1 is already in use: choose another with --port ` +
        `(--port 0 picks a free one)`,
    );
  } finally {
    busy.close();
  }
});

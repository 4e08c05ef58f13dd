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
    },
  );
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
});

/**
 * What a newcomer does first, following only README.md: the commands of
 * "Try it" as written (the demo shortened, the test suite replaced by one
 * test file so the suite does not run itself), the same through npx when
 * it is there, every TypeScript snippet of the README, the fake apiserver
 * CLI's `--help` and a busy port, and the demo against a cluster that is not
 * there. Each runs as a child process in the repository, the way a reader
 * runs it.
 */

import { assert, assertEquals, assertMatch, assertStringIncludes } from "./_helpers/assert.ts";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in the repository root (no terminal, no colour) and collects its output. */
async function run(command: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  const output = await new Deno.Command(command, {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** The shell commands of the README's first ```sh block (its "Try it"). */
function tryItCommands(): string[] {
  const block = readme.match(/## Try it\n\n```sh\n([\s\S]*?)```/);
  assert(block !== null, "README has a Try it section with a sh block");
  return block[1]!.split("\n").map((line) => line.replace(/#.*$/, "").trim()).filter(Boolean);
}

Deno.test("README's Try it commands are deno task demo and deno task test, and both tasks exist", async () => {
  assertEquals(tryItCommands(), ["deno task demo", "deno task test"]);
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  assert(typeof config.tasks.demo === "string" && typeof config.tasks.test === "string");
});

Deno.test("deno task demo runs as written (shortened to 3 s) and shows the article's workflow", async () => {
  const result = await run(Deno.execPath(), ["task", "demo", "--duration", "3"], 60_000);
  assertEquals(result.code, 0, result.stderr);
  assertStringIncludes(result.stdout, "waitForCacheSync");
  assertMatch(result.stdout, /ADDED pod with name /);
});

Deno.test("deno task test is the command that runs a test file as written", async () => {
  // The whole suite cannot run inside itself: the same task on one small file.
  const result = await run(
    Deno.execPath(),
    ["task", "test", "tests/cache/keys_test.ts"],
    120_000,
  );
  assertEquals(result.code, 0, result.stderr);
  assertMatch(result.stdout + result.stderr, /ok \| \d+ passed \| 0 failed/);
});

Deno.test("the npx form of Try it names the Deno version CI pins", async () => {
  const ci = await Deno.readTextFile(new URL(".ci/run", root));
  const pinned = ci.match(/DENO_VERSION="([^"]+)"/)?.[1];
  assert(pinned !== undefined, ".ci/run pins a Deno version");
  assertStringIncludes(readme, `npx -y deno@${pinned} task demo`);
  assertStringIncludes(readme, `npx -y deno@${pinned} task test`);
});

Deno.test("every TypeScript snippet of the README runs", async () => {
  const snippets = [...readme.matchAll(/```ts\n/g)].length;
  assert(snippets >= 4, `README has ${snippets} snippets`);
  const result = await run(
    Deno.execPath(),
    ["test", "--allow-net=127.0.0.1", "--doc", "README.md"],
    120_000,
  );
  assertEquals(result.code, 0, result.stdout + result.stderr);
  assertMatch(result.stdout, new RegExp(`ok \\| ${snippets} passed \\| 0 failed`));
});

Deno.test("the fake apiserver CLI answers --help and a busy port in plain words", async () => {
  const help = await run(Deno.execPath(), ["task", "fake-apiserver", "--help"]);
  assertEquals(help.code, 0, help.stderr);
  assertStringIncludes(help.stdout, "usage: fake-apiserver");
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    const taken = await run(Deno.execPath(), ["task", "fake-apiserver", "--port", String(port)]);
    assertEquals(taken.code, 1);
    assertStringIncludes(taken.stderr, `port ${port} on 127.0.0.1 is already in use`);
    assert(!taken.stderr.includes("AddrInUse"), taken.stderr);
  } finally {
    busy.close();
  }
});

Deno.test("demo:cluster against a cluster that is not there exits 1 with the informers' last errors", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const kubeconfig = await Deno.makeTempFile({ suffix: ".kubeconfig" });
  try {
    await Deno.writeTextFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    const result = await run(Deno.execPath(), [
      "task",
      "demo:cluster",
      "--kubeconfig",
      kubeconfig,
      "--sync-timeout",
      "1",
    ]);
    assertEquals(result.code, 1, result.stdout);
    assertStringIncludes(result.stderr, "CacheSyncTimeoutError");
    assertStringIncludes(result.stderr, "pods informer");
  } finally {
    await Deno.remove(kubeconfig);
  }
});

import { KubeConfigError } from "../../src/api/errors.ts";
import { TokenFileCredentials } from "../../src/client/token_file_credentials.ts";
import { assertEquals, assertRejects } from "../_helpers/assert.ts";

Deno.test("TokenFileCredentials re-reads the file once the token is a minute old", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/token`;
    await Deno.writeTextFile(path, "first\n");
    let now = 1_000_000;
    const credentials = new TokenFileCredentials(path, { now: () => now });
    assertEquals(await credentials.authorization({}), "Bearer first");
    await Deno.writeTextFile(path, "second");
    now += 59_999;
    assertEquals(await credentials.authorization({}), "Bearer first");
    now += 1;
    assertEquals(await credentials.authorization({}), "Bearer second");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TokenFileCredentials re-reads the file on refresh", async () => {
  let contents = "one";
  let reads = 0;
  const credentials = new TokenFileCredentials("/token", {
    now: () => 0,
    readTextFile: () => {
      reads++;
      return Promise.resolve(contents);
    },
  });
  assertEquals(await credentials.authorization({}), "Bearer one");
  contents = "two";
  assertEquals(await credentials.authorization({}), "Bearer one");
  assertEquals(await credentials.authorization({ refresh: true }), "Bearer two");
  assertEquals(reads, 2);
});

Deno.test("TokenFileCredentials shares one read between concurrent callers", async () => {
  let reads = 0;
  const credentials = new TokenFileCredentials("/token", {
    readTextFile: async () => {
      reads++;
      await Promise.resolve();
      return "shared";
    },
  });
  const results = await Promise.all([
    credentials.authorization({}),
    credentials.authorization({}),
    credentials.authorization({}),
  ]);
  assertEquals(results, ["Bearer shared", "Bearer shared", "Bearer shared"]);
  assertEquals(reads, 1);
});

Deno.test("TokenFileCredentials keeps the last token while the file cannot be read", async () => {
  let fail = false;
  let now = 0;
  const credentials = new TokenFileCredentials("/token", {
    now: () => now,
    readTextFile: () =>
      fail
        ? Promise.reject(new KubeConfigError("token file /token does not exist"))
        : Promise.resolve("kept"),
  });
  assertEquals(await credentials.authorization({}), "Bearer kept");
  fail = true;
  now += 120_000;
  assertEquals(await credentials.authorization({}), "Bearer kept");
  assertEquals(await credentials.authorization({ refresh: true }), "Bearer kept");
});

Deno.test("TokenFileCredentials reports a missing file", async () => {
  await assertRejects(
    () => new TokenFileCredentials("/nonexistent/kubesnap/token").authorization({}),
    KubeConfigError,
    "token file /nonexistent/kubesnap/token does not exist",
  );
});

Deno.test("TokenFileCredentials rejects an empty file", async () => {
  const credentials = new TokenFileCredentials("/token", {
    readTextFile: () => Promise.resolve(" \n"),
  });
  await assertRejects(
    () => credentials.authorization({}),
    KubeConfigError,
    "token file /token is empty",
  );
});

Deno.test({
  name: "TokenFileCredentials names the --allow-read flag when permission is missing",
  permissions: { read: false },
  async fn() {
    const err = await assertRejects(
      () => new TokenFileCredentials("/var/run/secrets/token").authorization({}),
      KubeConfigError,
    );
    assertEquals(
      err.message,
      "reading token file /var/run/secrets/token needs permission: run Deno with --allow-read=/var/run/secrets/token (or --allow-read)",
    );
  },
});

Deno.test("TokenFileCredentials rejects with the signal's reason when aborted", async () => {
  const credentials = new TokenFileCredentials("/token", {
    readTextFile: () => Promise.resolve("x"),
  });
  const reason = new Error("stop");
  await assertRejects(
    () => credentials.authorization({ signal: AbortSignal.abort(reason) }),
    Error,
    "stop",
  );
});

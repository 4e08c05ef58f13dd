import { KubeConfigError } from "../../src/api/errors.ts";
import { ExecCredentials, type ExecCredentialsOptions } from "../../src/client/exec_credentials.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../_helpers/assert.ts";

const PLUGIN = new URL("../_fixtures/exec_plugin.ts", import.meta.url).pathname;
const V1 = "client.authentication.k8s.io/v1";
const V1BETA1 = "client.authentication.k8s.io/v1beta1";

/** A temporary state directory for the plugin, removed after `fn`. */
async function withState(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kubesnap-exec-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function pluginOptions(
  dir: string,
  env: Record<string, string> = {},
  extra: Partial<ExecCredentialsOptions> = {},
): ExecCredentialsOptions {
  return {
    command: Deno.execPath(),
    args: ["run", "--quiet", "--no-config", "--allow-env", "--allow-read", "--allow-write", PLUGIN],
    env: Object.entries({ PLUGIN_STATE_DIR: dir, ...env }).map(([name, value]) => ({
      name,
      value,
    })),
    apiVersion: V1,
    ...extra,
  };
}

function runs(dir: string): number {
  try {
    return Deno.readTextFileSync(`${dir}/count`).split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

function execInfo(dir: string, run: number): unknown {
  return JSON.parse(Deno.readTextFileSync(`${dir}/info-${run}.json`));
}

Deno.test("ExecCredentials runs the plugin with KUBERNETES_EXEC_INFO and returns its token", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(pluginOptions(dir, { PLUGIN_TOKEN: "tok" }));
    assertEquals(await credentials.authorization({}), "Bearer tok-1");
    assertEquals(execInfo(dir, 1), {
      apiVersion: V1,
      kind: "ExecCredential",
      spec: { interactive: false },
    });
  });
});

Deno.test("ExecCredentials speaks client.authentication.k8s.io/v1beta1", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(pluginOptions(dir, {}, { apiVersion: V1BETA1 }));
    assertEquals(await credentials.authorization({}), "Bearer plugin-token-1");
    assertEquals((execInfo(dir, 1) as { apiVersion: string }).apiVersion, V1BETA1);
  });
});

Deno.test("ExecCredentials passes the cluster when provideClusterInfo is set", async () => {
  await withState(async (dir) => {
    const cluster = {
      server: "https://34.118.10.20",
      "certificate-authority-data": "Y2E=",
      config: { audience: "kubesnap" },
    };
    const credentials = new ExecCredentials(
      pluginOptions(dir, {}, { provideClusterInfo: true, cluster }),
    );
    await credentials.authorization({});
    assertEquals(execInfo(dir, 1), {
      apiVersion: V1,
      kind: "ExecCredential",
      spec: { interactive: false, cluster },
    });
  });
});

Deno.test("ExecCredentials caches the token until expirationTimestamp", async () => {
  await withState(async (dir) => {
    const expires = "2030-01-01T00:00:00Z";
    let now = Date.parse(expires) - 1000;
    const credentials = new ExecCredentials(
      pluginOptions(dir, { PLUGIN_EXPIRES: expires }, { now: () => now }),
    );
    assertEquals(await credentials.authorization({}), "Bearer plugin-token-1");
    now += 999;
    assertEquals(await credentials.authorization({}), "Bearer plugin-token-1");
    assertEquals(runs(dir), 1);
    now += 1;
    assertEquals(await credentials.authorization({}), "Bearer plugin-token-2");
    assertEquals(runs(dir), 2);
  });
});

Deno.test("ExecCredentials keeps a token without expiry until a refresh", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(pluginOptions(dir));
    assertEquals(await credentials.authorization({}), "Bearer plugin-token-1");
    assertEquals(await credentials.authorization({}), "Bearer plugin-token-1");
    assertEquals(await credentials.authorization({ refresh: true }), "Bearer plugin-token-2");
    assertEquals(runs(dir), 2);
  });
});

Deno.test("ExecCredentials shares one run between concurrent callers", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(pluginOptions(dir));
    const results = await Promise.all([
      credentials.authorization({}),
      credentials.authorization({}),
      credentials.authorization({ refresh: true }),
    ]);
    assertEquals(results, [
      "Bearer plugin-token-1",
      "Bearer plugin-token-1",
      "Bearer plugin-token-1",
    ]);
    assertEquals(runs(dir), 1);
  });
});

Deno.test("ExecCredentials kills the plugin when its only caller aborts", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(pluginOptions(dir, { PLUGIN_MODE: "slow" }));
    const controller = new AbortController();
    const started = Date.now();
    const pending = credentials.authorization({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("caller gave up")), 200);
    await assertRejects(() => pending, Error, "caller gave up");
    assert(Date.now() - started < 5000, "the 10 s plugin was not killed");
  });
});

Deno.test("ExecCredentials keeps the run going for callers that did not abort", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(
      pluginOptions(dir, { PLUGIN_MODE: "slow", PLUGIN_DELAY_MS: "300" }),
    );
    const controller = new AbortController();
    const aborted = credentials.authorization({ signal: controller.signal });
    const patient = credentials.authorization({});
    controller.abort(new Error("one left"));
    await assertRejects(() => aborted, Error, "one left");
    assertEquals(await patient, "Bearer plugin-token-1");
    assertEquals(runs(dir), 1);
  });
});

Deno.test("ExecCredentials reports a failing plugin with its exit code and stderr", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(
      pluginOptions(dir, {
        PLUGIN_MODE: "fail",
        PLUGIN_STDERR: "error: the SSO session has expired",
      }),
    );
    const err = await assertRejects(() => credentials.authorization({}), KubeConfigError);
    assertEquals(
      err.message,
      `exec plugin ${
        JSON.stringify(Deno.execPath())
      } failed with exit code 3: error: the SSO session has expired`,
    );
  });
});

Deno.test("ExecCredentials reports a missing command with its installHint", async () => {
  const credentials = new ExecCredentials({
    command: "kubesnap-missing-auth-plugin",
    apiVersion: V1,
    installHint: "Install it with: brew install kubesnap-missing-auth-plugin",
  });
  await assertRejects(
    () => credentials.authorization({}),
    KubeConfigError,
    'command "kubesnap-missing-auth-plugin" was not found. Install it with: brew install kubesnap-missing-auth-plugin',
  );
});

Deno.test({
  name: "ExecCredentials names the --allow-run flag when permission is missing",
  permissions: { run: false },
  async fn() {
    const credentials = new ExecCredentials({ command: "aws", apiVersion: V1BETA1 });
    await assertRejects(
      () => credentials.authorization({}),
      KubeConfigError,
      'running "aws" needs permission: run Deno with --allow-run=aws (or --allow-run)',
    );
  },
});

Deno.test("ExecCredentials rejects output that is not JSON without quoting it", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(pluginOptions(dir, { PLUGIN_TOKEN: "leaky-secret" }));
    const garbage = new ExecCredentials(
      pluginOptions(dir, { PLUGIN_MODE: "garbage", PLUGIN_TOKEN: "leaky-secret" }),
    );
    assertEquals(await credentials.authorization({}), "Bearer leaky-secret-1");
    const err = await assertRejects(() => garbage.authorization({}), KubeConfigError);
    assertStringIncludes(err.message, "printed output that is not JSON (");
    assertEquals(String(err).includes("leaky-secret"), false);
  });
});

Deno.test("ExecCredentials rejects an ExecCredential of another apiVersion", async () => {
  await withState(async (dir) => {
    const credentials = new ExecCredentials(pluginOptions(dir, { PLUGIN_MODE: "wrong-version" }));
    await assertRejects(
      () => credentials.authorization({}),
      KubeConfigError,
      `is configured for "${V1}" but returned "client.authentication.k8s.io/v1alpha1"`,
    );
  });
});

function fakeRun(stdout: unknown, code = 0, stderr = ""): ExecCredentialsOptions["run"] {
  return () =>
    Promise.resolve({
      code,
      stdout: typeof stdout === "string" ? stdout : JSON.stringify(stdout),
      stderr,
    });
}

Deno.test("ExecCredentials checks the ExecCredential's status", async () => {
  const cases: [unknown, string][] = [
    [[], "printed JSON that is not an ExecCredential"],
    [{ apiVersion: V1, kind: "Other" }, 'printed JSON whose kind is not "ExecCredential"'],
    [{ apiVersion: V1, kind: "ExecCredential" }, "returned an ExecCredential without status"],
    [
      { apiVersion: V1, kind: "ExecCredential", status: {} },
      "returned neither status.token nor a client certificate",
    ],
    [
      {
        apiVersion: V1,
        kind: "ExecCredential",
        status: { token: "t", expirationTimestamp: "soon" },
      },
      "returned an expirationTimestamp that is not an RFC 3339 time",
    ],
    [
      { apiVersion: V1, kind: "ExecCredential", status: { clientCertificateData: "c" } },
      "returned only one of clientCertificateData and clientKeyData",
    ],
  ];
  for (const [stdout, message] of cases) {
    const credentials = new ExecCredentials({ command: "p", apiVersion: V1, run: fakeRun(stdout) });
    await assertRejects(() => credentials.authorization({}), KubeConfigError, message);
  }
});

Deno.test("ExecCredentials refuses a client certificate it cannot apply", async () => {
  const stdout = {
    apiVersion: V1,
    kind: "ExecCredential",
    status: {
      clientCertificateData: "CERT",
      clientKeyData: "-----BEGIN PRIVATE KEY-----\nKEYDATA",
    },
  };
  const refused = new ExecCredentials({ command: "p", apiVersion: V1, run: fakeRun(stdout) });
  const err = await assertRejects(() => refused.authorization({}), KubeConfigError);
  assertStringIncludes(err.message, "returned a client certificate, which kubesnap can only use");
  assertEquals(String(err).includes("KEYDATA"), false);
  const accepted = new ExecCredentials({
    command: "p",
    apiVersion: V1,
    run: fakeRun(stdout),
    acceptClientCertificate: true,
  });
  assertEquals(await accepted.authorization({}), undefined);
  assertEquals(accepted.clientCertificate(), {
    cert: "CERT",
    key: "-----BEGIN PRIVATE KEY-----\nKEYDATA",
  });
});

Deno.test("ExecCredentials removes tokens and keys from the stderr it quotes", async () => {
  let call = 0;
  const credentials = new ExecCredentials({
    command: "p",
    apiVersion: V1,
    run: () => {
      call++;
      return Promise.resolve(
        call === 1
          ? {
            code: 0,
            stderr: "",
            stdout: JSON.stringify({
              apiVersion: V1,
              kind: "ExecCredential",
              status: { token: "known-secret-token" },
            }),
          }
          : {
            code: 1,
            stdout: "",
            stderr: "retrying with known-secret-token\nAuthorization: Bearer other-secret\n" +
              "-----BEGIN EC PRIVATE KEY-----\nkeymaterial\n-----END EC PRIVATE KEY-----\nfinal line",
          },
      );
    },
  });
  assertEquals(await credentials.authorization({}), "Bearer known-secret-token");
  const err = await assertRejects(
    () => credentials.authorization({ refresh: true }),
    KubeConfigError,
  );
  assertEquals(
    err.message,
    'exec plugin "p" failed with exit code 1: retrying with [redacted]\nAuthorization: Bearer [redacted]\n[redacted private key]\nfinal line',
  );
});

Deno.test("ExecCredentials refuses interactive-only plugins and unknown API versions", () => {
  assertThrows(
    () => new ExecCredentials({ command: "p", apiVersion: V1, interactiveMode: "Always" }),
    KubeConfigError,
    "requires an interactive terminal (interactiveMode: Always)",
  );
  assertThrows(
    () =>
      new ExecCredentials({ command: "p", apiVersion: "client.authentication.k8s.io/v1alpha1" }),
    KubeConfigError,
    'uses apiVersion "client.authentication.k8s.io/v1alpha1"; supported are',
  );
});

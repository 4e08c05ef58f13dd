import { ApiError, KubeConfigError, TransportError } from "../../src/api/errors.ts";
import { pods } from "../../src/api/resources.ts";
import { BasicCredentials } from "../../src/client/basic_credentials.ts";
import { kubeConfigToClientOptions } from "../../src/client/client_config.ts";
import { ExecCredentials } from "../../src/client/exec_credentials.ts";
import { KubeClient } from "../../src/client/kube_client.ts";
import { parseKubeConfig } from "../../src/client/kube_config.ts";
import { SecretRedactor } from "../../src/client/secret_redaction.ts";
import { SharedIndexInformer } from "../../src/informer/shared_index_informer.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../_helpers/assert.ts";

const TOKEN = "sekret-token-123";
const V1 = "client.authentication.k8s.io/v1";

/** Everything an error shows: message, String(), stack, JSON, and the same for each cause. */
function everythingShown(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined; depth++) {
    parts.push(String(current));
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? "", JSON.stringify(current));
      if (current instanceof ApiError) parts.push(JSON.stringify(current.status));
      current = current.cause;
    } else {
      parts.push(JSON.stringify(current));
      current = undefined;
    }
  }
  return parts.join("\n");
}

function assertHidden(err: unknown, secrets: readonly string[]): void {
  const shown = everythingShown(err);
  for (const secret of secrets) {
    assert(!shown.includes(secret), `${JSON.stringify(secret)} appears in:\n${shown}`);
  }
}

/** A client whose server (or proxy) answers every request with `respond`. */
function echoClient(
  respond: (request: Request) => Response,
  options: { token?: string; credentials?: BasicCredentials } = {},
): KubeClient {
  return new KubeClient({
    server: "http://proxy.invalid",
    maxRetries: 0,
    fetch: (request) => Promise.resolve(respond(request)),
    ...options,
  });
}

const echoedAuthorization = (request: Request) => request.headers.get("authorization") ?? "";

Deno.test("KubeClient keeps a bearer token echoed in a text error body out of the ApiError", async () => {
  const client = echoClient(
    (request) =>
      new Response(`upstream error for ${echoedAuthorization(request)} (token ${TOKEN})`, {
        status: 502,
      }),
    { token: TOKEN },
  );
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), ApiError);
  assertEquals(err.code, 502);
  assertStringIncludes(err.message, "upstream error for Bearer [redacted]");
  assertHidden(err, [TOKEN]);
});

Deno.test("KubeClient keeps every form of Basic credentials echoed in an HTML page out of the error", async () => {
  const password = "pa55word-xyz";
  const credentials = new BasicCredentials("admin", password);
  const header = (await credentials.authorization({}))!;
  const base64 = header.slice("Basic ".length);
  const client = echoClient((request) =>
    new Response(
      `<html><body>bad gateway: ${echoedAuthorization(request)} / ${base64} / admin:${password} ` +
        `/ password=${password} / ${encodeURIComponent(password)}</body></html>`,
      { status: 502, headers: { "Content-Type": "text/html" } },
    ), { credentials });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), ApiError);
  assertStringIncludes(err.message, "bad gateway");
  assertHidden(err, [password, base64, `admin:${password}`]);
});

Deno.test("KubeClient keeps a token echoed in a Status body out of the error and its status", async () => {
  const client = echoClient((request) =>
    Response.json({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message: `the token ${TOKEN} was refused (${echoedAuthorization(request)})`,
      reason: "InternalError",
      details: { causes: [{ message: `JSON-escaped: ${JSON.stringify(TOKEN)}`, field: TOKEN }] },
      code: 500,
    }, { status: 500 }), { token: TOKEN });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), ApiError);
  assertEquals(err.reason, "InternalError");
  assertStringIncludes(err.message, "the token [redacted] was refused");
  assertEquals(err.status.details?.causes?.[0]?.field, "[redacted]");
  assertHidden(err, [TOKEN]);
});

Deno.test("KubeClient keeps an Authorization value passed in headers out of the error", async () => {
  const client = new KubeClient({
    server: "http://proxy.invalid",
    headers: { authorization: `Negotiate ${TOKEN}` },
    maxRetries: 0,
    fetch: () => Promise.resolve(new Response(`refused ${TOKEN}`, { status: 403 })),
  });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), ApiError);
  assertStringIncludes(err.message, "refused [redacted]");
  assertHidden(err, [TOKEN]);
});

Deno.test("KubeClient keeps a token out of a transport error and its causes", async () => {
  const client = new KubeClient({
    server: "http://proxy.invalid",
    token: TOKEN,
    fetch: (request) =>
      Promise.reject(
        new TypeError(`proxy refused ${echoedAuthorization(request)}`, {
          cause: new Error(`tunnel for ${TOKEN} failed`),
        }),
      ),
  });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), TransportError);
  assertStringIncludes(err.message, "proxy refused Bearer [redacted]");
  assertHidden(err, [TOKEN]);
});

Deno.test("KubeClient keeps a token out of the JSON parse error of a body that is not JSON", async () => {
  // Short enough that the engine's SyntaxError quotes all of it.
  const client = echoClient(() => new Response(TOKEN), { token: TOKEN });
  const err = await assertRejects(
    () => client.requestJson({ path: "/api/v1/pods" }),
    TransportError,
  );
  assert(err.cause instanceof SyntaxError);
  assertHidden(err, [TOKEN]);
});

Deno.test("KubeClient keeps a client key from the kubeconfig out of errors", async () => {
  const keyPem =
    "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKeymaterial\n-----END EC PRIVATE KEY-----\n";
  const keyData = btoa(keyPem);
  const options = kubeConfigToClientOptions(parseKubeConfig(`
clusters:
- name: c
  cluster: {server: "http://proxy.invalid"}
users:
- name: u
  user:
    token: ${TOKEN}
    client-certificate-data: ${
    btoa("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n")
  }
    client-key-data: ${keyData}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`));
  const client = new KubeClient({
    ...options,
    maxRetries: 0,
    fetch: () =>
      Promise.resolve(
        new Response(`bad key ${keyData} ${JSON.stringify(keyPem)} ${keyPem}`, { status: 400 }),
      ),
  });
  const err = await assertRejects(() => client.request({ path: "/api/v1/pods" }), ApiError);
  assertStringIncludes(err.message, "bad key");
  assertHidden(err, [keyData, "MHcCAQEEIKeymaterial"]);
});

Deno.test("the informer's default warning does not print an echoed token", async () => {
  const client = echoClient(
    (request) =>
      new Response(`upstream error for ${echoedAuthorization(request)}`, { status: 502 }),
    {
      token: TOKEN,
    },
  );
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
  const controller = new AbortController();
  try {
    const informer = new SharedIndexInformer(client.resource(pods), pods);
    const running = informer.run(controller.signal);
    for (let i = 0; i < 100 && warnings.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    await running.catch(() => {});
  } finally {
    console.warn = warn;
  }
  assert(warnings.length > 0, "no warning was printed");
  assertStringIncludes(warnings[0]!, "upstream error for Bearer [redacted]");
  assert(!warnings.join("\n").includes(TOKEN), warnings.join("\n"));
});

Deno.test("ExecCredentials removes a token a failing plugin printed to stderr on its first run", async () => {
  const execCredential = JSON.stringify({
    apiVersion: V1,
    kind: "ExecCredential",
    status: {
      token: "exec-json-sekret-789",
      clientKeyData:
        "-----BEGIN RSA PRIVATE KEY-----\nexec-key-material\n-----END RSA PRIVATE KEY-----",
    },
  });
  for (
    const [stderr, secret] of [
      ["cached credential: token: exec-sekret-456", "exec-sekret-456"],
      ["debug: password=exec-pass-000 secret: 'exec-shh-111'", "exec-pass-000"],
      [
        "got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl for you",
        "eyJzdWIiOiJhZG1pbiJ9",
      ],
      [`refresh failed, would have printed ${execCredential}`, "exec-json-sekret-789"],
      [`refresh failed, would have printed ${execCredential}`, "exec-key-material"],
      [`printed ${JSON.stringify(execCredential)}`, "exec-json-sekret-789"],
    ] as const
  ) {
    const credentials = new ExecCredentials({
      command: "p",
      apiVersion: V1,
      run: () => Promise.resolve({ code: 1, stdout: "", stderr }),
    });
    const err = await assertRejects(() => credentials.authorization({}), KubeConfigError);
    assertStringIncludes(err.message, 'exec plugin "p" failed with exit code 1');
    assertHidden(err, [secret, "exec-shh-111"]);
  }
});

Deno.test("KubeClient keeps the password of a server URL out of its TypeError", () => {
  const err = assertThrows(
    () => new KubeClient({ server: "https://admin:pa55word@[::1" }),
    TypeError,
  );
  assertStringIncludes(err.message, "server must be an absolute URL");
  assertHidden(err, ["pa55word"]);
});

Deno.test("a kubeconfig user whose username contains a colon is a KubeConfigError", () => {
  const kc = parseKubeConfig(`
clusters:
- name: c
  cluster: {server: "http://127.0.0.1:1"}
users:
- name: u
  user: {username: "ad:min", password: "pa55word"}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`);
  const err = assertThrows(() => kubeConfigToClientOptions(kc), KubeConfigError);
  assertStringIncludes(err.message, 'user "u" has a username containing ":"');
  assertHidden(err, ["pa55word"]);
});

Deno.test("SecretRedactor removes short Basic credentials only where they appear whole", () => {
  const redactor = new SecretRedactor();
  redactor.addAuthorization(`Basic ${btoa("a:b")}`);
  assertEquals(
    redactor.redactText(`got Basic ${btoa("a:b")} for a user`),
    "got Basic [redacted] for a user",
  );
  assertEquals(redactor.redactText("a:b"), "[redacted]");
});

Deno.test("SecretRedactor survives a Status nested deeper than it follows", () => {
  const redactor = new SecretRedactor();
  redactor.addAuthorization(`Bearer ${TOKEN}`);
  let deep: unknown = TOKEN;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const redacted = redactor.redactValue({ message: TOKEN, details: deep });
  assertEquals(redacted.message, "[redacted]");
  assert(!JSON.stringify(redacted).includes(TOKEN));
});

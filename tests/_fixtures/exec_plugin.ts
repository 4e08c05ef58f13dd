/**
 * A stand-in exec credential plugin for tests, run as
 * `deno run --allow-env --allow-read --allow-write exec_plugin.ts`.
 *
 * Each run appends a line to `$PLUGIN_STATE_DIR/count` and writes the
 * `KUBERNETES_EXEC_INFO` it received to `$PLUGIN_STATE_DIR/info-<n>.json`,
 * then behaves according to `$PLUGIN_MODE`:
 *
 * - `token` (default): prints an ExecCredential with token `$PLUGIN_TOKEN-<n>`
 *   and, when `$PLUGIN_EXPIRES` is set, that expirationTimestamp;
 * - `cert`: prints `clientCertificateData`/`clientKeyData` read from
 *   `$PLUGIN_CERT_FILE` and `$PLUGIN_KEY_FILE` (no token);
 * - `fail`: writes `$PLUGIN_STDERR` to stderr and exits with code 3;
 * - `garbage`: prints `$PLUGIN_TOKEN` followed by text that is not JSON;
 * - `wrong-version`: answers with another apiVersion than it was asked for;
 * - `slow`: waits `$PLUGIN_DELAY_MS` (default 10 s) before printing a token.
 *
 * @module
 */

const stateDir = Deno.env.get("PLUGIN_STATE_DIR");
if (!stateDir) {
  console.error("PLUGIN_STATE_DIR is not set");
  Deno.exit(2);
}
Deno.writeTextFileSync(`${stateDir}/count`, "run\n", { append: true });
const count = Deno.readTextFileSync(`${stateDir}/count`).split("\n").filter(Boolean).length;
const infoText = Deno.env.get("KUBERNETES_EXEC_INFO") ?? "";
Deno.writeTextFileSync(`${stateDir}/info-${count}.json`, infoText);
const info = infoText ? JSON.parse(infoText) : {};
const apiVersion: string = info.apiVersion ?? "client.authentication.k8s.io/v1";
const mode = Deno.env.get("PLUGIN_MODE") ?? "token";
const token = `${Deno.env.get("PLUGIN_TOKEN") ?? "plugin-token"}-${count}`;

function print(status: Record<string, unknown>, version = apiVersion): void {
  console.log(JSON.stringify({ apiVersion: version, kind: "ExecCredential", status }));
}

switch (mode) {
  case "token": {
    const expires = Deno.env.get("PLUGIN_EXPIRES");
    print(expires ? { token, expirationTimestamp: expires } : { token });
    break;
  }
  case "cert":
    print({
      clientCertificateData: Deno.readTextFileSync(Deno.env.get("PLUGIN_CERT_FILE") ?? ""),
      clientKeyData: Deno.readTextFileSync(Deno.env.get("PLUGIN_KEY_FILE") ?? ""),
    });
    break;
  case "fail":
    console.error(Deno.env.get("PLUGIN_STDERR") ?? "plugin failed");
    Deno.exit(3);
    break;
  case "garbage":
    console.log(`${token} is not JSON {`);
    break;
  case "wrong-version":
    print({ token }, "client.authentication.k8s.io/v1alpha1");
    break;
  case "slow":
    await new Promise((resolve) =>
      setTimeout(resolve, Number(Deno.env.get("PLUGIN_DELAY_MS") ?? 10_000))
    );
    print({ token });
    break;
  default:
    console.error(`unknown PLUGIN_MODE ${mode}`);
    Deno.exit(2);
}

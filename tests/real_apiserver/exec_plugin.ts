/**
 * A minimal exec credential plugin for the real-apiserver suites: prints an ExecCredential
 * whose token is `$KUBESNAP_EXEC_TOKEN`, in the apiVersion the client asked for.
 *
 * @module
 */

const info = JSON.parse(Deno.env.get("KUBERNETES_EXEC_INFO") || "{}");
const token = Deno.env.get("KUBESNAP_EXEC_TOKEN");
if (!token) {
  console.error("KUBESNAP_EXEC_TOKEN is not set");
  Deno.exit(1);
}
console.log(JSON.stringify({
  apiVersion: info.apiVersion ?? "client.authentication.k8s.io/v1",
  kind: "ExecCredential",
  status: { token },
}));

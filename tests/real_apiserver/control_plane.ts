/**
 * A real control plane for tests: etcd and kube-apiserver (built by `build.sh`) started on free
 * loopback ports with a throwaway PKI, the way envtest does for Go. Test-only code: it uses Deno
 * APIs directly and shells out to `openssl`.
 *
 * @module
 */

import { kubeconfigText } from "./_cluster.ts";

/** Users the control plane knows, by how they authenticate. */
export interface ControlPlaneUsers {
  /** Bearer token of `kubesnap-admin`, in `system:masters`. */
  adminToken: string;
  /** Bearer token of `viewer`, a user in no group: RBAC forbids it almost everything. */
  viewerToken: string;
}

/** What tests need to reach a running control plane; written to JSON for test processes. */
export interface ControlPlaneInfo {
  /** `https://127.0.0.1:PORT` of kube-apiserver. */
  server: string;
  /** PEM file of the CA that signed the serving and client certificates. */
  caFile: string;
  /** Tokens of the static users. */
  users: ControlPlaneUsers;
  /** Client certificate and key (PEM) of `kubesnap-cert-admin`, in `system:masters`. */
  adminCertFile: string;
  /** Key of {@linkcode ControlPlaneInfo.adminCertFile}. */
  adminKeyFile: string;
  /** Kubeconfig of the admin (token). */
  kubeconfig: string;
  /** `http://127.0.0.1:PORT` of etcd, for `etcdctl compact`. */
  etcdEndpoint: string;
  /** Folder of the binaries (kube-apiserver, etcd, etcdctl). */
  binDir: string;
  /** Name of the flag set kube-apiserver runs with ("default", "no-watch-list", ...). */
  variant: string;
  /** Extra kube-apiserver flags of that variant. */
  extraFlags: string[];
  /** Folder of the PKI, logs and data; removed on stop. */
  workDir: string;
}

/** Options of {@linkcode startControlPlane}. */
export interface ControlPlaneOptions {
  /** Folder with `kube-apiserver`, `etcd` and `etcdctl`. */
  binDir: string;
  /** Name of the flag set. @default {"default"} */
  variant?: string | undefined;
  /** Extra kube-apiserver flags. */
  extraFlags?: string[] | undefined;
  /** How long to wait for `/readyz`. @default {120000} */
  readyTimeoutMs?: number | undefined;
}

/** A started control plane; stop it with {@linkcode ControlPlane.stop}. */
export interface ControlPlane extends AsyncDisposable {
  /** How to reach it. */
  readonly info: ControlPlaneInfo;
  /** Restarts kube-apiserver alone (same etcd, same PKI), optionally with other flags. */
  restartApiServer(variant: string, extraFlags: string[]): Promise<void>;
  /** Stops exactly the processes it started and removes its folder. */
  stop(): Promise<void>;
}

const ADMIN_TOKEN = "kubesnap-admin-token-" + crypto.randomUUID();
const VIEWER_TOKEN = "kubesnap-viewer-token-" + crypto.randomUUID();

/**
 * Builds etcd and kube-apiserver once (`build.sh`: pinned versions, cached outside the clone) and
 * returns the folder holding the binaries, which `build.sh` prints last.
 *
 * @throws {Error} When the build fails (its messages went to stderr).
 */
export async function buildControlPlane(): Promise<string> {
  const output = await new Deno.Command("bash", {
    args: [new URL("./build.sh", import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) {
    throw new Error(
      "could not build the real kube-apiserver and etcd (see the messages above); " +
        "they need Go and the Go module proxy",
    );
  }
  return new TextDecoder().decode(output.stdout).trim().split("\n").pop()!;
}

/** Starts etcd and kube-apiserver and waits until the server is ready. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const workDir = await Deno.makeTempDir({ prefix: "kubesnap-control-plane-" });
  const processes: Deno.ChildProcess[] = [];
  let apiserver: Deno.ChildProcess | undefined;
  const stopAll = async () => {
    if (apiserver) await stopProcess(apiserver);
    for (const child of processes.reverse()) await stopProcess(child);
    processes.length = 0;
  };
  try {
    const pki = await makePki(workDir);
    const [etcdClientPort, etcdPeerPort] = [freePort(), freePort()];
    const etcdEndpoint = `http://127.0.0.1:${etcdClientPort}`;
    const etcd = spawnLogged(`${options.binDir}/etcd`, [
      "--name=kubesnap",
      `--data-dir=${workDir}/etcd-data`,
      `--listen-client-urls=${etcdEndpoint}`,
      `--advertise-client-urls=${etcdEndpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=kubesnap=http://127.0.0.1:${etcdPeerPort}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ], `${workDir}/etcd.log`);
    processes.push(etcd);
    await waitFor(
      async () => {
        const response = await fetch(`${etcdEndpoint}/health`);
        const body = await response.text();
        return response.ok && body.includes('"health":"true"');
      },
      30_000,
      "etcd /health",
      `${workDir}/etcd.log`,
    );

    const port = freePort();
    const server = `https://127.0.0.1:${port}`;
    const tokensFile = `${workDir}/tokens.csv`;
    await Deno.writeTextFile(
      tokensFile,
      `${ADMIN_TOKEN},kubesnap-admin,uid-admin,"system:masters"\n${VIEWER_TOKEN},viewer,uid-viewer\n`,
    );
    const kubeconfig = `${workDir}/admin.kubeconfig`;
    await Deno.writeTextFile(
      kubeconfig,
      kubeconfigText(server, [`    certificate-authority: ${pki.caFile}`], [
        `    token: ${ADMIN_TOKEN}`,
      ]),
    );
    const info: ControlPlaneInfo = {
      server,
      caFile: pki.caFile,
      users: { adminToken: ADMIN_TOKEN, viewerToken: VIEWER_TOKEN },
      adminCertFile: pki.adminCertFile,
      adminKeyFile: pki.adminKeyFile,
      kubeconfig,
      etcdEndpoint,
      binDir: options.binDir,
      variant: options.variant ?? "default",
      extraFlags: options.extraFlags ?? [],
      workDir,
    };
    const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    const caCert = await Deno.readTextFile(pki.caFile);
    const startApiServer = async (variant: string, extraFlags: string[]) => {
      const log = `${workDir}/kube-apiserver-${variant}.log`;
      apiserver = spawnLogged(`${options.binDir}/kube-apiserver`, [
        `--etcd-servers=${etcdEndpoint}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${port}`,
        `--tls-cert-file=${pki.servingCertFile}`,
        `--tls-private-key-file=${pki.servingKeyFile}`,
        `--client-ca-file=${pki.caFile}`,
        `--token-auth-file=${tokensFile}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${pki.serviceAccountPublicFile}`,
        `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
        "--service-cluster-ip-range=10.96.0.0/24",
        "--endpoint-reconciler-type=none",
        // No kube-controller-manager runs, so namespaces get no default ServiceAccount.
        "--disable-admission-plugins=ServiceAccount",
        "--enable-priority-and-fairness=true",
        ...extraFlags,
      ], log);
      const client = Deno.createHttpClient({ caCerts: [caCert] });
      try {
        await waitFor(
          async () => {
            const response = await fetch(`${server}/readyz`, {
              client,
              headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
            });
            await response.body?.cancel();
            if (!response.ok) return false;
            const namespace = await fetch(`${server}/api/v1/namespaces/default`, {
              client,
              headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
            });
            await namespace.body?.cancel();
            return namespace.ok;
          },
          readyTimeoutMs,
          "kube-apiserver /readyz",
          log,
          () => apiserver,
        );
      } finally {
        client.close();
      }
      info.variant = variant;
      info.extraFlags = extraFlags;
    };
    await startApiServer(info.variant, info.extraFlags);
    let stopped = false;
    const plane: ControlPlane = {
      info,
      async restartApiServer(variant, extraFlags) {
        if (apiserver) await stopProcess(apiserver);
        apiserver = undefined;
        await startApiServer(variant, extraFlags);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
        await Deno.remove(workDir, { recursive: true }).catch(() => {});
      },
      [Symbol.asyncDispose]() {
        return plane.stop();
      },
    };
    return plane;
  } catch (err) {
    await stopAll();
    const keep = Deno.env.get("KUBESNAP_KEEP_CONTROL_PLANE_LOGS") === "1";
    if (!keep) await Deno.remove(workDir, { recursive: true }).catch(() => {});
    throw err;
  }
}

interface Pki {
  caFile: string;
  servingCertFile: string;
  servingKeyFile: string;
  serviceAccountKeyFile: string;
  serviceAccountPublicFile: string;
  adminCertFile: string;
  adminKeyFile: string;
}

/** A throwaway CA, a serving certificate for 127.0.0.1/localhost, an admin client certificate and a service-account key pair. */
async function makePki(dir: string): Promise<Pki> {
  const p = (name: string) => `${dir}/${name}`;
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    p("ca.key"),
    "-out",
    p("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=kubesnap-test-ca",
  ]);
  const issue = async (name: string, subject: string, extensions: string) => {
    await openssl([
      "req",
      ...ec,
      "-keyout",
      p(`${name}.key`),
      "-out",
      p(`${name}.csr`),
      "-subj",
      subject,
    ]);
    await Deno.writeTextFile(p(`${name}.ext`), extensions);
    await openssl([
      "x509",
      "-req",
      "-in",
      p(`${name}.csr`),
      "-CA",
      p("ca.crt"),
      "-CAkey",
      p("ca.key"),
      "-CAcreateserial",
      "-out",
      p(`${name}.crt`),
      "-days",
      "2",
      "-extfile",
      p(`${name}.ext`),
    ]);
    // PKCS#8 keys: the form most tools read.
    await openssl([
      "pkcs8",
      "-topk8",
      "-nocrypt",
      "-in",
      p(`${name}.key`),
      "-out",
      p(`${name}.pk8`),
    ]);
  };
  await issue(
    "serving",
    "/CN=kube-apiserver",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n",
  );
  await issue(
    "admin",
    "/O=system:masters/CN=kubesnap-cert-admin",
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
  );
  await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p("sa.key")]);
  await openssl(["ec", "-in", p("sa.key"), "-pubout", "-out", p("sa.pub")]);
  return {
    caFile: p("ca.crt"),
    servingCertFile: p("serving.crt"),
    servingKeyFile: p("serving.key"),
    serviceAccountKeyFile: p("sa.key"),
    serviceAccountPublicFile: p("sa.pub"),
    adminCertFile: p("admin.crt"),
    adminKeyFile: p("admin.pk8"),
  };
}

async function openssl(args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("openssl", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (err) {
    throw new Error(`the real-apiserver tests need openssl on the PATH: ${err}`);
  }
  if (!output.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
}

/** A loopback port nobody listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function spawnLogged(command: string, args: string[], logFile: string): Deno.ChildProcess {
  const child = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const file = Deno.openSync(logFile, { create: true, append: true });
  const writer = new WritableStream<Uint8Array>({
    write: (chunk) => {
      file.writeSync(chunk);
    },
  });
  // Both streams go to one file; neither keeps the process alive once it exits.
  Promise.all([
    child.stdout.pipeTo(writer, { preventClose: true }).catch(() => {}),
    child.stderr.pipeTo(writer, { preventClose: true }).catch(() => {}),
  ]).finally(() => file.close());
  return child;
}

async function stopProcess(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, 10_000);
  try {
    await child.status;
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  logFile: string,
  process?: () => Deno.ChildProcess | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  let exited = false;
  process?.()?.status.then(() => exited = true);
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  let tail = "";
  try {
    tail = (await Deno.readTextFile(logFile)).split("\n").slice(-30).join("\n");
  } catch {
    // No log.
  }
  throw new Error(
    `${what} was not ready ${exited ? "(the process exited)" : `after ${timeoutMs} ms`}` +
      `${lastError ? ` (last error: ${lastError})` : ""}; last lines of ${logFile}:\n${tail}`,
  );
}

/**
 * Generates a throwaway certificate authority and a server certificate for
 * 127.0.0.1/localhost with the `openssl` command, for TLS tests of the fake
 * apiserver.
 *
 * @module
 */

/** PEM material for a TLS test. */
export interface TestCertificates {
  /** The authority to trust. */
  ca: string;
  /** The server certificate (signed by `ca`). */
  cert: string;
  /** The server's private key. */
  key: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * Creates the certificates, or returns undefined when `openssl` is not on
 * PATH (callers skip their test then).
 */
export async function generateTestCertificates(): Promise<TestCertificates | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "fake-apiserver-tls-" });
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    try {
      await openssl([
        "req",
        "-x509",
        ...ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=fake-apiserver-ca",
      ], dir);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
    await openssl([
      "req",
      ...ec,
      "-keyout",
      "key.pem",
      "-out",
      "leaf.csr",
      "-subj",
      "/CN=127.0.0.1",
    ], dir);
    await Deno.writeTextFile(
      `${dir}/leaf.ext`,
      "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "cert.pem",
      "-days",
      "1",
      "-extfile",
      "leaf.ext",
    ], dir);
    return {
      ca: await Deno.readTextFile(`${dir}/ca.pem`),
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

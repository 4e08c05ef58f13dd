/**
 * A `fetch` that carries TLS settings (custom certificate authorities, a
 * client certificate) and an optional proxy, built on
 * `Deno.createHttpClient`. Runtimes without it cannot apply these settings:
 * there, the caller injects a `fetch` of their own.
 *
 * What `Deno.createHttpClient` cannot do, and therefore what
 * {@linkcode createTlsFetch} refuses rather than pretends to do:
 * - skip certificate verification for one client (`insecure-skip-tls-verify`);
 *   Deno only offers the global `--unsafely-ignore-certificate-errors`
 *   flag;
 * - verify the server under another name than the URL's host
 *   (`tls-server-name`).
 *
 * @module
 */

import { KubeConfigError } from "../api/errors.ts";
import { denoNamespace } from "./_deno.ts";

/** Options of {@linkcode createTlsFetch}. */
export interface TlsFetchOptions {
  /** PEM certificates of authorities trusted in addition to the system's. @default {[]} */
  caCerts?: readonly string[] | undefined;
  /** PEM client certificate chain (needs `key`). */
  cert?: string | undefined;
  /** PEM private key of the client certificate (needs `cert`). */
  key?: string | undefined;
  /**
   * Skip verification of the server's certificate. Not possible per client on
   * Deno: setting it throws a {@linkcode KubeConfigError} that names the
   * alternatives.
   *
   * @default {false}
   */
  insecureSkipTlsVerify?: boolean | undefined;
  /**
   * Verify the server's certificate for this name instead of the URL's host.
   * Not possible on Deno: setting it throws a {@linkcode KubeConfigError}.
   */
  serverName?: string | undefined;
  /** An `http://`, `https://`, `socks5://` or `socks5h://` proxy for every request. */
  proxyUrl?: string | undefined;
}

/** A `fetch` bound to an HTTP client, and the way to release that client. */
export interface TlsFetch {
  /** Sends a request with the TLS settings applied. */
  fetch(request: Request): Promise<Response>;
  /** Releases the HTTP client (its pooled connections). Calling it again does nothing. */
  close(): void;
}

const CERTIFICATE_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PRIVATE_KEY_PEM =
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/;

/**
 * Builds a `fetch` that trusts the given certificate authorities, presents a
 * client certificate and goes through a proxy, using `Deno.createHttpClient`.
 *
 * @param options Certificate authorities, client certificate and key, proxy.
 * @returns The fetch and its `close`.
 * @throws {KubeConfigError} When the runtime has no `Deno.createHttpClient`, for
 * settings it cannot honour (`insecureSkipTlsVerify`, `serverName`), and for
 * certificates or keys that are not valid PEM. Messages never quote a key.
 *
 * @example Trusting a private certificate authority
 * ```ts
 * import { createTlsFetch } from "./tls_fetch.ts";
 * const caPem = "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n"; // the cluster's CA
 * try {
 *   const tls = createTlsFetch({ caCerts: [caPem] });
 *   // const response = await tls.fetch(new Request("https://10.0.0.1:6443/version"));
 *   tls.close();
 * } catch (err) {
 *   console.log((err as Error).message); // this placeholder is not a real certificate
 * }
 * ```
 */
export function createTlsFetch(options: TlsFetchOptions): TlsFetch {
  if (options.insecureSkipTlsVerify) {
    throw new KubeConfigError(
      "insecure-skip-tls-verify is set, but Deno.createHttpClient cannot turn off certificate verification for one client. " +
        "Give the cluster's certificate authority instead (certificate-authority or certificate-authority-data), " +
        "or run Deno with --unsafely-ignore-certificate-errors=<host> and pass your own fetch (for example `fetch: (request) => fetch(request)`), " +
        "which kubesnap then uses as is",
    );
  }
  if (options.serverName !== undefined && options.serverName !== "") {
    throw new KubeConfigError(
      `tls-server-name ${
        JSON.stringify(options.serverName)
      } is set, but Deno.createHttpClient cannot verify the server under a name other than the URL's host. ` +
        "Use a server URL with that host name (resolvable through DNS or the hosts file), or pass your own fetch",
    );
  }
  const deno = denoNamespace();
  if (!deno?.createHttpClient) {
    throw new KubeConfigError(
      "this cluster needs TLS settings (a certificate authority, a client certificate or a proxy) that only Deno.createHttpClient can apply, " +
        "and this runtime does not have it: pass a fetch that carries them",
    );
  }
  const caCerts = [...(options.caCerts ?? [])];
  for (const [i, ca] of caCerts.entries()) {
    if (!CERTIFICATE_PEM.test(ca)) {
      throw new KubeConfigError(
        `certificate authority ${
          i + 1
        } is not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")`,
      );
    }
  }
  const clientOptions: Deno.CreateHttpClientOptions & Partial<Deno.TlsCertifiedKeyPem> = {};
  if (caCerts.length > 0) clientOptions.caCerts = caCerts;
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new KubeConfigError(
      options.cert === undefined
        ? "a client key is set without a client certificate"
        : "a client certificate is set without a client key",
    );
  }
  if (options.cert !== undefined && options.key !== undefined) {
    if (!CERTIFICATE_PEM.test(options.cert)) {
      throw new KubeConfigError(
        'the client certificate is not a PEM certificate (expected "-----BEGIN CERTIFICATE-----")',
      );
    }
    if (!PRIVATE_KEY_PEM.test(options.key)) {
      throw new KubeConfigError(
        'the client key is not a PEM private key (expected "-----BEGIN … PRIVATE KEY-----")',
      );
    }
    clientOptions.cert = options.cert;
    clientOptions.key = options.key;
  }
  if (options.proxyUrl !== undefined && options.proxyUrl !== "") {
    clientOptions.proxy = proxyFromUrl(options.proxyUrl);
  }
  let client: Deno.HttpClient;
  try {
    client = deno.createHttpClient(clientOptions as Deno.CreateHttpClientOptions);
  } catch (err) {
    throw new KubeConfigError(describeClientError(err));
  }
  let closed = false;
  return {
    async fetch(request: Request): Promise<Response> {
      if (closed) throw new TypeError("the TLS client has been closed");
      try {
        return await fetch(request, { client });
      } catch (err) {
        if (request.signal.aborted) throw request.signal.reason;
        throw explainFetchError(err);
      }
    },
    close(): void {
      if (closed) return;
      closed = true;
      client.close();
    },
  };
}

function proxyFromUrl(proxyUrl: string): Deno.Proxy {
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    throw new KubeConfigError("proxy-url is not a valid URL");
  }
  const transports: Record<string, "http" | "https" | "socks5"> = {
    "http:": "http",
    "https:": "https",
    "socks5:": "socks5",
    "socks5h:": "socks5",
  };
  const transport = transports[url.protocol];
  if (!transport) {
    throw new KubeConfigError(
      `proxy-url has the unsupported scheme ${
        JSON.stringify(url.protocol)
      } (expected http, https, socks5 or socks5h)`,
    );
  }
  const proxy: Deno.Proxy = { transport, url: url.href };
  if (url.username || url.password) {
    proxy.basicAuth = {
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    };
    url.username = "";
    url.password = "";
    proxy.url = url.href;
  }
  return proxy;
}

function describeClientError(err: unknown): string {
  const message = err instanceof Error ? err.message : "";
  if (/KeyMismatch|not be consistent/i.test(message)) {
    return "the client certificate and the client key do not belong together";
  }
  if (/private key/i.test(message)) {
    return "the client key could not be read (expected a PEM RSA, EC or PKCS#8 private key)";
  }
  if (/certificate/i.test(message)) {
    return "a certificate could not be read (expected PEM)";
  }
  // The runtime's message is not quoted: it could echo key material.
  return `Deno.createHttpClient rejected the TLS settings (${
    err instanceof Error ? err.name : typeof err
  })`;
}

/**
 * Deno reports every connection failure as "fetch failed" and puts the reason
 * in `cause`; lift the reason into the message so it reaches the user.
 */
function explainFetchError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const cause = err.cause instanceof Error ? err.cause.message : "";
  if (cause === "") return err;
  let hint = "";
  if (/UnknownIssuer/.test(cause)) {
    hint = " (the server's certificate is not signed by a trusted certificate authority: " +
      "check certificate-authority / certificate-authority-data)";
  } else if (/not valid for name/.test(cause)) {
    hint = " (the server's certificate does not name the host of the server URL)";
  } else if (/CertificateRequired/i.test(cause)) {
    hint = " (the server requires a client certificate: set client-certificate and client-key)";
  } else if (/BadCertificate|UnknownCA|CertificateUnknown|DecryptError/i.test(cause)) {
    hint = " (the server did not accept the client certificate)";
  }
  return new TypeError(`${err.message}: ${cause}${hint}`, { cause: err });
}

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { createSecureContext, type SecureVersion } from 'node:tls';
import { z } from 'zod';
import { expected, formatPath } from '../config/issues.js';
import { oneLine, parseYamlFile, unreadableFile } from '../config/load.js';
import { FileStamps } from './fileStamps.js';

/**
 * The web configuration file of `--web.config.file`: TLS and basic authentication in the format of the
 * Prometheus exporter-toolkit (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md),
 * restricted to the keys this exporter implements; any other key is an error rather than silently ignored.
 */

/** Go's crypto/tls client authentication policies, by the names exporter-toolkit uses. */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** The policies that verify a client certificate, and so need client_ca_file to verify it against. */
const VERIFYING: readonly ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const satisfies Record<string, SecureVersion>;
type TlsVersionName = keyof typeof TLS_VERSIONS;
const TLS_VERSION_NAMES = Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]];

/** `$2y$10$` (or 2a, 2b, 2) then 22 characters of salt and 31 of hash, in bcrypt's base64 alphabet. */
const BCRYPT_HASH = /^\$2[aby]?\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
const HASH_HINT = `not a bcrypt hash such as $2y$10$ followed by 53 characters; store the hash of the password, not the password (htpasswd -nBC 10 "" | tr -d ':\\n')`;

export interface TlsSettings {
  /** PEM contents, read at load time. */
  readonly cert: Buffer;
  readonly key: Buffer;
  /** PEM bundle of the CAs that client certificates are verified against. */
  readonly clientCa: Buffer | undefined;
  readonly clientAuthType: ClientAuthType;
  readonly minVersion: SecureVersion;
}

export interface WebConfig {
  /** The web configuration file, as named on the command line. */
  readonly file: string;
  /** The files it was read from, itself included, for telling whether any has changed since. */
  readonly files: FileStamps;
  /** Undefined serves plain HTTP. */
  readonly tls: TlsSettings | undefined;
  /** User name → bcrypt hash; empty when no authentication is required. */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
}

const filePath = z.string(expected('a file name')).min(1, expected('a file name'));

const tlsServerConfig = z
  .strictObject({
    cert_file: filePath,
    key_file: filePath,
    client_auth_type: z.enum(CLIENT_AUTH_TYPES, expected(`one of ${CLIENT_AUTH_TYPES.join(', ')}`)).default('NoClientCert'),
    client_ca_file: filePath.optional(),
    min_version: z.enum(TLS_VERSION_NAMES, expected(`one of ${TLS_VERSION_NAMES.join(', ')}`)).default('TLS12'),
  })
  .superRefine((tls, ctx) => {
    if (tls.client_ca_file === undefined && VERIFYING.includes(tls.client_auth_type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['client_ca_file'],
        message: `missing, required when client_auth_type is ${tls.client_auth_type} (the CA bundle client certificates are verified against)`,
      });
    }
    if (tls.client_ca_file !== undefined && tls.client_auth_type === 'NoClientCert') {
      ctx.addIssue({
        code: 'custom',
        path: ['client_ca_file'],
        message: 'set, but client_auth_type is NoClientCert, so no client certificate is asked for; set client_auth_type: RequireAndVerifyClientCert',
      });
    }
  });

/** Never echoes the value: a mistake here is most likely a plain-text password. */
const bcryptHash = z.string({ error: () => HASH_HINT }).regex(BCRYPT_HASH, { error: () => HASH_HINT });

const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerConfig.nullish(),
  basic_auth_users: z.record(z.string(), bcryptHash).nullish(),
});

type WebConfigShape = z.output<typeof webConfigSchema>;

/**
 * Parses and validates the web configuration's YAML, without reading the files it names.
 * An empty document is plain HTTP without authentication.
 * @param fileName how to name the file in error lines, exactly as the user gave it.
 * @throws ConfigError with one `FILE: path: problem` line per problem.
 */
export function parseWebConfig(text: string, fileName: string): WebConfigShape {
  return parseYamlFile(text, fileName, webConfigSchema);
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Why `pem` is not a bundle of one or more PEM certificates, or undefined if it is. */
function certificatesProblem(pem: Buffer): string | undefined {
  const blocks = pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return `certificate ${index + 1} cannot be parsed: ${(error as Error).message}`;
    }
  }
  return undefined;
}

/** Why `pem` is not an unencrypted PEM private key, or undefined if it is. */
function keyProblem(pem: Buffer): string | undefined {
  try {
    createPrivateKey(pem);
    return undefined;
  } catch (error) {
    return `holds no usable unencrypted PEM private key: ${(error as Error).message}`;
  }
}

/**
 * A certificate, key or CA file that cannot be read or used. Unlike a mistake in the web configuration's text
 * (a ConfigError), this is the state of files that change while the exporter runs (renewed certificates): at
 * start-up it stops the exporter as an address in use does, and later the certificate already loaded stays.
 * The message is one line: each problem as `tls_server_config.FIELD: problem`, separated by `; `.
 */
export class TlsFilesError extends Error {
  override readonly name = 'TlsFilesError';
}

/**
 * Reads the files a parsed web configuration names, resolving relative paths against the directory of
 * the web configuration file (as exporter-toolkit does), and checks that they hold what they should:
 * a certificate, its private key, and a CA bundle.
 * @throws TlsFilesError naming every file that cannot be read or used.
 */
function readTls(tls: NonNullable<WebConfigShape['tls_server_config']>, fileName: string, files: FileStamps): TlsSettings {
  const base = dirname(fileName);
  const problems: string[] = [];
  const problem = (field: string, text: string): void => {
    problems.push(`${formatPath(['tls_server_config', field])}: ${oneLine(text)}`);
  };
  /** The file's contents if it holds what `check` expects, else undefined with the problem noted. */
  const read = (field: string, path: string, check: (pem: Buffer) => string | undefined): Buffer | undefined => {
    let pem: Buffer;
    try {
      pem = files.read(resolve(base, path));
    } catch (error) {
      problem(field, `cannot read: ${(error as Error).message}`);
      return undefined;
    }
    const bad = check(pem);
    if (bad === undefined) return pem;
    problem(field, `${JSON.stringify(path)} ${bad}`);
    return undefined;
  };
  const cert = read('cert_file', tls.cert_file, certificatesProblem);
  const key = read('key_file', tls.key_file, keyProblem);
  const clientCa = tls.client_ca_file === undefined ? undefined : read('client_ca_file', tls.client_ca_file, certificatesProblem);
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (error) {
      problem('key_file', `${JSON.stringify(tls.key_file)} does not go with the certificate in cert_file: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0 || !cert || !key) throw new TlsFilesError(problems.join('; '));
  return {
    cert,
    key,
    clientCa,
    clientAuthType: tls.client_auth_type,
    minVersion: TLS_VERSIONS[tls.min_version],
  };
}

/**
 * Reads, validates and loads a web configuration file, certificates and keys included. Synchronous, so that the
 * server can re-read it between accepting a connection and its TLS handshake (see liveWebConfig.ts).
 * @param files records each file read, for telling later whether any has changed; also when reading fails.
 * @throws ConfigError listing every problem of the file itself, one `FILE: path: problem` line each.
 * @throws TlsFilesError when the certificate, key or CA files it names cannot be read or used.
 */
export function readWebConfig(path: string, files: FileStamps = new FileStamps()): WebConfig {
  let text: string;
  try {
    text = files.read(path).toString('utf8');
  } catch (error) {
    throw unreadableFile(path, error);
  }
  const shape = parseWebConfig(text, path);
  return {
    file: path,
    files,
    tls: shape.tls_server_config ? readTls(shape.tls_server_config, path, files) : undefined,
    basicAuthUsers: new Map(Object.entries(shape.basic_auth_users ?? {})),
  };
}

/** {@link readWebConfig} as a promise, for start-up, which gathers the problems of both configuration files from promises. */
export function loadWebConfigFile(path: string): Promise<WebConfig> {
  return new Promise((resolve) => { resolve(readWebConfig(path)); });
}

import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { manualSchedule, type RunningExporter, startExporter } from '../src/exporter.js';
import { BasicAuthenticator, parseBasicAuth } from '../src/http/server.js';
import { loadWebConfigFile, TlsFilesError } from '../src/http/webConfig.js';
import { createLogger } from '../src/log.js';
import { MAIN, startExporterProcess } from './support/exporterProcess.js';
import { IDLE_CONFIG } from './support/idleConfig.js';
import { request as get, REQUEST_TIMEOUT, type Reply } from './support/request.js';


/** Expects the connection to be refused (handshake failure or reset), not answered, and not left hanging. */
async function expectRefused(reply: Promise<Reply>): Promise<Error> {
  let outcome: Reply | Error;
  try {
    outcome = await reply;
  } catch (err) {
    outcome = err as Error;
  }
  expect(outcome, 'the connection should have been refused').to.be.instanceOf(Error);
  const error = outcome as Error;
  expect(error.message).to.not.equal(REQUEST_TIMEOUT);
  return error;
}

/** The test PKI, made with openssl in a temporary directory: PEM file names by role. */
interface Pki {
  readonly dir: string;
  /** Signs server.crt and renewed.crt (both SAN IP:127.0.0.1); the clients trust it. */
  readonly ca: Buffer;
  /** Signs client.crt; the server verifies client certificates against it. */
  readonly clientCa: Buffer;
  readonly client: { cert: Buffer; key: Buffer };
  /** A client certificate from a CA the server does not know. */
  readonly rogue: { cert: Buffer; key: Buffer };
}

function makePki(dir: string): Pki {
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const makeCa = (name: string): void => {
    openssl('req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  };
  const makeLeaf = (name: string, ca: string, extensions: string): void => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  makeCa('ca');
  makeCa('client-ca');
  makeCa('rogue-ca');
  makeLeaf('server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeLeaf('renewed', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeLeaf('client', 'client-ca', 'extendedKeyUsage=clientAuth\n');
  makeLeaf('rogue', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (name: string): Buffer => readFileSync(join(dir, name));
  return {
    dir,
    ca: read('ca.crt'),
    clientCa: read('client-ca.crt'),
    client: { cert: read('client.crt'), key: read('client.key') },
    rogue: { cert: read('rogue.crt'), key: read('rogue.key') },
  };
}

const silent = createLogger('error', 'json', { write: () => undefined });

describe('web configuration (--web.config.file)', function () {
  this.timeout(20_000);
  let root: string;
  let pki: Pki;
  let aliceHash: string;
  let configFile: string;
  let running: RunningExporter | undefined;
  let fileCount = 0;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'are-web-'));
    pki = makePki(root);
    aliceHash = bcrypt.hashSync('wonder land', 4);
    configFile = join(root, 'config.yaml');
    writeFileSync(configFile, IDLE_CONFIG);
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  /** Writes `yaml` as a web config next to the PKI files (so relative names resolve there) and returns its path. */
  function webConfigFile(yaml: string): string {
    const file = join(root, `web-${++fileCount}.yml`);
    writeFileSync(file, yaml);
    return file;
  }

  /** Starts the exporter in-process on 127.0.0.1 with `yaml` as its web config. */
  function serve(yaml: string, telemetryPath = '/metrics'): Promise<string> {
    return serveFile(webConfigFile(yaml), { telemetryPath });
  }

  /** Starts the exporter in-process on 127.0.0.1 with the web config `file`. */
  async function serveFile(file: string, { telemetryPath = '/metrics', logger = silent } = {}): Promise<string> {
    running = await startExporter({
      config: parseConfig(IDLE_CONFIG, 'config.yaml'),
      logger,
      host: '127.0.0.1',
      port: 0,
      telemetryPath,
      scheduler: manualSchedule,
      webConfig: await loadWebConfigFile(file),
    });
    return running.url;
  }

  const TLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
  const clientAuth = (type: string, withCa = true): string =>
    `${TLS}  client_auth_type: ${type}\n${withCa ? '  client_ca_file: client-ca.crt\n' : ''}`;

  describe('TLS', () => {
    it('serves /metrics over TLS with the configured certificate, at an https:// url', async () => {
      const url = await serve(TLS);
      expect(url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const reply = await get(`${url}/metrics`, { ca: pki.ca });
      expect(reply.status).to.equal(200);
      expect(reply.body).to.contain('aws_resolution_exporter_');
    });

    it('is refused by a client that does not trust the certificate\'s CA', async () => {
      const url = await serve(TLS);
      const error = await expectRefused(get(`${url}/metrics`, { ca: pki.clientCa }));
      expect((error as NodeJS.ErrnoException).code).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    });

    it('refuses plain HTTP on the TLS port', async () => {
      const url = await serve(TLS);
      await expectRefused(get(`${url.replace('https:', 'http:')}/metrics`));
    });

    it('accepts a TLS 1.2-only client by default (min_version TLS12)', async () => {
      const url = await serve(TLS);
      expect((await get(`${url}/-/healthy`, { ca: pki.ca, maxVersion: 'TLSv1.2' })).status).to.equal(200);
    });

    it('min_version TLS13 refuses a TLS 1.2-only client and serves a TLS 1.3 one', async () => {
      const url = await serve(`${TLS}  min_version: TLS13\n`);
      await expectRefused(get(`${url}/-/healthy`, { ca: pki.ca, maxVersion: 'TLSv1.2' }));
      expect((await get(`${url}/-/healthy`, { ca: pki.ca, minVersion: 'TLSv1.3' })).status).to.equal(200);
    });
  });

  describe('client certificates (client_auth_type)', () => {
    it('RequireAndVerifyClientCert refuses a client without a certificate', async () => {
      const url = await serve(clientAuth('RequireAndVerifyClientCert'));
      await expectRefused(get(`${url}/metrics`, { ca: pki.ca }));
    });

    it('RequireAndVerifyClientCert refuses a certificate from another CA', async () => {
      const url = await serve(clientAuth('RequireAndVerifyClientCert'));
      await expectRefused(get(`${url}/metrics`, { ca: pki.ca, ...pki.rogue }));
    });

    it('RequireAndVerifyClientCert serves a certificate signed by client_ca_file', async () => {
      const url = await serve(clientAuth('RequireAndVerifyClientCert'));
      expect((await get(`${url}/metrics`, { ca: pki.ca, ...pki.client })).status).to.equal(200);
    });

    it('RequireAnyClientCert refuses a client without a certificate but serves any certificate', async () => {
      const url = await serve(clientAuth('RequireAnyClientCert', false));
      await expectRefused(get(`${url}/-/healthy`, { ca: pki.ca }));
      expect((await get(`${url}/-/healthy`, { ca: pki.ca, ...pki.rogue })).status).to.equal(200);
      expect((await get(`${url}/-/healthy`, { ca: pki.ca, ...pki.client })).status).to.equal(200);
    });

    it('VerifyClientCertIfGiven serves no certificate and a verified one, and refuses an unverified one', async () => {
      const url = await serve(clientAuth('VerifyClientCertIfGiven'));
      expect((await get(`${url}/-/healthy`, { ca: pki.ca })).status).to.equal(200);
      expect((await get(`${url}/-/healthy`, { ca: pki.ca, ...pki.client })).status).to.equal(200);
      await expectRefused(get(`${url}/-/healthy`, { ca: pki.ca, ...pki.rogue }));
    });

    it('RequestClientCert serves clients with or without a certificate, verified or not', async () => {
      const url = await serve(clientAuth('RequestClientCert', false));
      expect((await get(`${url}/-/healthy`, { ca: pki.ca })).status).to.equal(200);
      expect((await get(`${url}/-/healthy`, { ca: pki.ca, ...pki.rogue })).status).to.equal(200);
    });
  });

  describe('basic authentication', () => {
    const USERS = (): string => `basic_auth_users:\n  alice: '${aliceHash}'\n`;

    /** Expects 401 with WWW-Authenticate and nothing of the exporter's for `method` `path`, sent as it is. */
    async function expectUnauthorized(url: string, method: string, path: string): Promise<void> {
      const reply = await get(url, { method, path });
      const what = `${method} ${path}`;
      expect(reply.status, what).to.equal(401);
      expect(reply.headers['www-authenticate'], what).to.equal('Basic realm="aws-resolution-exporter"');
      expect(reply.body, what).to.equal(method === 'HEAD' ? '' : 'Unauthorized\n');
    }

    it('answers 401 with WWW-Authenticate on every endpoint but the probes when no credentials are sent', async () => {
      const url = await serve(USERS());
      expect(url).to.match(/^http:\/\//);
      for (const path of ['/metrics', '/', '/grafana/', '/grafana/exporter-health.json', '/no/such/path']) await expectUnauthorized(url, 'GET', path);
      await expectUnauthorized(url, 'POST', '/-/reload');
    });

    it('answers GET and HEAD /-/healthy and /-/ready without credentials, with nothing but their state', async () => {
      const url = await serve(USERS());
      expect(await get(`${url}/-/healthy`)).to.deep.include({ status: 200, body: 'Healthy\n' });
      expect(await get(`${url}/-/ready?verbose=1`)).to.deep.include({ status: 503, body: 'Not ready: the first collection has not finished yet\n' });
      await running?.collect();
      expect(await get(`${url}/-/ready`)).to.deep.include({ status: 200, body: 'Ready\n' });
      expect(await get(`${url}/-/healthy`, { method: 'HEAD' })).to.deep.include({ status: 200, body: '' });
      expect((await get(`${url}/-/ready`, { method: 'HEAD' })).status).to.equal(200);
    });

    it('asks for credentials on every other spelling of the probe paths, and for every other method', async () => {
      const url = await serve(USERS());
      const spellings = [
        '//-/healthy', '/-/healthy/', '/-/HEALTHY', '/-/Ready', '/-/%68ealthy', '/-/ready%2F', '/./-/healthy', '/-/healthy/../metrics',
        '/-/ready/..%2Fmetrics', '/-/healthy;/metrics', '/-/healthy#', '/-/healthy%3F', 'http://127.0.0.1/-/healthy', '/metrics?/-/healthy',
      ];
      for (const path of spellings) await expectUnauthorized(url, 'GET', path);
      for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) await expectUnauthorized(url, method, '/-/healthy');
      await expectUnauthorized(url, 'POST', '/-/ready');
    });

    it('answers the probe path, not the metrics, when --web.telemetry-path names a probe path', async () => {
      const url = await serve(USERS(), '/-/ready');
      const reply = await get(`${url}/-/ready`);
      expect(reply.body).to.not.contain('aws_resolution_exporter_');
      expect(reply).to.deep.include({ status: 503, body: 'Not ready: the first collection has not finished yet\n' });
    });

    it('answers 401 to a wrong password, an unknown user and a malformed header', async () => {
      const url = await serve(USERS());
      expect((await get(`${url}/metrics`, { auth: 'alice:wonderland' })).status).to.equal(401);
      expect((await get(`${url}/metrics`, { auth: 'bob:wonder land' })).status).to.equal(401);
      expect((await get(`${url}/metrics`, { auth: 'alice:' })).status).to.equal(401);
      expect((await get(`${url}/metrics`, { headers: { authorization: 'Bearer wonder land' } })).status).to.equal(401);
      expect((await get(`${url}/metrics`, { headers: { authorization: `Basic ${Buffer.from('alice').toString('base64')}` } })).status).to.equal(401);
    });

    it('serves every endpoint to the right user and password, again and again', async () => {
      const url = await serve(USERS());
      for (const path of ['/metrics', '/metrics', '/', '/-/healthy']) {
        const reply = await get(`${url}${path}`, { auth: 'alice:wonder land' });
        expect(reply.status, path).to.equal(200);
      }
      const metrics = await get(`${url}/metrics`, { auth: 'alice:wonder land' });
      expect(metrics.body).to.contain('aws_resolution_exporter_');
    });

    it('works together with TLS and client certificates', async () => {
      const url = await serve(`${clientAuth('RequireAndVerifyClientCert')}${USERS()}`);
      expect((await get(`${url}/metrics`, { ca: pki.ca, ...pki.client })).status).to.equal(401);
      expect((await get(`${url}/metrics`, { ca: pki.ca, ...pki.client, auth: 'alice:wonder land' })).status).to.equal(200);
      await expectRefused(get(`${url}/metrics`, { ca: pki.ca, auth: 'alice:wonder land' }));
    });

    it('parses Basic credentials, splitting at the first colon', () => {
      const header = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;
      expect(parseBasicAuth(header('alice:a:b'))).to.deep.equal({ user: 'alice', password: 'a:b' });
      expect(parseBasicAuth(header(':'))).to.deep.equal({ user: '', password: '' });
      expect(parseBasicAuth(`basic  ${Buffer.from('u:p').toString('base64')}`)).to.deep.equal({ user: 'u', password: 'p' });
      expect(parseBasicAuth(header('no colon'))).to.equal(undefined);
      expect(parseBasicAuth('Bearer abc')).to.equal(undefined);
      expect(parseBasicAuth(undefined)).to.equal(undefined);
    });

    describe('bcrypt comparisons', () => {
      /** The hash of each bcrypt comparison made, in order: src/http/server.ts calls the bcryptjs default export this test wraps. */
      let compared: string[] = [];
      const bcryptjs = bcrypt as { compare: (password: string, hash: string) => Promise<boolean> };
      const compare = bcryptjs.compare;
      beforeEach(() => {
        compared = [];
        bcryptjs.compare = (password, hash) => {
          compared.push(hash);
          return compare(password, hash);
        };
      });
      afterEach(() => {
        bcryptjs.compare = compare;
      });
      const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;

      it('remembers verified credentials, so repeated requests skip bcrypt', async () => {
        const auth = new BasicAuthenticator(new Map([['alice', bcrypt.hashSync('pw', 4)]]));
        expect(await auth.authenticate(basic('alice:pw'))).to.equal('alice');
        expect(compared, 'the first check').to.have.length(1);
        for (let i = 0; i < 20; i++) expect(await auth.authenticate(basic('alice:pw'))).to.equal('alice');
        expect(compared, '20 more checks of the same credentials').to.have.length(1);
        // A wrong password is never remembered as right.
        expect(await auth.authenticate(basic('alice:pW'))).to.equal(undefined);
      });

      it('runs a bcrypt comparison of the same cost for an unknown user (no user enumeration by timing)', async () => {
        // Not bcryptjs's default cost, nor the exporter's, so that only the users' hashes can have set it.
        const aliceHash = bcrypt.hashSync('pw', 5);
        const auth = new BasicAuthenticator(new Map([['alice', aliceHash]]));
        expect(await auth.authenticate(basic('alice:wrong'))).to.equal(undefined);
        expect(compared, 'a known user').to.deep.equal([aliceHash]);
        expect(await auth.authenticate(basic('nobody:wrong'))).to.equal(undefined);
        const [, dummy = ''] = compared;
        expect(compared, 'an unknown user: one comparison too').to.have.length(2);
        expect(dummy, 'against a hash that is no user\'s').to.not.equal(aliceHash);
        expect(bcrypt.getRounds(dummy), 'as costly as the users\' hashes').to.equal(bcrypt.getRounds(aliceHash));
      });
    });
  });

  describe('certificate rotation, without a restart', () => {
    /** Each certificate's SHA-256 fingerprint, as TLS clients report it. */
    const fingerprint = (name: string): string => new X509Certificate(readFileSync(join(root, name))).fingerprint256;
    /** Puts `name`.crt and `name`.key where the web config's cert_file and key_file point. */
    const install = (name: string): void => {
      copyFileSync(join(root, `${name}.key`), join(root, 'live.key'));
      copyFileSync(join(root, `${name}.crt`), join(root, 'live.crt'));
    };
    /**
     * One GET through `agent`: its status, the connection it went over, and the certificate the server presented
     * (undefined on a connection reused from a keep-alive agent: Node's client tells it only on the first response).
     */
    function fetchVia(url: string, agent: https.Agent | false): Promise<{ status: number; fingerprint: string | undefined; socket: TLSSocket }> {
      return new Promise((resolve, reject) => {
        https.get(`${url}/-/healthy`, { agent, ca: pki.ca }, (res) => {
          const socket = res.socket;
          if (!(socket instanceof TLSSocket)) throw new Error('not a TLS connection');
          const presented = socket.getPeerX509Certificate()?.fingerprint256;
          res.resume();
          res.on('end', () => { resolve({ status: res.statusCode ?? 0, fingerprint: presented, socket }); });
        }).on('error', reject);
      });
    }
    let logged: string[];
    const logger = () => createLogger('info', 'json', { write: (line) => { logged.push(line); } });
    const problemsLogged = (): string[] => logged.filter((line) => line.includes('not reloaded'));

    beforeEach(() => {
      logged = [];
      install('server');
    });

    it('presents a renewed certificate at the next handshake, and keeps open connections on the old one', async () => {
      const url = await serveFile(webConfigFile('tls_server_config:\n  cert_file: live.crt\n  key_file: live.key\n'), { logger: logger() });
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: pki.ca });
      try {
        const before = await fetchVia(url, agent);
        expect(before.fingerprint).to.equal(fingerprint('server.crt'));

        install('renewed');
        const fresh = await fetchVia(url, false);
        expect(fresh).to.deep.include({ status: 200, fingerprint: fingerprint('renewed.crt') });
        // The connection opened with the old certificate, which a TLS connection keeps for its life.
        const kept = await fetchVia(url, agent);
        expect(kept.socket, 'the keep-alive connection, not a new one').to.equal(before.socket);
        expect(kept.status).to.equal(200);
        expect(logged.join('')).to.contain('web configuration reloaded');
      } finally {
        agent.destroy();
      }
    });

    it('keeps serving the certificate it has when the new one is broken, logs that once, and takes the next good one', async () => {
      const url = await serveFile(webConfigFile('tls_server_config:\n  cert_file: live.crt\n  key_file: live.key\n'), { logger: logger() });
      writeFileSync(join(root, 'live.crt'), '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
      for (let i = 0; i < 3; i++) expect((await fetchVia(url, false)).fingerprint).to.equal(fingerprint('server.crt'));
      expect(problemsLogged(), 'one line for one problem, however many connections see it').to.have.length(1);
      expect(JSON.parse(problemsLogged()[0] ?? '{}')).to.deep.include({ level: 'error' });
      expect(problemsLogged()[0]).to.contain('tls_server_config.cert_file: \\"live.crt\\" certificate 1 cannot be parsed');

      install('renewed');
      expect((await fetchVia(url, false)).fingerprint).to.equal(fingerprint('renewed.crt'));
    });

    it('refuses a key that does not go with the certificate, and a change only a restart can make', async () => {
      const file = webConfigFile('tls_server_config:\n  cert_file: live.crt\n  key_file: live.key\n');
      const url = await serveFile(file, { logger: logger() });
      copyFileSync(join(root, 'renewed.key'), join(root, 'live.key'));
      expect((await fetchVia(url, false)).fingerprint).to.equal(fingerprint('server.crt'));
      expect(problemsLogged().join('')).to.contain('does not go with the certificate');

      install('renewed');
      writeFileSync(file, clientAuth('RequireAndVerifyClientCert').replaceAll('server.', 'live.'));
      expect((await fetchVia(url, false)).fingerprint, 'nothing of a refused configuration is used').to.equal(fingerprint('server.crt'));
      expect(problemsLogged().join('')).to.contain('a new client_auth_type takes a restart');
    });

    it('applies changed users to the next request, also on an open connection', async () => {
      const file = webConfigFile(`${TLS}basic_auth_users:\n  alice: '${aliceHash}'\n`);
      const url = await serveFile(file, { logger: logger() });
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect((await get(`${url}/metrics`, { ca: pki.ca, agent, auth: 'alice:wonder land' })).status).to.equal(200);
        writeFileSync(file, `${TLS}basic_auth_users:\n  bob: '${aliceHash}'\n`);
        expect((await get(`${url}/metrics`, { ca: pki.ca, agent, auth: 'alice:wonder land' })).status).to.equal(401);
        expect((await get(`${url}/metrics`, { ca: pki.ca, agent, auth: 'bob:wonder land' })).status).to.equal(200);
      } finally {
        agent.destroy();
      }
    });
  });

  describe('loading and validation', () => {
    /** The ConfigError lines of loading `yaml` as a web config, each with the file name replaced by FILE. */
    async function problems(yaml: string): Promise<string[]> {
      const file = webConfigFile(yaml);
      try {
        await loadWebConfigFile(file);
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).lines.map((line) => line.split(file).join('FILE'));
      }
      expect.fail('expected a ConfigError');
    }

    it('accepts an empty file: plain HTTP, no authentication', async () => {
      const web = await loadWebConfigFile(webConfigFile(''));
      expect(web.tls).to.equal(undefined);
      expect(web.basicAuthUsers.size).to.equal(0);
    });

    it('resolves relative file names against the web config file\'s directory, and applies defaults', async () => {
      const sub = join(root, 'sub');
      mkdirSync(sub, { recursive: true });
      const file = join(sub, 'web.yml');
      writeFileSync(file, 'tls_server_config:\n  cert_file: ../server.crt\n  key_file: ../server.key\n');
      const web = await loadWebConfigFile(file);
      expect(web.tls?.cert.equals(readFileSync(join(root, 'server.crt')))).to.equal(true);
      expect(web.tls?.clientAuthType).to.equal('NoClientCert');
      expect(web.tls?.minVersion).to.equal('TLSv1.2');
    });

    it('names the file and line of a YAML syntax error', async () => {
      const lines = await problems('tls_server_config:\n  cert_file: [unclosed\n');
      expect(lines).to.have.length.greaterThan(0);
      expect(lines[0]).to.match(/^FILE:\d+:\d+: /);
    });

    it('rejects unknown keys, naming each', async () => {
      expect(await problems(`${TLS}  cipher_suites: [TLS_AES_128_GCM_SHA256]\nhttp_server_config: {}\n`)).to.deep.equal([
        'FILE: tls_server_config.cipher_suites: unknown key (expected one of cert_file, key_file, client_auth_type, client_ca_file, min_version)',
        'FILE: http_server_config: unknown key (expected one of tls_server_config, basic_auth_users)',
      ]);
    });

    it('names a missing cert_file and key_file, a bad client_auth_type and a bad min_version', async () => {
      expect(await problems('tls_server_config:\n  client_auth_type: Sometimes\n  min_version: TLS1.2\n')).to.deep.equal([
        'FILE: tls_server_config.cert_file: missing, expected a file name',
        'FILE: tls_server_config.key_file: missing, expected a file name',
        'FILE: tls_server_config.client_auth_type: expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, got "Sometimes"',
        'FILE: tls_server_config.min_version: expected one of TLS10, TLS11, TLS12, TLS13, got "TLS1.2"',
      ]);
    });

    it('requires client_ca_file when client_auth_type verifies, and refuses it when no certificate is asked for', async () => {
      expect(await problems(clientAuth('RequireAndVerifyClientCert', false))).to.deep.equal([
        'FILE: tls_server_config.client_ca_file: missing, required when client_auth_type is RequireAndVerifyClientCert (the CA bundle client certificates are verified against)',
      ]);
      expect(await problems(clientAuth('VerifyClientCertIfGiven', false))).to.have.length(1);
      expect(await problems(`${TLS}  client_ca_file: client-ca.crt\n`)).to.deep.equal([
        'FILE: tls_server_config.client_ca_file: set, but client_auth_type is NoClientCert, so no client certificate is asked for; set client_auth_type: RequireAndVerifyClientCert',
      ]);
    });

    /** The problems, one each, of the TLS files the web config `yaml` names: not the file's own, so a TlsFilesError. */
    async function tlsFileProblems(yaml: string): Promise<string[]> {
      try {
        await loadWebConfigFile(webConfigFile(yaml));
      } catch (err) {
        expect(err).to.be.instanceOf(TlsFilesError);
        return (err as Error).message.split('; ');
      }
      expect.fail('expected a TlsFilesError');
    }

    it('names unreadable and unusable certificate, key and CA files, on one line', async () => {
      const lines = await tlsFileProblems('tls_server_config:\n  cert_file: server.key\n  key_file: missing.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: config.yaml\n');
      expect(lines).to.have.length(3);
      expect(lines[0]).to.equal('tls_server_config.cert_file: "server.key" holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
      expect(lines[1]).to.match(/^tls_server_config\.key_file: cannot read: ENOENT: .*missing\.key/);
      expect(lines[2]).to.equal('tls_server_config.client_ca_file: "config.yaml" holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
      expect(await tlsFileProblems(`tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n`)).to.satisfy((found: string[]) =>
        found.length === 1 && found[0]?.startsWith('tls_server_config.key_file: "server.crt" holds no usable unencrypted PEM private key: '));
    });

    it('names a key that does not go with the certificate', async () => {
      const lines = await tlsFileProblems('tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/^tls_server_config\.key_file: "client\.key" does not go with the certificate in cert_file: .*key values mismatch/);
    });

    it('rejects a password that is not a bcrypt hash without echoing it', async () => {
      const lines = await problems('basic_auth_users:\n  alice: hunter2\n  bob: 42\n');
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^FILE: basic_auth_users\.alice: not a bcrypt hash such as \$2y\$10\$/);
      expect(lines[1]).to.match(/^FILE: basic_auth_users\.bob: not a bcrypt hash/);
      expect(lines.join('\n')).to.not.contain('hunter2');
      expect(lines.join('\n')).to.not.contain('42');
    });

    it('accepts $2y$ hashes (htpasswd\'s) and $2a$/$2b$ ones, and an empty user list', async () => {
      const web = await loadWebConfigFile(webConfigFile(`basic_auth_users:\n  a: '${aliceHash.replace('$2b$', '$2y$')}'\n  b: '${aliceHash.replace('$2b$', '$2a$')}'\n  c: '${aliceHash}'\n`));
      expect([...web.basicAuthUsers.keys()]).to.deep.equal(['a', 'b', 'c']);
      const auth = new BasicAuthenticator(web.basicAuthUsers);
      expect(await auth.authenticate(`Basic ${Buffer.from('a:wonder land').toString('base64')}`)).to.equal('a');
      expect((await loadWebConfigFile(webConfigFile('basic_auth_users:\n'))).basicAuthUsers.size).to.equal(0);
    });
  });

  describe('the real process', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [...MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });

    it('exits 2 naming the file when the web config cannot be read', () => {
      const result = run(`--config.file=${configFile}`, '--web.config.file=/nonexistent/web.yml');
      expect(result.status).to.equal(2);
      expect(result.stderr).to.match(/^\/nonexistent\/web\.yml: \(file\): cannot read: ENOENT/);
      expect(result.stderr.trim().split('\n')).to.have.length(1);
    });

    it('exits 1 with one line naming --web.config.file, the file and the cause when a certificate cannot be read, no stack', () => {
      const web = webConfigFile('tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n');
      const result = run(`--config.file=${configFile}`, `--web.config.file=${web}`);
      expect(result.status).to.equal(1);
      expect(result.stderr).to.equal(`aws-resolution-exporter: --web.config.file=${web}: tls_server_config.cert_file: cannot read: ENOENT: no such file or directory, open '${join(root, 'missing.crt')}'\n`);
    });

    it('exits 2 with one line per problem of the web config and the config alike', () => {
      const web = webConfigFile(`${TLS}  client_auth_type: RequireAndVerifyClientCert\nbasic_auth_users:\n  alice: hunter2\n`);
      const badConfig = join(root, 'bad-config.yaml');
      writeFileSync(badConfig, 'concurrency: four\n');
      const result = run(`--config.file=${badConfig}`, `--web.config.file=${web}`);
      expect(result.status).to.equal(2);
      expect(result.stderr.trim().split('\n')).to.deep.equal([
        `${web}: tls_server_config.client_ca_file: missing, required when client_auth_type is RequireAndVerifyClientCert (the CA bundle client certificates are verified against)`,
        `${web}: basic_auth_users.alice: not a bcrypt hash such as $2y$10$ followed by 53 characters; store the hash of the password, not the password (htpasswd -nBC 10 "" | tr -d ':\\n')`,
        `${badConfig}: concurrency: expected an integer >= 1, got "four"`,
      ]);
    });

    it('--config.check validates the web config too', () => {
      const web = webConfigFile(TLS);
      const result = run(`--config.file=${configFile}`, `--web.config.file=${web}`, '--config.check');
      expect(result.status).to.equal(0);
      expect(result.stdout).to.contain(`${web}: OK`);
      const bad = run(`--config.file=${configFile}`, `--web.config.file=${webConfigFile('tls_server_config: {}\n')}`, '--config.check');
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.contain('tls_server_config.cert_file: missing');
    });

    it('serves HTTPS with basic auth from --web.config.file and logs tls=true', async function () {
      this.timeout(30_000);
      const web = webConfigFile(`${TLS}basic_auth_users:\n  alice: '${aliceHash}'\n`);
      const exporter = await startExporterProcess([`--config.file=${configFile}`, `--web.config.file=${web}`]);
      try {
        expect(exporter.output()).to.match(/"tls":true/);
        const url = `https://${exporter.address}`;
        expect((await get(`${url}/metrics`, { ca: pki.ca })).status).to.equal(401);
        expect((await get(`${url}/metrics`, { ca: pki.ca, auth: 'alice:wonder land' })).status).to.equal(200);
        expect((await get(`${url}/-/healthy`, { ca: pki.ca })).status, 'the probe, without credentials').to.equal(200);
        await expectRefused(get(`http://${exporter.address}/-/healthy`, { auth: 'alice:wonder land' }));
      } finally {
        expect(await exporter.stop()).to.equal(0);
      }
    });
  });
});

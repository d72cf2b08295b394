import { ConfigError, oneLine } from '../config/load.js';
import type { Logger } from '../log.js';
import { FileStamps } from './fileStamps.js';
import { readWebConfig, type WebConfig } from './webConfig.js';

/**
 * The web configuration as its files now say, as exporter-toolkit re-reads it for each connection: every look
 * stats the web configuration file and the certificate, key and CA files it names, and reads them again only
 * when one has changed. A change that cannot be used (unreadable, invalid, a key that does not go with its
 * certificate, or refused by `apply`) keeps the previous configuration serving, and is logged once.
 */
export class LiveWebConfig {
  private config: WebConfig;
  /** The files of the last attempt to read, good or not: the next attempt waits for one of them to change. */
  private attempted: FileStamps;
  /** The last attempt's problem, so that an unchanged one is not logged again. */
  private problem: string | undefined;

  /**
   * @param apply puts a configuration read again into effect (a TLS server's new certificate), or throws to
   * refuse it (a change the running server cannot take); nothing of a refused configuration is used.
   */
  constructor(initial: WebConfig, private readonly logger: Logger, private readonly apply: (next: WebConfig, previous: WebConfig) => void) {
    this.config = initial;
    this.attempted = initial.files;
  }

  /** The configuration to serve with now, read again first if any of its files has changed. */
  current(): WebConfig {
    if (!this.attempted.changed()) return this.config;
    const previous = this.config;
    this.attempted = new FileStamps();
    try {
      const next = readWebConfig(previous.file, this.attempted);
      this.apply(next, previous);
      this.config = next;
      this.problem = undefined;
      this.logger.info({ web_config_file: previous.file, tls: next.tls !== undefined, users: next.basicAuthUsers.size }, 'web configuration reloaded');
    } catch (err) {
      const problem = err instanceof ConfigError ? err.lines.join('; ') : oneLine((err as Error).message);
      if (problem !== this.problem) {
        this.logger.error({ web_config_file: previous.file, problem }, 'web configuration not reloaded: still serving the previous one');
      }
      this.problem = problem;
    }
    return this.config;
  }
}

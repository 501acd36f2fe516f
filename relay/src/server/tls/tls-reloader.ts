import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fail, ok, type Result } from '@tickmesh/shared';
import { loadTlsPair, samePair, TlsCode, type TlsFiles, type TlsPair } from './tls-pair';

/** What asked for a reload: SIGHUP, a change in the files' directories, or a direct call. */
export type ReloadTrigger = 'signal' | 'file-change' | 'call';

/** The slice of pino the reloader logs through. */
export interface ReloadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Told of each reload that was applied or refused (metrics); never of one that changed nothing. */
export type ReloadListener = (outcome: 'applied' | 'refused', pair: TlsPair) => void;

/**
 * Quiet time after the last file event before re-reading: a renewal writes the certificate
 * and the key one after the other, and reading between the two would refuse a half-new pair.
 */
export const RELOAD_DEBOUNCE_MS = 250;

/**
 * Keeps a TLS server on the newest good certificate. `apply` installs a pair
 * (server.setSecureContext): established connections keep the context they were made with, so
 * no session drops; only new handshakes see the new certificate. A bad new pair is refused and
 * logged, and the old one stays. Reloads run one at a time, in order.
 */
export class TlsReloader {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly files: TlsFiles,
    private pair: TlsPair,
    private readonly apply: (pair: TlsPair) => void,
    private readonly log: ReloadLog,
    private readonly listener: ReloadListener,
  ) {}

  /** Loads the first pair and applies it; RELAY_TLS_UNREADABLE / RELAY_TLS_INVALID otherwise. */
  static async open(files: TlsFiles, apply: (pair: TlsPair) => void, log: ReloadLog, listener: ReloadListener = () => {}): Promise<Result<TlsReloader, TlsCode>> {
    const first = await loadTlsPair(files);
    if (!first.ok) return first;
    apply(first.value);
    listener('applied', first.value);
    return ok(new TlsReloader(files, first.value, apply, log, listener));
  }

  /** The pair new handshakes get. */
  get current(): TlsPair {
    return this.pair;
  }

  /**
   * Re-reads both files and applies them when they are a good pair. Resolves with the pair now
   * served (the old one on `ok: false`). A file change that left the bytes as they were is a
   * no-op; a signal or call applies even an identical pair (the operator asked for it).
   */
  reload(trigger: ReloadTrigger): Promise<Result<TlsPair, TlsCode>> {
    const run = this.queue.then(() => this.reloadNow(trigger));
    this.queue = run;
    return run;
  }

  private async reloadNow(trigger: ReloadTrigger): Promise<Result<TlsPair, TlsCode>> {
    const next = await loadTlsPair(this.files);
    if (!next.ok) {
      this.log.warn({ code: next.reason.code, trigger, err: next.reason.message, serving: this.pair.fingerprint256 }, 'TLS reload refused; still serving the previous certificate');
      this.listener('refused', this.pair);
      return next;
    }
    if (trigger === 'file-change' && samePair(next.value, this.pair)) return ok(this.pair);
    try {
      this.apply(next.value);
    } catch (err) {
      // loadTlsPair built a context from the same bytes, so this is not expected; still, a
      // reload must never take the relay down.
      this.log.warn({ code: TlsCode.RELAY_TLS_INVALID, trigger, err: (err as Error).message }, 'TLS reload refused; still serving the previous certificate');
      this.listener('refused', this.pair);
      return fail(TlsCode.RELAY_TLS_INVALID, (err as Error).message);
    }
    this.pair = next.value;
    this.listener('applied', next.value);
    this.log.info({ trigger, fingerprint256: next.value.fingerprint256, serialNumber: next.value.serialNumber, validTo: next.value.validTo.toISOString() }, 'TLS certificate reloaded');
    return ok(next.value);
  }

  /**
   * Reloads on any change in the directories holding the two files. The directory, not the
   * file, is watched: renewals replace files by rename (certbot swaps symlinks, Kubernetes
   * swaps its `..data` link in a mounted secret), which a watch on the old file never sees.
   * Unrelated files changing there cost one re-read, compared away as unchanged.
   */
  watch(debounceMs = RELOAD_DEBOUNCE_MS): void {
    const dirs = new Set([dirname(resolve(this.files.certFile)), dirname(resolve(this.files.keyFile))]);
    for (const dir of dirs) {
      try {
        // persistent: false: watching must not keep a stopping process alive.
        const w = watch(dir, { persistent: false }, () => this.schedule(debounceMs));
        w.on('error', (err) => {
          this.log.warn({ dir, err: err.message }, 'TLS file watch failed; SIGHUP still reloads');
          w.close();
        });
        this.watchers.push(w);
      } catch (err) {
        this.log.warn({ dir, err: (err as Error).message }, 'TLS file watch unavailable; SIGHUP still reloads');
      }
    }
  }

  private schedule(debounceMs: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload('file-change'), debounceMs);
    this.timer.unref();
  }

  /** Stops watching; a reload in progress finishes. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.watchers.splice(0)) w.close();
  }
}

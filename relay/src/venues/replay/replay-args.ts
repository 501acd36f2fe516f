/** The replay command's own arguments. */
export type ReplayArgs = {
  file: string;
  speed: number;
  loop: boolean;
  partial: boolean;
  /** Play from process start (--start-now) instead of from the first subscription (--start-on-subscribe, the default). */
  startNow: boolean;
  relayArgs: string[];
};

/** Takes the replay's own arguments out of argv; everything else goes to the relay's parser. */
export function parseReplayArgs(argv: readonly string[]): ReplayArgs | { help: true } | { error: string } {
  const relayArgs: string[] = [];
  let file: string | undefined;
  let speed = 1;
  let loop = false;
  let partial = false;
  let startNow = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (name === '--help' || name === '-h') return { help: true };
    if (name === '--loop') loop = true;
    else if (name === '--partial') partial = true;
    else if (name === '--start-now') startNow = true;
    else if (name === '--start-on-subscribe') startNow = false;
    else if (name === '--speed') {
      const raw = inline ?? argv[++i];
      const n = raw === 'max' ? 0 : Number(raw);
      if (raw === undefined || raw === '' || !Number.isFinite(n) || n < 0) return { error: `invalid --speed: ${JSON.stringify(raw ?? '')} (1, 10, 100 … or max)` };
      speed = n;
    } else if (name.startsWith('-')) {
      relayArgs.push(a);
      // Every relay flag takes a value.
      if (inline === undefined && i + 1 < argv.length) relayArgs.push(argv[++i]!);
    } else if (file === undefined) file = a;
    else return { error: `unexpected argument ${JSON.stringify(a)} (one recording file only)` };
  }
  if (file === undefined) return { error: 'no recording FILE given' };
  return { file, speed, loop, partial, startNow, relayArgs };
}

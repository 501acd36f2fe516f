import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { readRecording } from '@tickmesh/shared';
import { parseCli, usage } from './server/cli';
import { AuthService } from './server/auth/index';
import { Relay } from './server/relay-server';
import { buildReplayScript, parseReplayArgs, replayVenues } from './venues/replay/index';

const REPLAY_USAGE = `Tickmesh replay: serves a market-data recording through the relay's /ws and /ws/json, as if live.

Usage: npm run replay -- FILE [--speed 1|10|100|max] [--loop] [--partial] [relay options]
                              (or: node relay/dist/replay.js FILE ...)

  --speed N     playback speed: 1 = recorded pace (default), 10, 100 …; max (or 0) = as fast as possible
  --loop        start over after the last frame
  --partial     play the intact frames of a truncated or corrupt file instead of refusing it

Relay options (--symbols, --seed and --sim-rate do not apply to a replay):
`;

/** `npm run replay -- FILE`: the relay with a recording as its only venue(s), serving the PWA. */
async function main(): Promise<void> {
  const args = parseReplayArgs(process.argv.slice(2));
  if ('help' in args) {
    console.log(REPLAY_USAGE + usage().split('\n').slice(4).join('\n'));
    return;
  }
  if ('error' in args) {
    console.error(`replay: ${args.error}\n(run with --help for the options)`);
    process.exitCode = 2;
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.file);
  } catch (err) {
    console.error(`replay: cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const read = readRecording(bytes);
  let recording;
  if (read.ok) recording = read.value;
  else {
    const { code, message, intactFrames, offset } = read.reason;
    console.error(`replay: ${args.file}: ${code} at byte ${offset}: ${message}\n  ${intactFrames} frame(s) before it are intact${read.partial ? (args.partial ? '; playing those' : ' (--partial plays them)') : ''}`);
    if (!args.partial || !read.partial) {
      process.exitCode = 2;
      return;
    }
    recording = read.partial;
  }
  const cli = parseCli(args.relayArgs, process.env);
  if (cli.kind === 'help') {
    console.log(REPLAY_USAGE + cli.text);
    return;
  }
  if (cli.kind === 'error') {
    console.error(`replay: ${cli.message}\n(run with --help for the options)`);
    process.exitCode = 2;
    return;
  }
  const script = buildReplayScript(recording);
  if (script.venues.length === 0) {
    console.error(`replay: ${args.file} lists no instruments: nothing to serve`);
    process.exitCode = 2;
    return;
  }
  const options = cli.options;
  if (!options.webRoot) options.webRoot = join(dirname(fileURLToPath(import.meta.url)), '../../web/dist');
  const log = pino({ level: options.logLevel });
  const { auth, firstRun, loginCode, credentialsFile } = await AuthService.open(options.dataDir, { tokenTtlSec: options.tokenTtlSec });
  const venues = replayVenues(script, { speed: args.speed, loop: args.loop });
  const relay = new Relay(options, { venues, auth, logger: log });
  const url = await relay.start();
  const shown = url.replace('127.0.0.1', 'localhost');
  if (firstRun) log.warn({ credentialsFile }, 'first run: API keys for the demo trader and the admin are in credentials.txt; store them and delete the file');
  const login = loginCode ? `\n  Open ${shown}/?login=${loginCode}\n  (one-time login for the demo trader, valid ${Math.round(auth.options.loginCodeTtlSec / 60)} min)\n` : '';
  const pace = args.speed === 0 ? 'max speed' : `speed ${args.speed}×`;
  console.log(
    `\n  Tickmesh replay of ${args.file}: ${script.bookFrames} book frames, ${(script.durationUs / 1e6).toFixed(1)} s recorded, ${pace}${args.loop ? ', looping' : ''}` +
      `\n  venues: ${script.venues.map((v) => `${v.venue} (${v.instruments.map((i) => i.symbol).join(', ')})`).join('; ')}` +
      `\n  relay ready: ${shown}\n  market data: ${shown.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n${login}`,
  );
  if (!args.loop) {
    void Promise.all(venues.map((v) => v.whenPassEnds())).then(() => console.log('  replay finished: serving the final books (halted); Ctrl-C to stop'));
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    relay.stop().then(() => process.exit(0), (err) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { readFileSync } from 'node:fs';
import { readRecording } from '@tickmesh/shared';
import { parseCli, usage } from './server/cli';
import { defaultRelayOptions } from './server/options';
import { serve } from './server/serve';
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
    console.log(REPLAY_USAGE + usage({ ...defaultRelayOptions, dataDir: '.tickmesh-replay' }).split('\n').slice(4).join('\n'));
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
  // Its own data directory by default: one relay per directory, and `npm start` may be running on .tickmesh.
  const cli = parseCli(args.relayArgs, process.env, { ...defaultRelayOptions, dataDir: '.tickmesh-replay' });
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
  const venues = replayVenues(script, { speed: args.speed, loop: args.loop });
  const pace = args.speed === 0 ? 'max speed' : `speed ${args.speed}×`;
  await serve(
    cli.options,
    venues,
    (url) =>
      `\n  Tickmesh replay of ${args.file}: ${script.bookFrames} book frames, ${(script.durationUs / 1e6).toFixed(1)} s recorded, ${pace}${args.loop ? ', looping' : ''}` +
      `\n  venues: ${script.venues.map((v) => `${v.venue} (${v.instruments.map((i) => i.symbol).join(', ')})`).join('; ')}` +
      `\n  relay ready: ${url}\n  market data: ${url.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n`,
  );
  if (!args.loop) {
    void Promise.all(venues.map((v) => v.whenPassEnds())).then(() => console.log('  replay finished: serving the final books (halted); Ctrl-C to stop'));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { readFileSync } from 'node:fs';
import { readRecording } from '@tickmesh/shared';
import { parseCli, usage } from './server/cli';
import { defaultRelayOptions } from './server/options';
import { serve } from './server/serve';
import { buildReplayScript, parseReplayArgs, playOnFirstSubscribe, replayVenues } from './venues/replay/index';

const REPLAY_USAGE = `Tickmesh replay: serves a market-data recording through the relay's /ws and /ws/json, as if live.

Usage: npm run replay -- FILE [--speed 1|10|100|max] [--loop] [--partial] [--start-now] [relay options]
                              (or: node relay/dist/replay.js FILE ...)

  --speed N     playback speed: 1 = recorded pace (default), 10, 100 …; max (or 0) = as fast as possible
  --loop        start over after the last frame
  --partial     play the intact frames of a truncated or corrupt file instead of refusing it
  --start-on-subscribe
                (default) playback starts when the first client subscribes to any replayed
                stream, so it sees the recording from its first frame; until then every
                stream is stale and empty
  --start-now   playback starts when the relay starts (clients connecting later join midway)

Only the instruments the recording has book frames for are served (and listed in the welcome).
Times: everything is on the replay's wall clock. Book updates and snapshots carry the relay's
flush time, as live; trade times are the recorded ones rebased onto it (playback start +
(recorded time - first recorded frame) / speed; at max speed, the time they are played).

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
    console.error(`replay: ${args.file} has no book frames of a listed instrument: nothing to serve`);
    process.exitCode = 2;
    return;
  }
  const venues = replayVenues(script, { speed: args.speed, loop: args.loop, waitForPlay: !args.startNow });
  const pace = args.speed === 0 ? 'max speed' : `speed ${args.speed}×`;
  const when = args.startNow ? 'playing now' : 'starts when the first client subscribes';
  const relay = await serve(
    cli.options,
    venues,
    (url) =>
      `\n  Tickmesh replay of ${args.file}: ${script.bookFrames} book frames, ${(script.durationUs / 1e6).toFixed(1)} s recorded, ${pace}${args.loop ? ', looping' : ''}; ${when}` +
      `\n  venues: ${script.venues.map((v) => `${v.venue} (${v.instruments.map((i) => i.symbol).join(', ')})`).join('; ')}` +
      (script.unrecorded.length > 0 ? `\n  not recorded, not served: ${script.unrecorded.map((i) => `${i.venue}:${i.symbol}`).join(', ')}` : '') +
      `\n  relay ready: ${url}\n  market data: ${url.replace('http', 'ws')}/ws (protobuf), /ws/json (legacy JSON)\n`,
  );
  // Wired before this turn of the event loop ends: no client can have subscribed yet.
  if (!args.startNow) playOnFirstSubscribe(relay.md, venues);
  if (!args.loop) {
    void Promise.all(venues.map((v) => v.whenPassEnds())).then(() => console.log('  replay finished: serving the final books (halted); Ctrl-C to stop'));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

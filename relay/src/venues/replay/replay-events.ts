import { decodeServer, type BookBatch, type BookSnapshot, type Instrument, type Recording } from '@tickmesh/shared';

/** One recorded book frame, decoded, addressed by the recorded instrument. */
export type ReplayEvent =
  | { kind: 'snapshot'; timeUs: number; symbol: string; msg: BookSnapshot }
  | { kind: 'batch'; timeUs: number; symbol: string; msg: BookBatch };

/** One recorded venue: its instruments as recorded and its book frames in receive order. */
export interface ReplayVenueScript {
  venue: string;
  instruments: Instrument[];
  events: ReplayEvent[];
}

/** A recording split by venue, ready to play. */
export interface ReplayScript {
  venues: ReplayVenueScript[];
  /** receiveTimeUs of the first book frame (0 when none): every venue's clock starts here. */
  startUs: number;
  /** receiveTimeUs of the last book frame minus startUs. */
  durationUs: number;
  /** Book frames played. */
  bookFrames: number;
  /** Frames not played: not book frames (welcome, subscribed …), undecodable, or of a stream not in the header. */
  skippedFrames: number;
  /**
   * Instruments of the header with no book frame (the recorded relay listed them, the recorder
   * did not subscribe to them): not served, so a replay lists only what it can play.
   */
  unrecorded: Instrument[];
}

/**
 * Decodes a recording's frames once, up front, so playback does no decoding. Instruments keep
 * the recorded venue and symbol; their stream ids are the recorded relay's and only map frames
 * here (the replaying relay assigns its own). Only instruments with at least one book frame
 * are kept (and venues with at least one such instrument): the header lists every instrument
 * the recorded relay offered, not only those recorded.
 */
export function buildReplayScript(recording: Recording): ReplayScript {
  const byStream = new Map<number, Instrument>();
  const venues = new Map<string, ReplayVenueScript>();
  for (const inst of recording.header.instruments) {
    byStream.set(inst.streamId, inst);
    let v = venues.get(inst.venue);
    if (!v) venues.set(inst.venue, (v = { venue: inst.venue, instruments: [], events: [] }));
    if (!v.instruments.some((i) => i.symbol === inst.symbol)) v.instruments.push({ ...inst, streamId: 0 });
  }
  let bookFrames = 0;
  let firstUs = 0;
  let lastUs = 0;
  let skippedFrames = 0;
  for (const f of recording.frames) {
    const r = decodeServer(f.frame);
    const m = r.ok ? r.value : undefined;
    const inst = m && (m.type === 'bookSnapshot' || m.type === 'bookBatch') ? byStream.get(m.streamId) : undefined;
    if (!m || !inst || (m.type !== 'bookSnapshot' && m.type !== 'bookBatch')) {
      skippedFrames++;
      continue;
    }
    const events = venues.get(inst.venue)!.events;
    if (m.type === 'bookSnapshot') events.push({ kind: 'snapshot', timeUs: f.receiveTimeUs, symbol: inst.symbol, msg: m });
    else events.push({ kind: 'batch', timeUs: f.receiveTimeUs, symbol: inst.symbol, msg: m });
    if (bookFrames++ === 0) firstUs = f.receiveTimeUs;
    lastUs = f.receiveTimeUs;
  }
  const unrecorded: Instrument[] = [];
  for (const v of venues.values()) {
    const played = new Set(v.events.map((e) => e.symbol));
    for (const i of v.instruments) if (!played.has(i.symbol)) unrecorded.push(i);
    v.instruments = v.instruments.filter((i) => played.has(i.symbol));
  }
  // The welcome and subscribe replies before the first book frame are not waited for.
  return { venues: [...venues.values()].filter((v) => v.instruments.length > 0), startUs: firstUs, durationUs: lastUs - firstUs, bookFrames, skippedFrames, unrecorded };
}

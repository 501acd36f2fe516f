import { describe, expect, it } from 'vitest';
import {
  bytesToMiB,
  clampRange,
  daysToMs,
  formatBytes,
  formatDurationUs,
  formatInt,
  formatRecordedTime,
  mibToBytes,
  msToDays,
  quotaFraction,
  rangeFraction,
  recordedSymbols,
  recordingFileName,
} from './replay-format';

describe('replay-format', () => {
  it('formats byte counts in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024)).toBe('200 KiB');
    expect(formatBytes(12.34 * 1024 * 1024)).toBe('12.3 MiB');
    expect(formatBytes(512 * 1024 * 1024)).toBe('512 MiB');
    expect(formatBytes(1.2 * 1024 ** 3)).toBe('1.20 GiB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10 GiB');
    expect(formatBytes(12.34 * 1024 ** 3)).toBe('12.3 GiB');
    expect(formatBytes(250.4 * 1024 ** 3)).toBe('250 GiB');
    expect(formatBytes(undefined)).toBe('–');
    expect(formatBytes(-1)).toBe('–');
  });

  it('names recorded streams by symbol with their venues', () => {
    const insts = [
      { streamId: 7, symbol: 'BTC-USD', venue: 'sim-a' },
      { streamId: 8, symbol: 'BTC-USD', venue: 'sim-b' },
      { streamId: 9, symbol: 'ETH-USD', venue: 'sim-a' },
    ];
    expect(recordedSymbols([9, 7, 8, 42], insts)).toEqual([
      { symbol: 'ETH-USD', venues: ['sim-a'] },
      { symbol: 'BTC-USD', venues: ['sim-a', 'sim-b'] },
      { symbol: '#42', venues: [] },
    ]);
    expect(recordedSymbols([], insts)).toEqual([]);
  });

  it('formats recorded µs as local time, optionally with date and ms', () => {
    const d = new Date(2026, 10, 25, 14, 3, 7, 250);
    const us = d.getTime() * 1000 + 999;
    expect(formatRecordedTime(us)).toBe('14:03:07');
    expect(formatRecordedTime(us, { ms: true })).toBe('14:03:07.250');
    expect(formatRecordedTime(us, { date: true })).toBe('2026-11-25 14:03:07');
    expect(formatRecordedTime(0)).toBe('–');
    expect(formatRecordedTime(Number.NaN)).toBe('–');
  });

  it('formats durations', () => {
    expect(formatDurationUs(0)).toBe('0 s');
    expect(formatDurationUs(850_000)).toBe('850 ms');
    expect(formatDurationUs(12_300_000)).toBe('12.3 s');
    expect(formatDurationUs(245_000_000)).toBe('4m 05s');
    expect(formatDurationUs((2 * 3600 + 7 * 60) * 1e6)).toBe('2h 07m');
    expect(formatDurationUs((3 * 86_400 + 4 * 3600) * 1e6)).toBe('3d 04h');
  });

  it('formats counts', () => {
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(formatInt(undefined)).toBe('–');
  });

  it('clamps a window into the recording and keeps it in order', () => {
    expect(clampRange(5, 50, 10, 100)).toEqual({ fromUs: 10, toUs: 50 });
    expect(clampRange(20, 500, 10, 100)).toEqual({ fromUs: 20, toUs: 100 });
    expect(clampRange(20.6, 30.2, 10, 100)).toEqual({ fromUs: 21, toUs: 30 });
    // dragging "from" past "to" pushes "to"; dragging "to" below "from" pulls "from"
    expect(clampRange(80, 40, 10, 100, 'from')).toEqual({ fromUs: 80, toUs: 80 });
    expect(clampRange(80, 40, 10, 100, 'to')).toEqual({ fromUs: 40, toUs: 40 });
    expect(clampRange(Number.NaN, Number.NaN, 10, 100)).toEqual({ fromUs: 10, toUs: 100 });
    // an empty recording (start = end = 0)
    expect(clampRange(5, 9, 0, 0)).toEqual({ fromUs: 0, toUs: 0 });
  });

  it('places a position within a window', () => {
    expect(rangeFraction(15, 10, 20)).toBe(0.5);
    expect(rangeFraction(5, 10, 20)).toBe(0);
    expect(rangeFraction(25, 10, 20)).toBe(1);
    expect(rangeFraction(10, 10, 10)).toBe(0);
  });

  it('computes the quota fraction only when known', () => {
    expect(quotaFraction(25, 100)).toBe(0.25);
    expect(quotaFraction(undefined, 100)).toBeUndefined();
    expect(quotaFraction(10, 0)).toBeUndefined();
    expect(quotaFraction(200, 100)).toBe(1);
  });

  it('makes file-safe .tmrec names', () => {
    expect(recordingFileName('BTC-USD 14:03', 3)).toBe('BTC-USD_14-03.tmrec');
    expect(recordingFileName('day1.tmrec', 3)).toBe('day1.tmrec');
    expect(recordingFileName('   ', 7)).toBe('recording-7.tmrec');
    expect(recordingFileName('a/b\\c', 1)).toBe('a-b-c.tmrec');
  });

  it('converts retention units both ways', () => {
    expect(bytesToMiB(512 * 1024 * 1024)).toBe(512);
    expect(mibToBytes(512)).toBe(512 * 1024 * 1024);
    expect(msToDays(7 * 86_400_000)).toBe(7);
    expect(daysToMs(0.5)).toBe(43_200_000);
  });
});

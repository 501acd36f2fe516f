import { describe, expect, it } from 'vitest';
import { hotkeyAction } from './hotkeys';

const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});
const free = { inTicket: false, typingText: false };

describe('hotkeys', () => {
  it('B and S pick the side unless the trader is typing text', () => {
    expect(hotkeyAction(key('b'), free)).toBe('buy');
    expect(hotkeyAction(key('S'), free)).toBe('sell');
    expect(hotkeyAction(key('b'), { inTicket: false, typingText: true })).toBeNull();
    expect(hotkeyAction(key('s'), { inTicket: true, typingText: false })).toBe('sell');
  });

  it('Enter submits only from the ticket', () => {
    expect(hotkeyAction(key('Enter'), { inTicket: true, typingText: false })).toBe('submit');
    expect(hotkeyAction(key('Enter'), free)).toBeNull();
  });

  it('Shift+C cancels all; Esc blurs; browser shortcuts pass through', () => {
    expect(hotkeyAction(key('C', { shiftKey: true }), free)).toBe('cancel-all');
    expect(hotkeyAction(key('c'), free)).toBeNull();
    expect(hotkeyAction(key('Escape'), { inTicket: false, typingText: true })).toBe('blur');
    expect(hotkeyAction(key('s', { ctrlKey: true }), free)).toBeNull();
    expect(hotkeyAction(key('b', { metaKey: true }), free)).toBeNull();
  });
});

/**
 * Digit conversion between Latin (0-9), Persian (۰-۹, U+06F0..U+06F9) and
 * Arabic-Indic (٠-٩, U+0660..U+0669) digits.
 *
 * Iranian users type with Persian keyboards, and copy-paste from Arabic
 * sources, so every numeric input we accept must be normalised before it is
 * parsed. Only the digits are touched: the caller decides what the other
 * characters mean.
 */

const PERSIAN_ZERO = 0x06f0;
const ARABIC_INDIC_ZERO = 0x0660;

/** Replaces Persian and Arabic-Indic digits with Latin digits; everything else is kept. */
export function toLatinDigits(s: string): string {
  return s.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (ch) => {
    const code = ch.charCodeAt(0);
    const zero = code >= PERSIAN_ZERO ? PERSIAN_ZERO : ARABIC_INDIC_ZERO;
    return String.fromCharCode(0x30 + code - zero);
  });
}

/**
 * Replaces Latin and Arabic-Indic digits with Persian digits; everything else is kept.
 * Arabic-Indic digits are converted too because ٤٥٦ look different from ۴۵۶ and
 * mixing the two in one Persian string reads as a typo.
 */
export function toPersianDigits(s: string): string {
  return s.replace(/[0-9\u0660-\u0669]/g, (ch) => {
    const code = ch.charCodeAt(0);
    const offset = code >= ARABIC_INDIC_ZERO ? code - ARABIC_INDIC_ZERO : code - 0x30;
    return String.fromCharCode(PERSIAN_ZERO + offset);
  });
}

/**
 * `text` safe to print on a terminal: control characters (C0 other than the newline, DEL and
 * C1, which include ESC and CSI) are written as `\xHH` / `\u{...}` escapes, so a file name
 * holding terminal escape codes is shown, never obeyed.
 * @param keepNewlines keep `\n` as is (whole messages); off for single names
 */
export function shown(text: string, keepNewlines = false): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => {
    if (keepNewlines && character === '\n') return character;
    const code = character.charCodeAt(0);
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

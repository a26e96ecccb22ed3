/** Escape sequences in text (built from a string: a regex literal may not hold control characters). */
const ESC = String.fromCharCode(27);
export const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g');
/** A foreground colour code. */
export const COLOUR = new RegExp(`${ESC}\\[3\\dm`);

// A middle form of src/ascii.ts's asciiString, kept to be timed against it
// (node bench/ascii.mjs --against bench/ascii-forms/pow2.mjs): one loop that
// checks the bytes, then n as a sum of 16, 8, 4, 2 and 1 (32 on its own),
// one String.fromCharCode call of exactly that many arguments per part, the
// parts concatenated. Same results, same RangeError; a string of 13 or more
// characters from two or more parts is a cons string, not a flat one.
export const MAX_ASCII_STRING = 32;
const f = String.fromCharCode;
export function asciiString(b, s, n) {
  if (!(n >= 1 && n <= MAX_ASCII_STRING && n === Math.floor(n)))
    throw new RangeError(`asciiString: length ${n} is outside 1..${MAX_ASCII_STRING}`);
  let bits = 0;
  for (let i = s; i < s + n; i++) bits |= b[i];
  if (bits >= 0x80) return undefined;
  if (n === 32) {
    const i = s;
    return f(
      b[i],
      b[i + 1],
      b[i + 2],
      b[i + 3],
      b[i + 4],
      b[i + 5],
      b[i + 6],
      b[i + 7],
      b[i + 8],
      b[i + 9],
      b[i + 10],
      b[i + 11],
      b[i + 12],
      b[i + 13],
      b[i + 14],
      b[i + 15],
      b[i + 16],
      b[i + 17],
      b[i + 18],
      b[i + 19],
      b[i + 20],
      b[i + 21],
      b[i + 22],
      b[i + 23],
      b[i + 24],
      b[i + 25],
      b[i + 26],
      b[i + 27],
      b[i + 28],
      b[i + 29],
      b[i + 30],
      b[i + 31],
    );
  }
  let out = "";
  let i = s;
  if (n & 16) {
    out += f(
      b[i],
      b[i + 1],
      b[i + 2],
      b[i + 3],
      b[i + 4],
      b[i + 5],
      b[i + 6],
      b[i + 7],
      b[i + 8],
      b[i + 9],
      b[i + 10],
      b[i + 11],
      b[i + 12],
      b[i + 13],
      b[i + 14],
      b[i + 15],
    );
    i += 16;
  }
  if (n & 8) {
    out += f(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7]);
    i += 8;
  }
  if (n & 4) {
    out += f(b[i], b[i + 1], b[i + 2], b[i + 3]);
    i += 4;
  }
  if (n & 2) {
    out += f(b[i], b[i + 1]);
    i += 2;
  }
  if (n & 1) out += f(b[i]);
  return out;
}

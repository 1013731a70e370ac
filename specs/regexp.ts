/** One regular expression from pieces (each a RegExp literal, so escapes read as in one): keeps long expected lines under 160 characters. */
export function joined(...parts: RegExp[]): RegExp {
  return new RegExp(parts.map((p) => p.source).join(''));
}

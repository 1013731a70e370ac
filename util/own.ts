/** Name lookups that only see own properties: `constructor`, `__proto__` or `toString` are not presets. */
export function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

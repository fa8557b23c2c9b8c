// Facts computed from a fixed object (an op of the op table, an attribute spec),
// made at their first use and kept for as long as the object lives.

/** `compute` of each key, once: later calls with the same key return the same value. */
export function oncePer<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const kept = new WeakMap<K, V>();
  return (key) => {
    let value = kept.get(key);
    if (value === undefined && !kept.has(key)) kept.set(key, (value = compute(key)));
    return value as V;
  };
}

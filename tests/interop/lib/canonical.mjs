// Avro "Parsing Canonical Form" (specification, "Transforming into Parsing Canonical Form"), written from the
// rules rather than taken from avsc, so the two can check each other (see selftest):
//   PRIMITIVES  {"type":"int"} becomes "int"; this also applies once STRIP has removed e.g. logicalType.
//   FULLNAMES   names become full names (namespace rules: dotted name, else "namespace", else the enclosing one).
//   STRIP       keep only type, name, fields, symbols, items, values, size.
//   ORDER       name, type, fields, symbols, items, values, size.
//   STRINGS     JSON.stringify writes non-ASCII characters as themselves (UTF-8 once encoded).
//   INTEGERS    sizes are numbers, written without leading zeros.
//   WHITESPACE  none.
// A named type seen a second time is written as its full name.

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

function fullName(name, namespace) {
  if (name.includes('.')) return name;
  return namespace ? `${namespace}.${name}` : name;
}

function namespaceOf(full) {
  const i = full.lastIndexOf('.');
  return i < 0 ? '' : full.slice(0, i);
}

/**
 * Converts a parsed schema (JSON value) into its Parsing Canonical Form, as a JS value ready for JSON.stringify.
 * @param {unknown} schema
 */
export function toCanonical(schema) {
  const seen = new Set();

  function walk(s, enclosingNs) {
    if (typeof s === 'string') {
      if (PRIMITIVES.has(s)) return s;
      return fullName(s, enclosingNs);
    }
    if (Array.isArray(s)) return s.map((b) => walk(b, enclosingNs));
    if (s === null || typeof s !== 'object') throw new Error(`schema node of unexpected kind ${typeof s}`);

    const type = s.type;
    if (typeof type !== 'string') {
      // {"type": {...}} or {"type": [...]}: a wrapper around a nested schema.
      return walk(type, enclosingNs);
    }
    if (PRIMITIVES.has(type)) return type;

    switch (type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed': {
        const name = fullName(s.name, s.namespace ?? enclosingNs);
        if (seen.has(name)) return name;
        seen.add(name);
        const ns = namespaceOf(name);
        const out = { name, type };
        if (type === 'record' || type === 'error') {
          out.fields = s.fields.map((f) => ({ name: f.name, type: walk(f.type, ns) }));
        } else if (type === 'enum') {
          out.symbols = [...s.symbols];
        } else {
          out.size = Number(s.size);
        }
        return out;
      }
      case 'array':
        return { type, items: walk(s.items, enclosingNs) };
      case 'map':
        return { type, values: walk(s.values, enclosingNs) };
      default:
        // A reference to a named type spelled as {"type": "Name"}.
        return fullName(type, enclosingNs);
    }
  }

  return walk(schema, '');
}

/** The canonical form as the exact JSON text the fingerprint is taken over. */
export function canonicalJson(schema) {
  return JSON.stringify(toCanonical(schema));
}

/**
 * Plain-scalar typing of the YAML 1.2 core schema, exactly as the `yaml` package resolves it
 * (and as client-node's loadAllYaml does), so that the fast scanner and a full parse agree on
 * whether `replicas: 2` is a number and `tag: "2"` a string.
 */
export function resolvePlain(source: string): string | number | boolean | null {
  if (source === '' || source === '~' || source === 'null' || source === 'Null' || source === 'NULL') {
    return null;
  }
  const c = source.charCodeAt(0);
  // Only strings starting with a digit, sign, dot or t/f/T/F can be anything but a string.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 116 || c === 102 || c === 84 || c === 70)) {
    return source;
  }
  if (/^(?:[Tt]rue|TRUE)$/.test(source)) {
    return true;
  }
  if (/^(?:[Ff]alse|FALSE)$/.test(source)) {
    return false;
  }
  if (/^[-+]?[0-9]+$/.test(source)) {
    return Number.parseInt(source, 10);
  }
  if (/^0o[0-7]+$/.test(source)) {
    return Number.parseInt(source.slice(2), 8);
  }
  if (/^0x[0-9a-fA-F]+$/.test(source)) {
    return Number.parseInt(source.slice(2), 16);
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) {
    return Number.parseFloat(source);
  }
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(source)) {
    return source.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^\.(?:nan|NaN|NAN)$/.test(source)) {
    return Number.NaN;
  }
  return source;
}

/** Would this string, written plain, read back as the same string? (Used when writing tags.) */
export function isSafePlainString(value: string): boolean {
  if (value === '' || resolvePlain(value) !== value) {
    return false;
  }
  if (/^[-?:,[\]{}#&*!|>'"%@`\s]/.test(value) || /\s$/.test(value)) {
    return false;
  }
  return !/: |:$| #|[\t\r\n]/.test(value);
}

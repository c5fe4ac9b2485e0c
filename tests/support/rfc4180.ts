/**
 * A tiny, strict RFC 4180 reader for tests: the second, independent parser the CSV
 * exports are checked with (papaparse being the first). Strict on purpose: records end
 * in CRLF, a quote may only open a field or be doubled inside a quoted one, a closing
 * quote must be followed by a comma or the end of the record, and every record has
 * the same number of fields. Anything else throws, naming the offset.
 */
export function parseRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  const n = text.length;
  let record: string[] = [];
  const fail = (why: string): never => {
    throw new Error(`RFC 4180 violation at offset ${i}: ${why} (near ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))})`);
  };
  while (i < n) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) fail("unterminated quoted field");
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      if (i < n && text[i] !== "," && !(text[i] === "\r" && text[i + 1] === "\n")) fail("text after a closing quote");
    } else {
      while (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') fail("quote inside an unquoted field");
        field += text[i];
        i++;
      }
      if (text[i] === "\n" || (text[i] === "\r" && text[i + 1] !== "\n")) fail("bare CR or LF outside quotes");
    }
    record.push(field);
    if (i >= n) fail("the last record does not end with CRLF");
    if (text[i] === ",") {
      i++;
      if (i >= n) fail("the file ends after a comma");
      continue;
    }
    // CRLF
    i += 2;
    records.push(record);
    record = [];
  }
  const width = records[0]?.length ?? 0;
  records.forEach((r, k) => {
    if (r.length !== width) throw new Error(`record ${k + 1} has ${r.length} fields, the header has ${width}`);
  });
  return records;
}

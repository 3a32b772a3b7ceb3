// A slice of a bulk JSONL file as whole records: Shopify writes each node on its own line
// and a nested connection's nodes after their parent, with `__parentId`. A slice may end
// between a parent and its children, so only parents followed by another parent (or the
// end of the file) are complete; the slice's resume offset is the start of the first
// incomplete one, and the checkpoint stores that.
export type BulkLine = Record<string, unknown> & { id?: string; __parentId?: string };
/** `start`: the byte offset of the parent's line (where to resume to read it again). */
export type BulkRecord = { parent: BulkLine; children: BulkLine[]; start: number };

export class BulkFileError extends Error {}

/** The records of `lines` (read from byte `offset`) and where the next slice starts. */
export function groupLines(lines: string[], offset: number, eof: boolean): { records: BulkRecord[]; resumeOffset: number } {
  const records: BulkRecord[] = [];
  let position = offset;
  let current: { record: BulkRecord; start: number } | undefined;
  for (const text of lines) {
    const start = position;
    position += Buffer.byteLength(text, "utf8") + 1;
    let line: BulkLine;
    try {
      line = JSON.parse(text) as BulkLine;
    } catch {
      throw new BulkFileError(`bulk result line at byte ${start} is not JSON`);
    }
    if (line.__parentId === undefined) {
      if (current) records.push(current.record);
      current = { record: { parent: line, children: [], start }, start };
      continue;
    }
    if (!current) {
      // A child at the very start of a slice: the slice started inside a record.
      throw new BulkFileError(`bulk result line at byte ${start} has a parent before the slice`);
    }
    if (line.__parentId !== current.record.parent.id) throw new BulkFileError(`bulk result line at byte ${start} does not follow its parent`);
    current.record.children.push(line);
  }
  if (current && eof) return { records: [...records, current.record], resumeOffset: position };
  return { records, resumeOffset: current ? current.start : position };
}

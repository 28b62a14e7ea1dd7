/** A line longer than this is passed on in pieces rather than held in memory whole. */
export const MAX_LINE_CHARS = 4 * 1024 * 1024;

/**
 * Cuts a byte stream into lines: UTF-8 characters split across chunks are put back together,
 * `\r\n` counts as one break, and a last line without a break is passed on at the end.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Uint8Array): void {
    this.pending += this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = this.pending.indexOf('\n'); end !== -1; end = this.pending.indexOf('\n', start)) {
      this.emit(this.pending.slice(start, end));
      start = end + 1;
    }
    this.pending = this.pending.slice(start);
    while (this.pending.length > MAX_LINE_CHARS) {
      this.onLine(this.pending.slice(0, MAX_LINE_CHARS));
      this.pending = this.pending.slice(MAX_LINE_CHARS);
    }
  }

  end(): void {
    this.pending += this.decoder.decode();
    if (this.pending !== '') this.emit(this.pending);
    this.pending = '';
  }

  private emit(line: string): void {
    this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

/** The last `maxChars` characters of an output stream. */
export class OutputTail {
  private text = '';

  constructor(private readonly maxChars: number) {}

  append(piece: string): void {
    this.text += piece;
    // Trimmed in batches, not on every append, so a chatty stream costs no quadratic copying.
    if (this.text.length > this.maxChars * 2) this.text = this.text.slice(-this.maxChars);
  }

  value(): string {
    return this.text.length > this.maxChars ? this.text.slice(-this.maxChars) : this.text;
  }
}

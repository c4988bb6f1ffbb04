/**
 * The progress line: rewritten in place on a terminal, one plain line every few seconds otherwise
 * (CI logs, pipes).
 */
export interface ProgressOutput {
  readonly write: (text: string) => void;
  readonly isTty: boolean;
  readonly enabled: boolean;
}

const PLAIN_EVERY_MS = 5_000;

export class ProgressLine {
  private lastPlain = 0;
  private shown = false;

  constructor(private readonly out: ProgressOutput) {}

  update(text: string): void {
    if (!this.out.enabled) return;
    if (this.out.isTty) {
      const width = process.stdout.columns > 20 ? process.stdout.columns - 1 : 119;
      this.out.write(`\r\x1b[2K${text.slice(0, width)}`);
      this.shown = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = now;
      this.out.write(`${text}\n`);
    }
  }

  /** Ends the in-place line (so the next output starts on a fresh line). */
  done(): void {
    if (this.shown) this.out.write('\n');
    this.shown = false;
    this.lastPlain = 0;
  }
}

// Collects every figure, ratio and note of a run: printed as they come (text), or kept for one
// JSON document at the end (--json). Goals are printed beside ratios; nothing here passes or fails.

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** CPU time per operation (µs), when it was measured. */
  cpuUsPerOp?: number;
  /** e.g. '< 2000' (in the figure's unit) */
  goal?: string;
}

export interface Ratio {
  name: string;
  value: number;
  /** e.g. '>= 0.5' or '<= 1.2' */
  goal?: string;
}

export interface SectionResult {
  title: string;
  figures: Figure[];
  ratios: Ratio[];
  notes: string[];
  skipped?: string;
}

const fmt = (v: number): string =>
  !Number.isFinite(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3);

export class Report {
  readonly sections: Record<string, SectionResult> = {};
  private current?: SectionResult;

  constructor(private readonly json: boolean) {}

  /** Progress and text output: stdout in text mode, stderr under --json so stdout stays one document. */
  private out(line: string): void {
    (this.json ? process.stderr : process.stdout).write(`${line}\n`);
  }

  section(id: string, title: string): void {
    this.current = this.sections[id] = { title, figures: [], ratios: [], notes: [] };
    this.out(`\n== ${title}`);
  }

  private get s(): SectionResult {
    if (!this.current) throw new Error('no section open');
    return this.current;
  }

  figure(name: string, value: number, unit: string, cpuUsPerOp?: number, goal?: string): number {
    this.s.figures.push({ name, value, unit, cpuUsPerOp, goal });
    const cpu = cpuUsPerOp === undefined ? '' : `   cpu ${fmt(cpuUsPerOp).padStart(7)} µs/op`;
    this.out(`  ${name.padEnd(66)} ${fmt(value).padStart(9)} ${unit}${cpu}${goal ? `   (goal ${goal} ${unit})` : ''}`);
    return value;
  }

  ratio(name: string, value: number, goal?: string): void {
    this.s.ratios.push({ name, value, goal });
    this.out(`  ratio ${name.padEnd(60)} ${value.toFixed(2).padStart(9)}x${goal ? `   (goal ${goal})` : ''}`);
  }

  note(text: string): void {
    this.s.notes.push(text);
    this.out(`  note: ${text}`);
  }

  skip(reason: string): void {
    this.s.skipped = reason;
    this.out(`  skipped: ${reason}`);
  }

  /** Everything, for --json. */
  document(meta: Record<string, unknown>): string {
    return JSON.stringify({ ...meta, sections: this.sections }, null, 2);
  }
}

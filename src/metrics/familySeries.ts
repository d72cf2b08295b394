import type { Emit, Labels } from './family.js';
import { formatLabels } from './sampleText.js';

const INITIAL_SERIES = 1024;

/**
 * The series of one family as prom-client would hold them: one per label set, in first-emitted order. One
 * instance serves family after family, rendering after rendering, its arrays kept: a family of the wide fleet
 * holds tens of thousands of series, and a key string and map entry per series made much of a rendering's garbage.
 * Label sets are found again by a hash of their names and values, in an open-addressing table of series numbers.
 */
export class FamilySeries {
  private count = 0;
  private counter = false;
  private labels: (Labels | undefined)[] = [];
  /** The last label of each series when emitted apart from the others (see Emit). */
  private lastLabels: (string | undefined)[] = [];
  private lastLabelValues: (string | undefined)[] = [];
  private values = new Float64Array(INITIAL_SERIES);
  private hashes = new Int32Array(INITIAL_SERIES);
  /** Series number + 1 at a slot found from its hash; 0 for a free slot. At most half full. */
  private slots = new Int32Array(2 * INITIAL_SERIES);

  /** Starts over for the next family. */
  reset(counter: boolean): void {
    this.count = 0;
    this.counter = counter;
    this.slots.fill(0);
  }

  /** Lets go of every label set, so that a kept instance holds on to no snapshot's. */
  clear(): void {
    this.count = 0;
    this.labels.fill(undefined);
    this.lastLabels.fill(undefined);
    this.lastLabelValues.fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  labelsAt(series: number): Labels {
    return this.labels[series] ?? {};
  }

  lastLabelAt(series: number): string | undefined {
    return this.lastLabels[series];
  }

  lastLabelValueAt(series: number): string | undefined {
    return this.lastLabelValues[series];
  }

  valueAt(series: number): number {
    return this.values[series] ?? 0;
  }

  /** A gauge's later value for the same labels replaces the earlier; a counter's adds to it. */
  readonly emit: Emit = (labels, value, label, labelValue) => {
    // prom-client refuses to decrease a counter; such a sample is dropped rather than failing the whole exposition.
    if (this.counter && !(value >= 0 && Number.isFinite(value))) return;
    const hash = hashLabels(labels, label, labelValue);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let found = this.slots[slot] ?? 0; found !== 0; found = this.slots[slot] ?? 0) {
      const series = found - 1;
      if (this.hashes[series] === hash && this.labelsAre(series, labels, label, labelValue)) {
        this.values[series] = this.counter ? (this.values[series] ?? 0) + value : value;
        return;
      }
      slot = (slot + 1) & mask;
    }
    this.add(slot, hash, labels, label, labelValue, value);
  };

  /** Whether a series' labels are written the same (names and values, in order): rare, so made simple. */
  private labelsAre(series: number, labels: Labels, label: string | undefined, labelValue: string | undefined): boolean {
    const known = this.labels[series];
    return known !== undefined && formatLabels(known, this.lastLabels[series], this.lastLabelValues[series]) === formatLabels(labels, label, labelValue);
  }

  private add(slot: number, hash: number, labels: Labels, label: string | undefined, labelValue: string | undefined, value: number): void {
    if (this.count === this.values.length) this.grow();
    const series = this.count++;
    this.labels[series] = labels;
    this.lastLabels[series] = label;
    this.lastLabelValues[series] = labelValue;
    this.values[series] = value;
    this.hashes[series] = hash;
    if (2 * this.count > this.slots.length) this.rehash();
    else this.slots[slot] = series + 1;
  }

  private grow(): void {
    const values = new Float64Array(2 * this.values.length);
    values.set(this.values);
    this.values = values;
    const hashes = new Int32Array(2 * this.hashes.length);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }

  /** Doubles the table and places every series again (the newest included). */
  private rehash(): void {
    this.slots = new Int32Array(2 * this.slots.length);
    const mask = this.slots.length - 1;
    for (let series = 0; series < this.count; series++) {
      let slot = (this.hashes[series] ?? 0) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = series + 1;
    }
  }
}

/** FNV-1a over the label names and values in their order, each followed by a separator (`a`,`bc` is not `ab`,`c`). */
function hashLabels(labels: Labels, label: string | undefined, labelValue: string | undefined): number {
  let hash = 0x811c9dc5;
  for (const name in labels) hash = hashString(hashString(hash, name), labels[name] ?? '');
  return label === undefined ? hash : hashString(hashString(hash, label), labelValue ?? '');
}

function hashString(seed: number, text: string): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(hash ^ 0xffff, 0x01000193);
}

// The clock every emulator's asynchronous transitions run on (VM states, vCenter tasks, ARM and
// GCE operations). Real time by default; tests hold it so a transitional state stays put while
// they act, and advance it when they want the next step — instead of racing real timers.

/** The test hook each emulator exposes as `RunningEmulator.clock`. */
export interface TransitionClock {
  /** Freeze: nothing transitional progresses until `advance` or `release`. */
  hold(): void;
  /** Move the clock forward (held or not); transitions due by then happen on the next request. */
  advance(ms: number): void;
  /** Run in real time again, continuing from the held instant (never backwards). */
  release(): void;
}

export class EmulatorClock implements TransitionClock {
  private offsetMs = 0;
  private heldAt: number | undefined;

  now(): number {
    return this.heldAt ?? Date.now() + this.offsetMs;
  }

  get held(): boolean {
    return this.heldAt !== undefined;
  }

  hold(): void {
    this.heldAt ??= this.now();
  }

  advance(ms: number): void {
    if (this.heldAt === undefined) this.offsetMs += ms;
    else this.heldAt += ms;
  }

  release(): void {
    if (this.heldAt === undefined) return;
    this.offsetMs = this.heldAt - Date.now();
    this.heldAt = undefined;
  }
}

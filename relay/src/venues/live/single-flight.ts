/**
 * One pass at a time (a venue's reconciliation): a request while a pass runs does not start a
 * second one beside it, but asks for exactly one more pass after it, since the running pass
 * may have read the venue before what the request is about happened.
 */
export class SingleFlight {
  private running = false;
  private again = false;

  constructor(private readonly pass: () => Promise<void>) {}

  /** A pass is running now. */
  get busy(): boolean {
    return this.running;
  }

  /**
   * Runs passes until none is asked for. True when this call ran them (and they all
   * succeeded); false when one was running and this call only asked for another. A failing
   * pass rejects the call that ran it, and the passes asked for meanwhile are dropped.
   */
  async run(): Promise<boolean> {
    if (this.running) {
      this.again = true;
      return false;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.pass();
      } while (this.again);
      return true;
    } finally {
      this.running = false;
    }
  }
}

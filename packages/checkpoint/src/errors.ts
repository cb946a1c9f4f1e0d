/** A checkpoint that cannot be read; the message starts with the file (or entry) at fault. */
export class CheckpointError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'CheckpointError';
  }
}

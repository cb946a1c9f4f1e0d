/** A generator or builder option that cannot be met (givens for the board size, maze size...). */
export class PuzzleOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PuzzleOptionError';
  }
}

// generate-maze 1.1.0 ships types, but its package.json "exports" does not point at them.
declare module 'generate-maze' {
  interface Room {
    x: number;
    y: number;
    top: boolean;
    left: boolean;
    bottom: boolean;
    right: boolean;
    set: number;
  }
  export default function generate(
    width?: number,
    height?: number,
    closed?: boolean,
    seed?: number,
  ): Room[][];
}

// Child process for the SIGKILL test: writes checkpoints forever, each file filled with
// its step number, until killed.
import { writeCheckpointDir } from '../src/checkpoint-files.js';

const root = process.argv[2];
const size = 4 << 20;
for (let step = 1; ; step++) {
  const fill = (salt: number) => new Uint8Array(size).fill((step * 7 + salt) & 255);
  writeCheckpointDir(
    root,
    step,
    {
      'model.safetensors': fill(0),
      'state.safetensors': fill(1),
      'state.json': JSON.stringify({ step }),
    },
    2,
  );
  if (step === 1) process.stdout.write('ready\n');
}

// Attack: Node's heap is capped (--max-old-space-size), but Buffers live outside the heap: take memory
// with them, filled with ones so that every page is really touched (zeros may stay unmapped).
const LIMIT_MB = Number("{{MEMORY_MB}}");
const held = [];
let total = 0;
try {
  while (total < 1024) {
    held.push(Buffer.alloc(32 * 2 ** 20, 1));
    total += 32;
  }
} finally {
  console.log(`held ${total} MB`);
  if (total > LIMIT_MB * 1.25) console.log(`BREACH: held ${total} MB with a memory limit of ${LIMIT_MB} MB`);
}

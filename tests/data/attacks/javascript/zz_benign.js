// A well-behaved program that runs after the attack in the same job.
const squares = Array.from({ length: 10 }, (_, n) => n * n);
console.log(`sum of squares: ${squares.reduce((a, b) => a + b, 0)}`);

const prices = await Promise.all([10, 20, 30].map(async (p) => p));
console.log(`total ${prices.reduce((a, b) => a + b, 0)}`);

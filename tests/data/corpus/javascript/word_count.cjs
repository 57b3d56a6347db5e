const { EOL } = require("os");

const text = "the cat and the dog and the bird";
const counts = {};
for (const word of text.split(" ")) counts[word] = (counts[word] || 0) + 1;
const lines = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([w, c]) => `${w}: ${c}`);
process.stdout.write(lines.join(EOL) + EOL);

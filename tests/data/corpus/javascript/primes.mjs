import _ from "lodash";

function isPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

const primes = _.take(_.range(2, 100).filter(isPrime), 10);
console.log(`first 10 primes: ${primes.join(", ")}`);

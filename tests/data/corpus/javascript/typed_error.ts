type Point = { x: number; y: number };

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

const points: Point[] = [{ x: 0, y: 0 }];
console.log(distance(points[0], points[1]));

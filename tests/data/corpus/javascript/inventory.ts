interface Item {
  name: string;
  quantity: number;
  price: number;
}

const stock: Item[] = [
  { name: "pencil", quantity: 120, price: 0.5 },
  { name: "notebook", quantity: 40, price: 2.25 },
  { name: "stapler", quantity: 5, price: 7.0 },
];

function value(items: Item[]): number {
  return items.reduce((sum: number, item: Item) => sum + item.quantity * item.price, 0);
}

const low: string[] = stock.filter((i) => i.quantity < 10).map((i) => i.name);
console.log(`stock value: ${value(stock).toFixed(2)}`);
console.log(`low stock: ${low.join(", ")}`);

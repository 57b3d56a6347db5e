const config = JSON.parse("{ name: 'demo' }");
console.log(config.name);

// A CommonJS application: requires every package named on the command line (Node >= 20.19 loads
// their ES modules through require(esm)) and prints the names each one exports, as JSON.
const exported = {};
for (const name of process.argv.slice(2)) exported[name] = Object.keys(require(name)).sort();
console.log(JSON.stringify(exported));

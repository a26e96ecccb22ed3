// An ES module application: imports every package named on the command line and prints the
// names each one exports, as JSON.
const exported = {};
for (const name of process.argv.slice(2)) exported[name] = Object.keys(await import(name)).sort();
console.log(JSON.stringify(exported));

// The Enterprise plugin (examples/label-studio-enterprise/concordant-plugin.js) under Node,
// with stand-ins for Label Studio's LSI and Htx and the real `concordant serve` given on the
// command line: an annotation with a box past the image is blocked, shown and selected; the
// fixed one saves; a server that cannot be reached lets the save go on.
// Usage: node plugin.test.mjs <validate URL> <token>
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const [url, token] = process.argv.slice(2);
const source = readFileSync(new URL("../../examples/label-studio-enterprise/concordant-plugin.js", import.meta.url), "utf8")
  .replace(/const CONCORDANT_URL = .*;/, `const CONCORDANT_URL = ${JSON.stringify(url)};`)
  .replace(/const CONCORDANT_TOKEN = .*;/, `const CONCORDANT_TOKEN = ${JSON.stringify(token)};`);

function box(id, x) {
  return { id, type: "rectanglelabels", from_name: "label", to_name: "image", original_width: 640,
    original_height: 480, value: { x, y: 10, width: 20, height: 20, rectanglelabels: ["Car"] } };
}

/** Loads the plugin with stand-ins; gives the handler it registered and what it showed. */
function load(fetchImpl) {
  const shown = [];
  let handler;
  const LSI = { task: { id: 7, data: { image: "/data/a.jpg" } }, on: (event, fn) => { assert.equal(event, "beforeSaveAnnotation"); handler = fn; } };
  const Htx = { showModal: (text, kind) => shown.push({ text, kind }) };
  new Function("LSI", "Htx", "fetch", source)(LSI, Htx, fetchImpl);
  return { handler: (annotation) => handler({}, annotation), shown };
}

function annotation(x) {
  const selected = [];
  const result = [box("inside", 10), box("outside", x)];
  return { pk: 1, serializeAnnotation: () => result, regions: result.map((r) => ({ cleanId: r.id })),
    selectArea: (r) => selected.push(r.cleanId), selected };
}

const plugin = load(fetch);
const broken = annotation(90);
assert.equal(await plugin.handler(broken), false, "an error blocks the save");
assert.equal(plugin.shown.length, 1);
assert.equal(plugin.shown[0].kind, "error");
assert.match(plugin.shown[0].text, /error: box-inside-image: .*reaches past the image/);
assert.deepEqual(broken.selected, ["outside"]);

const fixed = annotation(60);
assert.equal(await plugin.handler(fixed), true, "the fixed annotation saves");
assert.equal(plugin.shown.length, 1, "nothing more is shown");

const down = load(async () => { throw new Error("connection refused"); });
assert.equal(await down.handler(annotation(90)), true, "a server that is down does not stop the save");
console.log("the Enterprise plugin blocks, shows and selects; saves when fixed; saves when the server is down");

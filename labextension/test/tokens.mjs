// Tokenizes .vpc files with the extension's tokenizer, as CodeMirror would
// (line by line, state carried over), and prints the tokens as JSON:
// {"FILE": [[line, from, to, category], ...]}. tests/test_highlight.py compares
// them with the Pygments lexer's.
//
//   node test/tokens.mjs FILE...

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTokenizer } from '../src/tokenizer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const vocabulary = JSON.parse(readFileSync(join(here, '..', 'src', 'vocabulary.json'), 'utf8'));

// The part of CodeMirror's StringStream the tokenizer uses.
class LineStream {
  constructor(string) { this.string = string; this.pos = 0; this.start = 0; }
  sol() { return this.pos === 0; }
  eol() { return this.pos >= this.string.length; }
  next() { return this.pos < this.string.length ? this.string.charAt(this.pos++) : undefined; }
  match(pattern) {
    const found = this.string.slice(this.pos).match(pattern);
    if (!found || found.index > 0) return null;
    this.pos += found[0].length;
    return found;
  }
}

const { startState, token } = makeTokenizer(vocabulary);
const out = {};
for (const file of process.argv.slice(2)) {
  const state = startState();
  const tokens = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, index) => {
    const stream = new LineStream(text);
    while (!stream.eol()) {
      stream.start = stream.pos;
      const category = token(stream, state);
      if (stream.pos === stream.start) throw new Error(`no progress at ${file}:${index + 1}:${stream.pos + 1}`);
      if (category) tokens.push([index + 1, stream.start, stream.pos, category]);
    }
  });
  out[file] = tokens;
}
process.stdout.write(JSON.stringify(out) + '\n');

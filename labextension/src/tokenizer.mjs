// The .vpc tokenizer for CodeMirror 6's StreamLanguage: the same ordered rules
// as vpcdsl's Pygments lexer (vocabulary.json is generated from
// vpcdsl/views/highlight.py), so the editor and exported HTML agree.
//
// Needs nothing but a stream with CodeMirror's StringStream interface (sol,
// match), so tests run it in plain Node (test/tokens.mjs).

/** A tokenizer over `vocabulary`: `{startState, token, copyState}` for StreamLanguage. */
export function makeTokenizer(vocabulary) {
  // StringStream.match(regexp) matches against the rest of the line and accepts
  // only a match at its start; anchoring keeps the search from running ahead.
  const anchored = (pattern) => new RegExp('^(?:' + pattern + ')');
  const rules = vocabulary.rules.map(([category, pattern, atStart, follow]) => ({
    category, re: anchored(pattern), atStart, follow,
  }));
  const follows = Object.fromEntries(Object.entries(vocabulary.follows).map(
    ([mode, [category, pattern]]) => [mode, { category, re: anchored(pattern) }]));
  const toStart = new Set(vocabulary.toStart);
  const stays = new Set(vocabulary.stays);
  const blank = anchored('[ \\t\\r]+');

  // mode: 'start' (a statement's first token comes next), 'rest', or a key of
  // `follows` (what the next word is after a declaration or open-vocabulary keyword).
  function token(stream, state) {
    if (stream.sol()) state.mode = 'start';  // a line break ends a statement
    const follow = follows[state.mode];
    if (follow) {
      if (stream.match(blank)) return null;
      state.mode = 'rest';
      if (stream.match(follow.re)) return follow.category;
    }
    for (const rule of rules) {
      if (rule.atStart && state.mode !== 'start') continue;
      if (!stream.match(rule.re)) continue;
      if (toStart.has(rule.category)) state.mode = 'start';
      else if (!stays.has(rule.category)) state.mode = rule.follow || 'rest';
      return rule.category === 'whitespace' ? null : rule.category;
    }
    stream.next();  // unreachable: the last rule takes any one character
    return 'error';
  }

  return {
    startState: () => ({ mode: 'start' }),
    copyState: (state) => ({ mode: state.mode }),
    token,
  };
}

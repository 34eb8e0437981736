"""Stage 1, syntax: the Lark grammar, the fast LALR path, the parser with
recovery, the transformer, the AST it builds (`ast`: frozen dataclasses, each
with a Span), and the classification of syntax errors."""

//! Expression engine: lexer, parser, syntax tree, printer, compiler, validation.

// Package parser reads the SQL of a Kinesis Data Analytics application
// into an abstract syntax tree. It knows nothing of execution and imports
// nothing of streamsql's: package plan binds and plans the tree.
//
// The front end follows Go's own go/scanner, go/parser and go/ast:
//
//   - scanner.go splits text into tokens (position, kind, literal) and
//     knows no grammar; comments (-- and /* */) are skipped.
//   - parser.go is a recursive-descent parser with one method per
//     production; binary operators are parsed by precedence climbing over
//     the table in prec.go.
//   - format.go prints any tree back as SQL (Format), parenthesizing by
//     the same table, so printed text parses back to the same tree
//     (FuzzFormat checks this); explain labels are printed this way.
//   - ast.go holds the nodes: plain data with Pos and End; walk.go visits
//     them (Inspect).
//   - pos.go keeps positions as byte offsets until an error is printed;
//     errors collect into an ErrorList sorted by position, and after an
//     error the parser skips to the next ";" so one bad statement does not
//     hide the next.
//
// ParseScript parses application code, ParseScriptAt the same for code
// that starts further down a file (SQL inside an application file), and
// ParseExpr, ParseQuery and ParseType single productions.
package parser

package parser

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a byte offset into the source plus one; 0 means "no position".
// It stays a plain integer until an error is printed.
type Pos int

// NoPos is the zero Pos.
const NoPos Pos = 0

// IsValid reports whether p refers to a source position.
func (p Pos) IsValid() bool { return p != NoPos }

// File is one source text, able to turn a Pos into line:column.
type File struct {
	Name  string
	Src   string
	base  int   // line number of Src's first line in the named file
	lines []int // byte offset of the start of each line
}

// NewFile indexes src for position lookups.
func NewFile(name, src string) *File { return NewFileAt(name, src, 1) }

// NewFileAt indexes src that starts on line `line` of the named file (SQL
// inside an application file), so positions count the file's lines.
func NewFileAt(name, src string, line int) *File {
	if line < 1 {
		line = 1
	}
	f := &File{Name: name, Src: src, base: line, lines: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Position is a resolved source position. Column counts bytes from 1.
type Position struct {
	Filename string
	Offset   int
	Line     int
	Column   int
}

func (p Position) String() string {
	s := p.Filename
	if p.Line > 0 {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return s
}

// Position resolves p.
func (f *File) Position(p Pos) Position {
	if f == nil || !p.IsValid() {
		return Position{}
	}
	off := int(p) - 1
	if off > len(f.Src) {
		off = len(f.Src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return Position{Filename: f.Name, Offset: off, Line: i + f.base, Column: off - f.lines[i] + 1}
}

// LineText returns the text of a line (numbered as in Position), without
// its newline.
func (f *File) LineText(line int) string {
	if f == nil {
		return ""
	}
	line -= f.base - 1
	if line < 1 || line > len(f.lines) {
		return ""
	}
	start := f.lines[line-1]
	end := len(f.Src)
	if line < len(f.lines) {
		end = f.lines[line] - 1
	}
	return strings.TrimRight(f.Src[start:end], "\r")
}

// Error is one positioned error: where, what, and the offending line.
type Error struct {
	Pos  Position
	Msg  string
	Line string // source line text (a window of it around the column when long), for the caret display
	// LineCol is the caret's column in Line when Line is a window of the
	// source line; 0 means Pos.Column.
	LineCol int
}

func (e *Error) Error() string {
	return e.Pos.String() + ": " + e.Msg
}

// Detail renders the error with the offending line and a caret under the column.
func (e *Error) Detail() string {
	s := e.Error()
	if e.Line != "" && e.Pos.Column > 0 {
		col := e.Pos.Column - 1
		if e.LineCol > 0 {
			col = e.LineCol - 1
		}
		if col > len(e.Line) {
			col = len(e.Line)
		}
		pad := make([]byte, 0, col)
		for _, c := range []byte(e.Line[:col]) {
			if c == '\t' {
				pad = append(pad, '\t')
			} else {
				pad = append(pad, ' ')
			}
		}
		s += "\n    " + e.Line + "\n    " + string(pad) + "^"
	}
	return s
}

// ErrorList collects errors so that one bad statement does not hide the next.
type ErrorList []*Error

// MaxErrors caps the errors kept for one file: past it, one last error
// says so and the rest are dropped. A hostile or binary file would
// otherwise yield an error per byte.
const MaxErrors = 50

// maxEcho is how much of a long source line an error echoes: a window
// around the column, marked with "..." where cut.
const maxEcho = 160

// Add appends an error at p in f.
func (l *ErrorList) Add(f *File, p Pos, format string, args ...any) {
	if len(*l) > MaxErrors {
		return
	}
	pos := f.Position(p)
	if len(*l) == MaxErrors {
		*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf("too many errors (more than %d); stopping here", MaxErrors)})
		return
	}
	line, col := echo(f.LineText(pos.Line), pos.Column)
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Line: line, LineCol: col})
}

// echo cuts a long line to a window of maxEcho bytes around column col,
// returning the window and the column in it (0 when the line is whole).
func echo(line string, col int) (string, int) {
	if len(line) <= maxEcho {
		return line, 0
	}
	start := max(col-1-maxEcho/2, 0)
	end := min(start+maxEcho, len(line))
	start = max(end-maxEcho, 0)
	// Cut on UTF-8 boundaries.
	for start > 0 && !utf8.RuneStart(line[start]) {
		start--
	}
	for end < len(line) && !utf8.RuneStart(line[end]) {
		end++
	}
	w, c := line[start:end], col-start
	if start > 0 {
		w, c = "..."+w, c+3
	}
	if end < len(line) {
		w += "..."
	}
	return w, c
}

// Sort orders the list by position.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos.Offset < l[j].Pos.Offset })
}

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Detail renders every error with its source line and caret.
func (l ErrorList) Detail() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Detail())
	}
	return b.String()
}

// Err returns nil for an empty list, else the list itself.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

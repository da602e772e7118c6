package parser

import (
	"fmt"
	"sort"
	"strings"
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
	Line string // source line text, for the caret display
}

func (e *Error) Error() string {
	return e.Pos.String() + ": " + e.Msg
}

// Detail renders the error with the offending line and a caret under the column.
func (e *Error) Detail() string {
	s := e.Error()
	if e.Line != "" && e.Pos.Column > 0 {
		col := e.Pos.Column - 1
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

// Add appends an error at p in f.
func (l *ErrorList) Add(f *File, p Pos, format string, args ...any) {
	pos := f.Position(p)
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Line: f.LineText(pos.Line)})
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

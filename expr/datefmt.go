package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DateFormat is a compiled datetime pattern in the letters of Java's
// SimpleDateFormat (yyyy, MM, dd, HH, hh, mm, ss, SSS, a, E, z, Z, X, quoted
// text). The KDA datetime conversion functions (CHAR_TO_TIMESTAMP,
// TIMESTAMP_TO_CHAR, ...) and the log parsers' column formats use it. A
// pattern is compiled once at plan time when it is a constant; Parse and
// Format never look at the pattern text again.
type DateFormat struct {
	src    string
	fields []dateField
}

type dateField struct {
	letter byte   // pattern letter; 0 for literal text
	count  int    // how many times the letter repeats
	lit    string // literal text
	// abut is set when the next field is numeric with no literal between:
	// the number then takes exactly count digits when parsing.
	abut bool
}

const dateLetters = "GyYMLwWDdFEuaHkKhmsSzZX"

func isNumericField(f dateField) bool {
	switch f.letter {
	case 'y', 'Y', 'w', 'W', 'D', 'd', 'F', 'u', 'H', 'k', 'K', 'h', 'm', 's', 'S':
		return true
	case 'M', 'L':
		return f.count <= 2
	}
	return false
}

// CompileDateFormat compiles a SimpleDateFormat-style pattern.
func CompileDateFormat(pattern string) (*DateFormat, error) {
	compiles.Add(1)
	f := &DateFormat{src: pattern}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.fields = append(f.fields, dateField{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			if i+1 < len(pattern) && pattern[i+1] == '\'' {
				lit.WriteByte('\'')
				i += 2
				continue
			}
			j := i + 1
			closed := false
			for j < len(pattern) {
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					break
				}
				lit.WriteByte(pattern[j])
				j++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quote in datetime pattern '%s'", pattern)
			}
			i = j + 1
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			if !strings.ContainsRune(dateLetters, rune(c)) {
				return nil, fmt.Errorf("illegal pattern character '%c' in datetime pattern '%s'", c, pattern)
			}
			flush()
			n := 1
			for i+n < len(pattern) && pattern[i+n] == c {
				n++
			}
			f.fields = append(f.fields, dateField{letter: c, count: n})
			i += n
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	for i := 0; i+1 < len(f.fields); i++ {
		if isNumericField(f.fields[i]) && isNumericField(f.fields[i+1]) {
			f.fields[i].abut = true
		}
	}
	return f, nil
}

// String is the pattern text.
func (f *DateFormat) String() string { return f.src }

var (
	monthsLong  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	monthsShort = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	daysLong    = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	daysShort   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

func appendPadded(b []byte, n int64, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// AppendFormat appends the text of a millisecond timestamp (UTC).
func (f *DateFormat) AppendFormat(b []byte, ms int64) []byte {
	t := time.UnixMilli(ms).UTC()
	for _, fd := range f.fields {
		n := fd.count
		switch fd.letter {
		case 0:
			b = append(b, fd.lit...)
		case 'G':
			if t.Year() <= 0 {
				b = append(b, "BC"...)
			} else {
				b = append(b, "AD"...)
			}
		case 'y', 'Y':
			y := int64(t.Year())
			if fd.letter == 'Y' {
				iy, _ := t.ISOWeek()
				y = int64(iy)
			}
			if n == 2 {
				b = appendPadded(b, (y%100+100)%100, 2)
			} else {
				b = appendPadded(b, y, n)
			}
		case 'M', 'L':
			switch {
			case n >= 4:
				b = append(b, monthsLong[t.Month()-1]...)
			case n == 3:
				b = append(b, monthsShort[t.Month()-1]...)
			default:
				b = appendPadded(b, int64(t.Month()), n)
			}
		case 'w':
			_, w := t.ISOWeek()
			b = appendPadded(b, int64(w), n)
		case 'W':
			b = appendPadded(b, int64((t.Day()+int(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Weekday())-1)/7+1), n)
		case 'D':
			b = appendPadded(b, int64(t.YearDay()), n)
		case 'd':
			b = appendPadded(b, int64(t.Day()), n)
		case 'F':
			b = appendPadded(b, int64((t.Day()-1)/7+1), n)
		case 'E':
			if n >= 4 {
				b = append(b, daysLong[t.Weekday()]...)
			} else {
				b = append(b, daysShort[t.Weekday()]...)
			}
		case 'u':
			wd := int64(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b = appendPadded(b, wd, n)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'H':
			b = appendPadded(b, int64(t.Hour()), n)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b = appendPadded(b, int64(h), n)
		case 'K':
			b = appendPadded(b, int64(t.Hour()%12), n)
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendPadded(b, int64(h), n)
		case 'm':
			b = appendPadded(b, int64(t.Minute()), n)
		case 's':
			b = appendPadded(b, int64(t.Second()), n)
		case 'S':
			b = appendPadded(b, int64(t.Nanosecond()/1e6), n)
		case 'z':
			if n >= 4 {
				b = append(b, "Coordinated Universal Time"...)
			} else {
				b = append(b, "UTC"...)
			}
		case 'Z':
			b = append(b, "+0000"...)
		case 'X':
			b = append(b, 'Z')
		}
	}
	return b
}

// Format is the text of a millisecond timestamp (UTC).
func (f *DateFormat) Format(ms int64) string {
	var buf [64]byte
	return string(f.AppendFormat(buf[:0], ms))
}

// parsed collects the fields read from the input.
type parsed struct {
	year, month, day, hour, minute, second, milli int
	hour12                                        int // -1 when absent
	pm                                            int // -1 absent, 0 AM, 1 PM
	yday                                          int // day of year, 0 absent
	offset                                        int // zone offset in seconds
	hasMonthOrDay                                 bool
}

// ParseError says why a string does not fit a pattern.
type ParseError struct{ Msg string }

func (e *ParseError) Error() string { return e.Msg }

func (f *DateFormat) fail(s, why string) (int64, error) {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return 0, &ParseError{Msg: fmt.Sprintf("'%s' does not match datetime pattern '%s': %s", s, f.src, why)}
}

// Parse reads s against the pattern and returns milliseconds since the
// epoch (UTC). Fields missing from the pattern default to 1970-01-01
// 00:00:00.000 (year 1970, month and day 1, time 0); values out of range
// for their field fail; input left over after the last field is ignored.
func (f *DateFormat) Parse(s string) (int64, error) {
	p := parsed{year: 1970, month: 1, day: 1, hour12: -1, pm: -1}
	pos := 0
	for _, fd := range f.fields {
		if fd.letter == 0 {
			if !strings.HasPrefix(s[pos:], fd.lit) {
				return f.fail(s, fmt.Sprintf("expected '%s' at position %d", fd.lit, pos+1))
			}
			pos += len(fd.lit)
			continue
		}
		for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
			pos++
		}
		if pos >= len(s) {
			return f.fail(s, fmt.Sprintf("input ends before field %s", strings.Repeat(string(fd.letter), fd.count)))
		}
		if isNumericField(fd) {
			start := pos
			limit := len(s)
			if fd.abut && pos+fd.count < limit {
				limit = pos + fd.count
			}
			for pos < limit && s[pos] >= '0' && s[pos] <= '9' {
				pos++
			}
			if pos == start {
				return f.fail(s, fmt.Sprintf("expected digits for %s at position %d", strings.Repeat(string(fd.letter), fd.count), start+1))
			}
			if pos-start > 9 {
				return f.fail(s, "number too long")
			}
			n, _ := strconv.Atoi(s[start:pos])
			if err := p.set(fd, n, pos-start); err != "" {
				return f.fail(s, err)
			}
			continue
		}
		rest := s[pos:]
		switch fd.letter {
		case 'M', 'L':
			i, l := matchName(rest, monthsLong, monthsShort)
			if i < 0 {
				return f.fail(s, fmt.Sprintf("expected a month name at position %d", pos+1))
			}
			p.month, p.hasMonthOrDay = i+1, true
			pos += l
		case 'E':
			i, l := matchName(rest, daysLong, daysShort)
			if i < 0 {
				return f.fail(s, fmt.Sprintf("expected a day name at position %d", pos+1))
			}
			pos += l
		case 'a':
			i, l := matchName(rest, []string{"AM", "PM"}, nil)
			if i < 0 {
				return f.fail(s, fmt.Sprintf("expected AM or PM at position %d", pos+1))
			}
			p.pm = i
			pos += l
		case 'G':
			i, l := matchName(rest, []string{"BC", "AD"}, nil)
			if i < 0 {
				return f.fail(s, fmt.Sprintf("expected AD or BC at position %d", pos+1))
			}
			pos += l
		case 'z', 'Z', 'X':
			off, l, ok := parseZone(rest)
			if !ok {
				return f.fail(s, fmt.Sprintf("expected a time zone at position %d", pos+1))
			}
			p.offset = off
			pos += l
		}
	}
	return p.millis(s, f)
}

func (p *parsed) set(fd dateField, n, digits int) string {
	bad := func(lo, hi int) string {
		if n < lo || n > hi {
			return fmt.Sprintf("%d is out of range for %s (%d..%d)", n, strings.Repeat(string(fd.letter), fd.count), lo, hi)
		}
		return ""
	}
	switch fd.letter {
	case 'y', 'Y':
		if fd.count == 2 && digits == 2 { // 'y' alone reads the year as written ('10' is year 10)
			// Two-digit years: 00-68 are 2000-2068, 69-99 are 1969-1999.
			if n < 69 {
				n += 2000
			} else {
				n += 1900
			}
		}
		p.year = n
	case 'M', 'L':
		p.month, p.hasMonthOrDay = n, true
		return bad(1, 12)
	case 'd':
		p.day, p.hasMonthOrDay = n, true
		return bad(1, 31)
	case 'D':
		p.yday = n
		return bad(1, 366)
	case 'H':
		p.hour = n
		return bad(0, 23)
	case 'k':
		if e := bad(1, 24); e != "" {
			return e
		}
		p.hour = n % 24
	case 'h':
		if e := bad(1, 12); e != "" {
			return e
		}
		p.hour12 = n % 12
	case 'K':
		if e := bad(0, 11); e != "" {
			return e
		}
		p.hour12 = n
	case 'm':
		p.minute = n
		return bad(0, 59)
	case 's':
		p.second = n
		return bad(0, 59)
	case 'S':
		p.milli = n
		return bad(0, 999)
	case 'u':
		return bad(1, 7)
	case 'F':
		return bad(1, 5)
	case 'w':
		return bad(1, 53)
	case 'W':
		return bad(0, 6)
	}
	return ""
}

func (p *parsed) millis(s string, f *DateFormat) (int64, error) {
	hour := p.hour
	if p.hour12 >= 0 {
		hour = p.hour12
		if p.pm == 1 {
			hour += 12
		}
	} else if p.pm == 1 && hour < 12 {
		hour += 12
	}
	var t time.Time
	if p.yday > 0 && !p.hasMonthOrDay {
		t = time.Date(p.year, 1, 1, hour, p.minute, p.second, p.milli*1e6, time.UTC).AddDate(0, 0, p.yday-1)
		if t.Year() != p.year {
			return f.fail(s, fmt.Sprintf("day %d is not in year %d", p.yday, p.year))
		}
	} else {
		t = time.Date(p.year, time.Month(p.month), p.day, hour, p.minute, p.second, p.milli*1e6, time.UTC)
		if t.Day() != p.day {
			return f.fail(s, fmt.Sprintf("%s has no day %d", time.Month(p.month), p.day))
		}
	}
	return t.UnixMilli() - int64(p.offset)*1000, nil
}

// matchName finds the longest name (case-insensitive) at the start of s.
func matchName(s string, long, short []string) (int, int) {
	for i, n := range long {
		if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
			return i, len(n)
		}
	}
	for i, n := range short {
		if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
			return i, len(n)
		}
	}
	return -1, 0
}

var zoneNames = map[string]int{"UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "EST": -5 * 3600, "EDT": -4 * 3600,
	"CST": -6 * 3600, "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600}

// parseZone reads a zone: a name (UTC, GMT, Z, PST, ...), optionally
// followed by an offset, or an offset alone: +hh, +hhmm, +hh:mm.
func parseZone(s string) (offset, n int, ok bool) {
	for _, name := range []string{"UTC", "GMT", "UT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "Z"} {
		if strings.HasPrefix(s, name) {
			offset, n = zoneNames[name], len(name)
			if name == "UTC" || name == "GMT" || name == "UT" {
				if off, l, ok := parseOffset(s[n:]); ok {
					return off, n + l, true
				}
			}
			return offset, n, true
		}
	}
	return parseOffset(s)
}

func parseOffset(s string) (int, int, bool) {
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, 0, false
	}
	digit := func(i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '9' }
	if !digit(1) || !digit(2) {
		return 0, 0, false
	}
	h := int(s[1]-'0')*10 + int(s[2]-'0')
	m, n := 0, 3
	switch {
	case len(s) >= 6 && s[3] == ':' && digit(4) && digit(5):
		m, n = int(s[4]-'0')*10+int(s[5]-'0'), 6
	case digit(3) && digit(4):
		m, n = int(s[3]-'0')*10+int(s[4]-'0'), 5
	}
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	off := h*3600 + m*60
	if s[0] == '-' {
		off = -off
	}
	return off, n, true
}

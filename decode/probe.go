package decode

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tidwall/gjson"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// count prints record counts with thousands separators (1,000).
var count = message.NewPrinter(language.English)

// Probe watches the first records of a JSON input and tells which column
// mappings found nothing in any of them: a JSONPath typo ($.amout) otherwise
// gives a NULL column in every row without a word. It reads each record once
// more, so it is meant for a sample, not for the whole stream.
type Probe struct {
	d       *Decoder
	records int
	matched []bool
	fields  map[string]bool
}

// NewProbe watches records decoded by d; nil for a CSV schema (columns are
// positional there and a short line is already an error).
func NewProbe(d *Decoder) *Probe {
	if !d.json || len(d.s.Columns) == 0 {
		return nil
	}
	return &Probe{d: d, matched: make([]bool, len(d.s.Columns)), fields: map[string]bool{}}
}

// Observe looks at one record's payload.
func (p *Probe) Observe(data []byte) {
	p.records++
	p.d.eachJSONRow(0, data, nil, func(obj, elem gjson.Result, hasElem bool) {
		if obj.IsObject() && len(p.fields) < 64 {
			obj.ForEach(func(k, _ gjson.Result) bool {
				p.fields[k.Str] = true
				return len(p.fields) < 64
			})
		}
		for i, path := range p.d.paths {
			if p.matched[i] {
				continue
			}
			switch {
			case strings.HasPrefix(path, "\x00"):
				p.matched[i] = hasElem && elem.Exists() && (path == "\x00" || elem.Get(path[1:]).Exists())
			case path == "":
				p.matched[i] = obj.Exists()
			default:
				p.matched[i] = obj.Get(path).Exists()
			}
		}
	})
}

// Records is how many records the probe has seen.
func (p *Probe) Records() int { return p.records }

// Unmatched describes every column whose mapping matched nothing in the
// records seen, naming the fields that were there.
func (p *Probe) Unmatched() []string {
	if p.records == 0 {
		return nil
	}
	fields := make([]string, 0, len(p.fields))
	for f := range p.fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	seen := "no JSON object fields"
	if len(fields) > 0 {
		seen = "fields seen: " + strings.Join(fields, ", ")
	}
	var out []string
	for i, ok := range p.matched {
		if !ok {
			c := p.d.s.Columns[i]
			out = append(out, fmt.Sprintf("column %s: %s matched no field in %s records; %s", c.Name, c.Mapping, count.Sprintf("%d", p.records), seen))
		}
	}
	return out
}

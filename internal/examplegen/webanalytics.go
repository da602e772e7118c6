package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// webAnalytics: a clickstream application in the style of the AWS
// Solutions web-analytics templates (examples/web-analytics-cloudformation):
// events per event-time minute (a MONOTONIC time key computed in a
// subquery), views per site section (a comma join with a reference table
// inside a subquery that carries e.ROWTIME, with ROWTIME as a select item),
// a per-minute click-through rate (two in-application aggregates joined on
// equal ROWTIME) and slow requests (RANDOM_CUT_FOREST scores joined back to
// the source with a comma join). Each expected stream is computed here
// from the generated records; the anomalies are the injected ones.
func webAnalytics(dir string) {
	rng := rand.New(rand.NewPCG(61, 62))
	pages := []string{"/home", "/products", "/cart", "/checkout", "/blog", "/about", "/careers"}
	section := map[string]string{"/home": "landing", "/products": "shop", "/cart": "shop", "/checkout": "shop", "/blog": "content"}
	type event struct {
		id, typ, page string
		eventMinute   time.Time
		latency       string
		anomaly       bool
	}
	var recs []record
	var evs []event
	t := base
	for i := 0; i < 2400; i++ {
		t = t.Add(time.Duration(100+rng.IntN(200)) * time.Millisecond)
		page := pages[rng.IntN(len(pages))]
		typ := "view"
		if rng.IntN(5) == 0 {
			typ = "click"
		}
		lat := 120 + rng.NormFloat64()*8
		anomaly := i >= 1000 && i%211 == 0
		if anomaly {
			lat = 900 + rng.Float64()*300 // a stalled backend
		}
		ls := fmt.Sprintf("%.1f", lat)
		eventTime := t.Add(-2 * time.Second).Truncate(time.Second)
		id := fmt.Sprintf("req-%06d", i+1)
		data := fmt.Sprintf(`{"request_id":%q,"event_time":%q,"event_type":%q,"page":%q,"latency_ms":%s}`,
			id, eventTime.Format("2006-01-02 15:04:05"), typ, page, ls)
		recs = append(recs, record{arrival: t, data: []byte(data), key: id, shard: i % 2})
		evs = append(evs, event{id: id, typ: typ, page: page, eventMinute: eventTime.Truncate(time.Minute), latency: ls, anomaly: anomaly})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "clickstream.jsonl"), recs)
	var csv strings.Builder
	for _, p := range pages[:5] {
		fmt.Fprintf(&csv, "%s,%s\n", p, section[p])
	}
	must(os.WriteFile(filepath.Join(dir, "pages.csv"), []byte(csv.String()), 0o644))
	rts := rowtimes(recs)

	// Events per event-time minute and type: a MONOTONIC key, so a minute
	// closes when the first event of a later minute arrives (the last one
	// at the end of the replay, at the last record's ROWTIME).
	var lines []string
	var g group[string, int]
	var cur time.Time
	flush := func(at time.Time) {
		for _, k := range g.keys {
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"event_minute":%q,"event_type":%q,"events":%d}`, ts(at), ts(cur), k, *g.accum[k]))
		}
		g = group[string, int]{}
	}
	for i, e := range evs {
		if len(g.keys) > 0 && e.eventMinute.After(cur) {
			flush(rts[i])
		}
		cur = e.eventMinute
		*g.get(e.typ)++
	}
	flush(rts[len(rts)-1])
	writeLines(dir, "events-per-minute.ndjson", lines)

	// Views per section per arrival minute (pages not in the table drop
	// out of the inner join); ROWTIME and "minute_end" are the minute's end.
	perMinute := func(keep func(event) (string, bool), row func(end time.Time, key string, n int) string) []string {
		var out []string
		var g group[string, int]
		byMinute(rts, func(i int) {
			if k, ok := keep(evs[i]); ok {
				*g.get(k)++
			}
		}, func(end time.Time) {
			for _, k := range g.keys {
				out = append(out, row(end, k, *g.accum[k]))
			}
			g = group[string, int]{}
		})
		return out
	}
	writeLines(dir, "section-views.ndjson", perMinute(func(e event) (string, bool) {
		s, ok := section[e.page]
		return s, ok && e.typ == "view"
	}, func(end time.Time, s string, n int) string {
		return fmt.Sprintf(`{"ROWTIME":%q,"section":%q,"minute_end":%q,"views":%d}`, ts(end), s, ts(end), n)
	}))

	// Click-through rate per arrival minute: clicks / views.
	counts := map[time.Time]map[string]int{}
	var minutes []time.Time
	for i, e := range evs {
		w := rts[i].Truncate(time.Minute)
		if counts[w] == nil {
			counts[w] = map[string]int{}
			minutes = append(minutes, w)
		}
		counts[w][e.typ]++
	}
	lines = nil
	for _, w := range minutes {
		c, v := counts[w]["click"], counts[w]["view"]
		if c == 0 || v == 0 {
			continue
		}
		lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"minute":%q,"clicks":%d,"views":%d,"ctr":%s}`,
			ts(w.Add(time.Minute)), ts(w), c, v, num(float64(c)/float64(v))))
	}
	writeLines(dir, "click-through.ndjson", lines)

	// Slow requests: the injected latencies, at their arrival.
	lines = nil
	for i, e := range evs {
		if e.anomaly {
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"request_id":%q,"page":%q,"latency_ms":%s}`, ts(rts[i]), e.id, e.page, e.latency))
		}
	}
	writeLines(dir, "slow-requests.ndjson", lines)
}

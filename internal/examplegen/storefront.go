package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// storefront: a shop's clickstream (examples/storefront-cloudformation).
// Events are normalized (types and SKUs in mixed case, heartbeats and
// events without a session dropped, the channel from the URL's
// utm_source, the device class from the user agent); the expected funnel,
// category revenue and top viewed products are computed here from the
// generated events, per minute of arrival, groups in first-seen order.
func storefront(dir string) {
	rng := rand.New(rand.NewPCG(81, 82))
	type product struct {
		sku, category, brand string
		cents                int
	}
	categories := []string{"toys", "books", "garden", "electronics", "gift-cards", "services"}
	brands := []string{"Acme", "Globex", "Initech", "Umbrella"}
	var products []product
	for i := 0; i < 24; i++ {
		products = append(products, product{
			sku:      fmt.Sprintf("SKU-%d", 1001+i),
			category: categories[i%len(categories)],
			brand:    brands[i%len(brands)],
			cents:    499 + rng.IntN(60)*250,
		})
	}
	var csv strings.Builder
	for _, p := range products[:20] { // the last four are not in the catalog yet
		fmt.Fprintf(&csv, "%s,%s,%s\n", p.sku, p.category, p.brand)
	}
	agents := []string{
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
		"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 Version/16.6 Safari/604.1",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Version/17.2 Safari/605.1.15",
	}
	channels := []string{"", "", "newsletter", "social", "ads"}
	spellings := map[string][]string{
		"view":        {"view", "VIEW", "View"},
		"add_to_cart": {"add_to_cart", "ADD_TO_CART"},
		"purchase":    {"purchase", "Purchase"},
		"heartbeat":   {"heartbeat"},
		"error":       {"client_error"},
	}
	type event struct {
		typ, sku, channel, device string
		lineCents                 int64
		client                    time.Time
		kept                      bool
	}
	var recs []record
	var evs []event
	t := base
	for i := 0; i < 3000; i++ {
		t = t.Add(time.Duration(100+rng.IntN(280)) * time.Millisecond)
		var typ string
		switch r := rng.IntN(100); {
		case r < 70:
			typ = "view"
		case r < 82:
			typ = "add_to_cart"
		case r < 90:
			typ = "purchase"
		case r < 97:
			typ = "heartbeat"
		default:
			typ = "error"
		}
		// Views favour a few products; which ones shifts every few minutes.
		shift := int(t.Sub(base) / (4 * time.Minute))
		k := int(math.Floor(math.Pow(rng.Float64(), 2) * float64(len(products))))
		p := products[(k+5*shift)%len(products)]
		qty := 1
		if typ != "view" {
			qty = 1 + rng.IntN(4)
		}
		sku := p.sku
		if rng.IntN(4) == 0 {
			sku = strings.ToLower(sku) // an old app version
		}
		ch := channels[rng.IntN(len(channels))]
		url := "https://shop.example.com/p/" + strings.ToLower(p.sku)
		switch {
		case ch != "" && rng.IntN(2) == 0:
			url += "?ref=home&utm_source=" + ch
		case ch != "":
			url += "?utm_source=" + ch
		}
		agent := agents[rng.IntN(len(agents))]
		client := t.Add(-time.Duration(rng.IntN(3000)) * time.Millisecond).Truncate(time.Second)
		session := map[string]any{"id": fmt.Sprintf("s-%05d", rng.IntN(400)), "userAgent": agent}
		if rng.IntN(60) == 0 {
			session["id"] = nil // a crawler without a session
		}
		ev := map[string]any{
			"session":    session,
			"type":       spellings[typ][rng.IntN(len(spellings[typ]))],
			"page":       map[string]any{"url": url},
			"clientTime": client.Format("02/01/2006 15:04:05"),
		}
		if typ != "heartbeat" && typ != "error" {
			ev["item"] = map[string]any{"sku": sku, "priceCents": p.cents, "qty": qty}
		}
		data, _ := json.Marshal(ev)
		recs = append(recs, record{arrival: t, data: data, key: fmt.Sprint(session["id"]), shard: i % 4})
		device := "desktop"
		switch {
		case strings.Contains(agent, "Mobile"):
			device = "mobile"
		case strings.Contains(agent, "iPad"):
			device = "tablet"
		}
		channel := "direct"
		if ch != "" {
			channel = ch
		}
		kept := session["id"] != nil && typ != "heartbeat" && typ != "error"
		evs = append(evs, event{typ: typ, sku: p.sku, channel: channel, device: device,
			lineCents: int64(p.cents) * int64(qty), client: client, kept: kept})
	}
	must(os.MkdirAll(dir, 0o755))
	writeRecording(filepath.Join(dir, "events.jsonl"), recs)
	must(os.WriteFile(filepath.Join(dir, "products.csv"), []byte(csv.String()), 0o644))
	rts := rowtimes(recs)

	// The funnel per channel and minute.
	type funnel struct {
		views, carts, purchases, mobile int
		first                           time.Time
	}
	var lines []string
	var fg group[string, funnel]
	byMinute(rts, func(i int) {
		e := evs[i]
		if !e.kept {
			return
		}
		f := fg.get(e.channel)
		if f.first.IsZero() || e.client.Before(f.first) {
			f.first = e.client
		}
		switch e.typ {
		case "view":
			f.views++
		case "add_to_cart":
			f.carts++
		case "purchase":
			f.purchases++
		}
		if e.device == "mobile" {
			f.mobile++
		}
	}, func(end time.Time) {
		for _, ch := range fg.keys {
			f := fg.accum[ch]
			// LOCALTIMESTAMP: the query's start, in a replay the first
			// record's arrival (docs/semantics.md R6).
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"minute":%q,"channel":%q,"views":%d,"carts":%d,"purchases":%d,"mobile":%d,"firstClient":%q,"appStarted":%q}`,
				ts(end), ts(end.Add(-time.Minute)), ch, f.views, f.carts, f.purchases, f.mobile, ts(f.first), ts(recs[0].arrival)))
		}
		fg = group[string, funnel]{}
	})
	writeLines(dir, "channel-funnel.ndjson", lines)

	// Revenue per category and basket band: catalogued SKUs only, the
	// excluded categories left out.
	category := map[string]string{}
	for _, p := range products[:20] {
		category[p.sku] = p.category
	}
	type revenue struct {
		orders int
		cents  int64
	}
	type catBand struct{ category, band string }
	lines = nil
	var rg group[catBand, revenue]
	byMinute(rts, func(i int) {
		e := evs[i]
		c, ok := category[e.sku]
		if !e.kept || e.typ != "purchase" || !ok || c == "gift-cards" || c == "services" {
			return
		}
		band := "large"
		switch {
		case e.lineCents < 2500:
			band = "small"
		case e.lineCents < 10000:
			band = "medium"
		}
		r := rg.get(catBand{c, band})
		r.orders++
		r.cents += e.lineCents
	}, func(end time.Time) {
		for _, k := range rg.keys {
			r := rg.accum[k]
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"minute":%q,"category":%q,"band":%q,"orders":%d,"revenueCents":%d}`,
				ts(end), ts(end.Add(-time.Minute)), k.category, k.band, r.orders, r.cents))
		}
		rg = group[catBand, revenue]{}
	})
	writeLines(dir, "category-revenue.ndjson", lines)

	// The three most viewed SKUs of each minute (ties: first viewed first).
	lines = nil
	var vg group[string, int]
	byMinute(rts, func(i int) {
		if e := evs[i]; e.kept && e.typ == "view" {
			*vg.get(e.sku)++
		}
	}, func(end time.Time) {
		keys := vg.keys
		sort.SliceStable(keys, func(a, b int) bool { return *vg.accum[keys[a]] > *vg.accum[keys[b]] })
		for _, k := range keys[:min(3, len(keys))] {
			lines = append(lines, fmt.Sprintf(`{"ROWTIME":%q,"sku":%q,"views":%d}`, ts(end), k, *vg.accum[k]))
		}
		vg = group[string, int]{}
	})
	writeLines(dir, "top-viewed.ndjson", lines)
}
